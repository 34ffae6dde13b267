#!/usr/bin/python3
"""Next-item hold-out for a synthetic corpus from item2vec-gen-corpus.

holdout_sessions.py CORPUS_DIR [--records N] [--every K] [--all-parts]: every K-th session
(default 7) with at least 3 items loses its last item into CORPUS_DIR/test.tsv
(`user<TAB>next<TAB>history`, the format quality.py next-item reads; at most N records,
default 5000), taken from the last part file only, or with --all-parts from every part file;
every session, shortened or not, goes to CORPUS_DIR/train/ (same part file names): train with
`--input CORPUS_DIR/train`, score with
`quality.py next-item --vectors V --test CORPUS_DIR/test.tsv`. Deterministic; rerunning it
rewrites both from CORPUS_DIR/parts.
"""
import argparse
import glob
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--every", type=int, default=7, help="hold out every K-th session (default 7)")
    ap.add_argument("--all-parts", action="store_true", help="hold out from every part file, not the last only")
    args = ap.parse_args()
    if args.every < 1:
        sys.exit("holdout_sessions.py: --every must be at least 1")
    parts = sorted(glob.glob(os.path.join(args.corpus, "parts", "part-*")))
    if not parts:
        sys.exit("holdout_sessions.py: %s/parts holds no part-* files (run item2vec-gen-corpus first)" % args.corpus)
    os.makedirs(os.path.join(args.corpus, "train"), exist_ok=True)
    test = []
    for pi, path in enumerate(parts):
        eligible = args.all_parts or pi == len(parts) - 1
        with open(path) as src, open(os.path.join(args.corpus, "train", os.path.basename(path)), "w") as out:
            for li, line in enumerate(src):
                items = line.split()
                if eligible and len(test) < args.records and li % args.every == 0 and len(items) >= 3:
                    test.append("u%d-%d\t%s\t%s\n" % (pi, li, items[-1], " ".join(items[:-1])) if args.all_parts
                                else "u%d\t%s\t%s\n" % (li, items[-1], " ".join(items[:-1])))
                    items = items[:-1]
                out.write(" ".join(items) + "\n")
    with open(os.path.join(args.corpus, "test.tsv"), "w") as f:
        f.writelines(test)
    print("%d test records in %s/test.tsv" % (len(test), args.corpus))


if __name__ == "__main__":
    main()
