#!/usr/bin/env python3
"""The nightly refresh's history file: one JSON object per line, one line per run.

Usage:
  history.py line KIND KEY VALUE [KIND KEY VALUE ...]
      Prints one history line built from (KIND, KEY, VALUE) triples:
        s string   f float   i integer   b boolean ("1" = true)   (an empty VALUE = null)
        d a step's duration in seconds: goes into the "durations" object (3 decimals)
        t VALUE is the path of the run's train.json: copies vocab_size, final_loss,
          tokens_per_second, train_seconds and the warm-start counts (the object holding
          kept/added/dropped) when it has them; an unreadable file adds nothing
  history.py field FILE N KEY
      Prints the value of KEY in line N of FILE (1-based; -1 = the last) as JSON (null when
      the line has no such key).

Contract: scripts/nightly_refresh.sh writes the lines (it appends what `line` prints with
one write); the tests read them with `field` (through scripts/lib/common.sh). The standard
library only, so any python3 runs it. Exit: 0 ok, 1 unreadable input, 2 bad usage.
"""
import json
import sys


def history_line(a):
    if len(a) % 3 != 0:
        raise ValueError("expected KIND KEY VALUE triples, got %d arguments" % len(a))
    out, durations = {}, {}
    for i in range(0, len(a), 3):
        kind, key, value = a[i:i + 3]
        if kind == "d":
            durations[key] = round(float(value), 3)
        elif kind == "t":
            # Training facts worth plotting: vocabulary size, loss, and the warm-start counts
            # (kept/added/dropped) when train.json has them, whatever their object is called.
            try:
                with open(value) as f:
                    train = json.load(f)
            except (OSError, ValueError):
                continue
            for name in ("vocab_size", "final_loss", "tokens_per_second", "train_seconds"):
                if name in train:
                    out[name] = train[name]
            for name, obj in train.items():
                if isinstance(obj, dict) and {"kept", "added", "dropped"} & set(obj):
                    out["init_counts"] = obj
        elif value == "":
            out[key] = None
        elif kind == "f":
            out[key] = float(value)
        elif kind == "i":
            out[key] = int(value)
        elif kind == "b":
            out[key] = value == "1"
        else:
            out[key] = value
    out["durations"] = durations
    return json.dumps(out)


def history_field(path, n, key):
    with open(path) as f:
        lines = f.read().splitlines()
    record = json.loads(lines[n - 1 if n > 0 else n])
    return json.dumps(record.get(key))


def main(argv):
    if len(argv) >= 1 and argv[0] == "line":
        print(history_line(argv[1:]))
        return 0
    if len(argv) == 4 and argv[0] == "field":
        print(history_field(argv[1], int(argv[2]), argv[3]))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (OSError, ValueError, IndexError) as e:
        sys.stderr.write("history.py: %s\n" % e)
        sys.exit(1)
