# Shared by the tune tests: the integration library, Python with numpy, the small search
# space, and the bundled MovieLens prepared with a validation split.
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
source "$REPO/tests/integration/lib.sh"
PY=/usr/bin/python3
SPACE="$REPO/tests/tune/small_space.ini"

# prep_movielens_validation DIR: ml-latest-small's liked movies, each user's last one in
# DIR/test.tsv and the one before it in DIR/valid.tsv, the rest in DIR/train.
prep_movielens_validation() {
  "$ITEM2VEC" prep -i "$REPO/data/ml-latest-small/ratings.csv" -o "$1" --user-col userId --item-col movieId \
    --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last --validation > "$WORK/prep.log" 2>&1 ||
    fail "prep: $(cat "$WORK/prep.log")"
}
