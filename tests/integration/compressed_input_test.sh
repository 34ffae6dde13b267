#!/usr/bin/env bash
# Compressed input (.gz, .zst part files), streamed by train and prep.
#  1. --deterministic training on corpus.txt, corpus.txt.gz and corpus.txt.zst gives the
#     same vectors.bin bytes.
#  2. A directory of compressed parts: each part is read whole by one worker (logged);
#     with more workers than parts the job warns and still finishes.
#  3. Stopped by SIGTERM after a checkpoint inside a .gz file and resumed: byte-identical
#     to an uninterrupted run.
#  4. A corrupt and a truncated archive fail the job with exit code 3, naming the file and
#     the byte offset.
#  5. prep reads ratings.csv.gz and ratings.csv.zst into exactly the output of ratings.csv,
#     on one rank and on two.
# Usage: compressed_input_test.sh
source "$(dirname "$0")/lib.sh"
command -v gzip > /dev/null && command -v zstd > /dev/null || { echo "skip: gzip or zstd missing (scripts/install_deps.sh)"; exit 77; }

make_movielens_corpus "$WORK/corpus.txt"
gzip -k "$WORK/corpus.txt"
zstd -q "$WORK/corpus.txt"

# 1. same bytes
det=(train --dim 16 --epochs 3 --deterministic --log-level warn)
for f in corpus.txt corpus.txt.gz corpus.txt.zst; do
  run_np 2 "${det[@]}" --input "$WORK/$f" --output "$WORK/m-$f"
done
cmp "$WORK/m-corpus.txt/vectors.bin" "$WORK/m-corpus.txt.gz/vectors.bin" || fail "training on .gz differs from the plain file"
cmp "$WORK/m-corpus.txt/vectors.bin" "$WORK/m-corpus.txt.zst/vectors.bin" || fail "training on .zst differs from the plain file"
echo "ok: corpus.txt, .gz and .zst train to the same bytes"

# 2. parts read whole, warning with more workers than parts
mkdir "$WORK/parts"
split -n l/3 -d -a 1 "$WORK/corpus.txt" "$WORK/parts/part-"
gzip "$WORK/parts/part-0" "$WORK/parts/part-1"
zstd -q --rm "$WORK/parts/part-2"
run_np 4 train --input "$WORK/parts" --output "$WORK/parts3" --servers 1 --dim 16 --epochs 2 > "$WORK/parts3.log" 2>&1 ||
  { tail -5 "$WORK/parts3.log" >&2; fail "3 workers on 3 compressed parts failed"; }
grep -q "3 of 3 input file(s) are compressed: each is read whole by one worker" "$WORK/parts3.log" || fail "no note that parts are read whole"
grep -q "workers get no input" "$WORK/parts3.log" && fail "warned with as many parts as workers"
[ "$(json_field "$WORK/parts3/train.json" tokens_seen)" = "$(json_field "$WORK/m-corpus.txt/train.json" tokens_seen | awk '{ print $1 / 3 * 2 }')" ] ||
  fail "3 workers did not read every token of the 3 parts twice"
run_np 5 train --input "$WORK/parts" --output "$WORK/parts4" --servers 1 --dim 16 --epochs 2 > "$WORK/parts4.log" 2>&1 ||
  { tail -5 "$WORK/parts4.log" >&2; fail "4 workers on 3 compressed parts failed"; }
grep -q "1 of 4 workers get no input: there are fewer compressed files than workers" "$WORK/parts4.log" ||
  fail "no warning with fewer compressed parts than workers"
check_model "$WORK/parts4" 16
echo "ok: compressed parts are whole shards; fewer parts than workers warns and finishes"

# 3. exact resume inside a .gz file
ck=(train --input "$WORK/corpus.txt.gz" --dim 16 --epochs 40 --deterministic --log-level info)
run_np 2 "${ck[@]}" --output "$WORK/ck-ref" > /dev/null 2>&1 || fail "reference run failed"
stop_after_checkpoint 2 "$WORK/ck" "$WORK/ck1.log" 2 "${ck[@]}" --checkpoint-every 0.3s
run_np 2 "${ck[@]}" --output "$WORK/ck" --resume > "$WORK/ck2.log" 2>&1 || { tail -5 "$WORK/ck2.log" >&2; fail "resume failed"; }
grep -q "continuing from checkpoint" "$WORK/ck2.log" || fail "the resumed run did not use the checkpoint"
cmp -s "$WORK/ck-ref/vectors.bin" "$WORK/ck/vectors.bin" || fail "resumed vectors differ from the uninterrupted run's"
echo "ok: a run on a .gz file resumes byte-identically"

# 4. corrupt and truncated archives
size=$(stat -c %s "$WORK/corpus.txt.gz")
head -c $((size / 2)) "$WORK/corpus.txt.gz" > "$WORK/trunc.txt.gz"
cp "$WORK/corpus.txt.zst" "$WORK/bad.txt.zst"
printf '\xa5\x5a\xa5\x5a\xa5\x5a\xa5\x5a' | dd of="$WORK/bad.txt.zst" bs=1 seek=$(($(stat -c %s "$WORK/bad.txt.zst") / 2)) conv=notrunc status=none
for f in trunc.txt.gz bad.txt.zst; do
  rc=0
  run_np 2 train --input "$WORK/$f" --output "$WORK/x-$f" --dim 8 --epochs 1 > "$WORK/$f.log" 2>&1 || rc=$?
  [ "$rc" = 3 ] || { tail -5 "$WORK/$f.log" >&2; fail "$f: exit $rc, expected 3 (bad input)"; }
done
grep -q "truncated gzip file '$WORK/trunc.txt.gz': it ends at byte $((size / 2)) inside a compressed stream" "$WORK/trunc.txt.gz.log" ||
  { grep error "$WORK/trunc.txt.gz.log" >&2; fail "the truncated archive is not named with its size"; }
grep -qE "corrupt zstd data in '$WORK/bad.txt.zst' at compressed bytes [0-9]+\.\.[0-9]+" "$WORK/bad.txt.zst.log" ||
  { grep error "$WORK/bad.txt.zst.log" >&2; fail "the corrupt archive is not named with the offset"; }
echo "ok: corrupt and truncated archives fail naming the file and offset"

# 5. prep
cp "$REPO/data/ml-latest-small/ratings.csv" "$WORK/ratings.csv"
gzip -k "$WORK/ratings.csv"
zstd -q "$WORK/ratings.csv"
prep=(prep --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last --log-level warn)
"$ITEM2VEC" "${prep[@]}" --input "$WORK/ratings.csv" --output "$WORK/p-plain"
for f in ratings.csv.gz ratings.csv.zst; do
  "$ITEM2VEC" "${prep[@]}" --input "$WORK/$f" --output "$WORK/p-$f"
  run_np 2 "${prep[@]}" --input "$WORK/$f" --output "$WORK/p2-$f"
  for d in "$WORK/p-$f" "$WORK/p2-$f"; do
    cmp -s "$WORK/p-plain/train/part-00000" "$d/train/part-00000" || fail "prep of $f ($d) differs from the plain file's"
    cmp -s "$WORK/p-plain/test.tsv" "$d/test.tsv" || fail "prep hold-out of $f ($d) differs"
  done
done
echo "ok: prep reads .gz and .zst like the plain file"
