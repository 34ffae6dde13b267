#!/usr/bin/python3
"""Next-item hold-out from a MovieLens ratings.csv, for the benchmark's HR@10 mode.

Keeps each user's movies rated >= --min-rating (default 3.5), in time order (ties keep the
file order), holds out each user's last movie and writes into --output DIR:
  train.txt   one line per user: the earlier movies, space-separated (users with >= 1)
  test.tsv    user<TAB>next<TAB>history, history = the earlier movies, space-separated
              (users with >= 2 positive movies)
  prep.json   counts
The input is CSV with a header userId,movieId,rating,timestamp (CRLF or LF line ends).
Files are written to temporary names and renamed. Standard library only.
"""
import argparse
import csv
import json
import os
import sys


def write_atomically(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ratings", required=True, help="MovieLens ratings.csv")
    p.add_argument("--output", required=True, help="output directory")
    p.add_argument("--min-rating", type=float, default=3.5, help="keep ratings >= this (default 3.5)")
    a = p.parse_args()

    events = {}  # user -> [(timestamp, file order, movie)]
    try:
        with open(a.ratings, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            want = ["userId", "movieId", "rating", "timestamp"]
            if header is None or [h.strip() for h in header[:4]] != want:
                sys.exit("prep_movielens.py: %s: expected the header %s, got %s" % (a.ratings, ",".join(want), header))
            for order, row in enumerate(reader):
                if not row:
                    continue
                try:
                    user, movie, rating, ts = row[0], row[1], float(row[2]), int(row[3])
                except (IndexError, ValueError):
                    sys.exit("prep_movielens.py: %s: line %d is not userId,movieId,rating,timestamp"
                             % (a.ratings, order + 2))
                if rating >= a.min_rating:
                    events.setdefault(user, []).append((ts, order, movie.strip()))
    except OSError as e:
        sys.exit("prep_movielens.py: %s" % e)

    os.makedirs(a.output, exist_ok=True)
    train, test = [], []
    for user in sorted(events, key=lambda u: (len(u), u)):  # numeric order for numeric ids
        movies = [m for _, _, m in sorted(events[user])]
        history, held_out = movies[:-1], movies[-1]
        if history:
            train.append(" ".join(history))
            test.append("%s\t%s\t%s" % (user, held_out, " ".join(history)))
    write_atomically(os.path.join(a.output, "train.txt"), "".join(line + "\n" for line in train))
    write_atomically(os.path.join(a.output, "test.tsv"), "".join(line + "\n" for line in test))
    stats = {"users": len(events), "train_lines": len(train), "test_records": len(test),
             "train_tokens": sum(len(line.split()) for line in train), "min_rating": a.min_rating}
    write_atomically(os.path.join(a.output, "prep.json"), json.dumps(stats) + "\n")
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
