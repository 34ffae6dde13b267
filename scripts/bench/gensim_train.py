#!/usr/bin/python3
"""Trains gensim Word2Vec (skip-gram or, with --sg 0, CBOW; negative sampling) in corpus_file mode for the benchmark.

Times build_vocab() and train() separately with time.perf_counter() and writes
  OUT/vectors.bin   word2vec binary vectors
  OUT/gensim.json   {"vocab_seconds", "train_seconds", "tokens", "epochs", "vocab_size", ...}
train_seconds covers train() only (all epochs), which is what the benchmark's tokens/s uses.
Run with /usr/bin/python3 (Debian's python3-gensim).
"""
import argparse
import json
import logging
import os
import sys
import time

try:
    from gensim.models import Word2Vec
    from gensim.models.word2vec_corpusfile import CORPUSFILE_VERSION  # noqa: F401  (compiled path)
except ImportError as e:
    sys.exit("gensim_train.py: gensim with its compiled corpus_file routines is missing for %s (%s); "
             "run it with /usr/bin/python3 (apt-get install -y python3-gensim)" % (sys.executable, e))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus-file", required=True, help="one file, one sequence per line")
    p.add_argument("--output", required=True, help="output directory")
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-3)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--sg", type=int, default=1, help="1 = skip-gram, 0 = CBOW")
    p.add_argument("--cbow-mean", type=int, default=1, help="with --sg 0: 1 = mean of the contexts, 0 = sum")
    p.add_argument("--alpha", type=float, default=None,
                   help="starting learning rate (default: word2vec.c's, 0.025 for sg and 0.05 for CBOW); "
                        "gensim lets it fall to its default min_alpha 0.0001")
    p.add_argument("--no-shrink-windows", action="store_true",
                   help="every position uses the whole window (gensim's shrink_windows=False); with a window "
                        "longer than any line this is set mode: every other item of the line is a context")
    p.add_argument("--log", action="store_true", help="gensim INFO logging on stderr")
    a = p.parse_args()
    logging.basicConfig(level=logging.INFO if a.log else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(message)s")
    os.makedirs(a.output, exist_ok=True)

    alpha = a.alpha if a.alpha is not None else (0.025 if a.sg else 0.05)
    model = Word2Vec(sg=a.sg, cbow_mean=a.cbow_mean, hs=0, negative=a.negative, vector_size=a.dim,
                     window=a.window, alpha=alpha, min_count=a.min_count,
                     sample=a.sample, workers=a.threads, epochs=a.epochs, seed=a.seed,
                     shrink_windows=not a.no_shrink_windows)
    t0 = time.perf_counter()
    model.build_vocab(corpus_file=a.corpus_file)
    t1 = time.perf_counter()
    model.train(corpus_file=a.corpus_file, total_examples=model.corpus_count,
                total_words=model.corpus_total_words, epochs=a.epochs)
    t2 = time.perf_counter()
    model.wv.save_word2vec_format(os.path.join(a.output, "vectors.bin"), binary=True)
    t3 = time.perf_counter()
    report = {
        "tool": "gensim",
        "version": __import__("gensim").__version__,
        "vocab_seconds": t1 - t0,
        "train_seconds": t2 - t1,
        "save_seconds": t3 - t2,
        "tokens": int(model.corpus_total_words),
        "epochs": a.epochs,
        "threads": a.threads,
        "sg": a.sg,
        "alpha": alpha,
        "vocab_size": len(model.wv),
    }
    tmp = os.path.join(a.output, "gensim.json.tmp.%d" % os.getpid())
    with open(tmp, "w") as f:
        f.write(json.dumps(report) + "\n")
    os.replace(tmp, os.path.join(a.output, "gensim.json"))


if __name__ == "__main__":
    main()
