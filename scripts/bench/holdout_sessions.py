#!/usr/bin/python3
"""Next-item hold-out for a synthetic corpus from item2vec-gen-corpus.

holdout_sessions.py CORPUS_DIR [--records N]: of the last part file, every 7th session with
at least 3 items loses its last item into CORPUS_DIR/test.tsv (`user<TAB>next<TAB>history`,
the format quality.py next-item reads; at most N records, default 5000), and every session,
shortened or not, goes to CORPUS_DIR/train/ (same part file names): train with
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
    args = ap.parse_args()
    parts = sorted(glob.glob(os.path.join(args.corpus, "parts", "part-*")))
    if not parts:
        sys.exit("holdout_sessions.py: %s/parts holds no part-* files (run item2vec-gen-corpus first)" % args.corpus)
    os.makedirs(os.path.join(args.corpus, "train"), exist_ok=True)
    test = []
    for pi, path in enumerate(parts):
        with open(path) as src, open(os.path.join(args.corpus, "train", os.path.basename(path)), "w") as out:
            for li, line in enumerate(src):
                items = line.split()
                if pi == len(parts) - 1 and len(test) < args.records and li % 7 == 0 and len(items) >= 3:
                    test.append("u%d\t%s\t%s\n" % (li, items[-1], " ".join(items[:-1])))
                    items = items[:-1]
                out.write(" ".join(items) + "\n")
    with open(os.path.join(args.corpus, "test.tsv"), "w") as f:
        f.writelines(test)
    print("%d test records in %s/test.tsv" % (len(test), args.corpus))


if __name__ == "__main__":
    main()
