# Shared by the benchmark scripts. Source it after setting `repo`.
# shellcheck shell=bash

# bench_args SCRIPT HELP_LAST_LINE OPTION... -- ARG...: reads the script's "--OPTION VALUE"
# arguments into the variable named like the option (dashes as underscores), so its default is
# whatever the script set before; -h/--help prints the script's comment lines 2 to
# HELP_LAST_LINE; anything else is a usage error (exit 2).
bench_args() {
  local script=$1 help_last=$2 known=" " name
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do known+="$1 "; shift; done
  shift
  while [ $# -gt 0 ]; do
    case $1 in -h|--help) sed -n "2,${help_last}p" "$script" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
    name=${1#--}
    if [ "$1" = "--$name" ] && [[ "$known" == *" $name "* ]] && [ $# -ge 2 ]; then
      printf -v "${name//-/_}" '%s' "$2"
      shift 2
    else
      echo "$(basename "$script"): unknown argument $1 (see --help)" >&2
      exit 2
    fi
  done
}

# Open MPI allowed to run as root (containers).
bench_mpi_as_root() {
  if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
}

# bench_needs_gensim SCRIPT: exit 2 unless Debian's python3-gensim is there.
bench_needs_gensim() {
  /usr/bin/python3 -c "import gensim" 2> /dev/null || { echo "$(basename "$1"): needs Debian's python3-gensim" >&2; exit 2; }
}

# bench_prep_movielens BIN DIR: the bundled MovieLens ratings as `item2vec prep` sequences in
# DIR/train and the last liked movie of each user held out in DIR/test.tsv.
bench_prep_movielens() {
  "$1" prep --input "$repo/data/ml-latest-small/ratings.csv" --output "$2" --user-col userId \
    --item-col movieId --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last 2> /dev/null
}

# bench_catalogue_corpus ITEMS REPEAT DIR: DIR/part-0 (kept when present) holds ITEMS distinct
# items "i<k>", each seen REPEAT times, shuffled into sessions of 10 by a seeded permutation per
# pass: a catalogue where every item is equally rare (vocab_memory.sh, vocab_ranks.sh).
bench_catalogue_corpus() {
  [ -s "$3/part-0" ] && return 0
  mkdir -p "$3"
  /usr/bin/python3 - "$1" "$2" "$3/part-0" <<'PY'
import sys, numpy as np
items, repeat, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(1)
with open(path + ".tmp", "w") as f:
    for _ in range(repeat):
        order = rng.permutation(items)
        for start in range(0, items, 100000):
            chunk = order[start:start + 100000]
            words = ["i%d" % k for k in chunk]
            f.write("\n".join(" ".join(words[j:j + 10]) for j in range(0, len(words), 10)) + "\n")
import os; os.replace(path + ".tmp", path)
PY
}

# die MESSAGE: the script's name and MESSAGE on stderr, exit 1. log MESSAGE: a timestamped
# progress line on stderr.
die() { echo "$(basename "$0"): $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
