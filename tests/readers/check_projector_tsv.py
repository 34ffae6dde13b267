#!/usr/bin/env python3
"""Checks an `item2vec export --format projector` directory against the rules by which
TensorBoard's Embedding Projector reads its TSV pair, and against the model it came from.

Usage: check_projector_tsv.py DIR VECTORS_BIN [NAMES_CSV]

The Projector's rules (tensorboard/plugins/projector/vz_projector/data-provider.ts, restated):
  tensors:  the file is cut into lines at '\\n'; each line is trimmed and skipped when empty;
            its fields are cut at '\\t' and read with JavaScript's Number(); when the first field
            is not a number it is taken as a label and the rest is the vector; every vector must
            have the same length, and more than 1.
  metadata: lines cut at '\\n', blank lines skipped; when the first line holds a tab it is the
            header (column names), otherwise there is one unnamed column and no header; fields
            are cut at '\\t'; an empty field is a missing value. The Projector refuses the pair
            unless there are as many metadata rows as vectors.
  TensorBoard's own server (projector plugin, tensor_path in projector_config.pbtxt) reads
  the tensor file as rows of float(field) for every non-empty line split on '\\t'.
Beyond the rules, the export must be the model: row i of vectors.tsv equals row i of
vectors.bin as float32 bit for bit, metadata row i names the same item, titles from NAMES_CSV.
Exit 0 when it all holds, else the failures on stderr and exit 1.
"""
import csv
import re
import sys

import numpy as np

from word2vec_bin import read_bin

JS_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")  # what Number() accepts (decimal)


def main(directory, vectors_bin, names_csv=None):
    errors = []
    raw_tensors = open(directory + "/vectors.tsv", "rb").read().decode("utf-8")
    raw_meta = open(directory + "/metadata.tsv", "rb").read().decode("utf-8")
    # The Projector: tensors.
    vectors, dims = [], set()
    for line in raw_tensors.split("\n"):
        line = line.strip()
        if not line:
            continue
        fields = line.split("\t")
        if not JS_NUMBER.match(fields[0]):
            errors.append("a tensor line starts with a label: %r" % fields[0])
            fields = fields[1:]
        bad = [f for f in fields if not JS_NUMBER.match(f)]
        if bad:
            errors.append("fields Number() cannot read: %r" % bad[:3])
        vectors.append(np.array([np.float32(float(f)) for f in fields], dtype=np.float32))
        dims.add(len(fields))
    if len(dims) != 1 or min(dims) <= 1:
        errors.append("vector lengths %s: the Projector needs one length > 1" % sorted(dims))
    # The Projector: metadata.
    lines = [l for l in raw_meta.split("\n") if l.strip()]
    header = lines and "\t" in lines[0]
    columns = lines[0].split("\t") if header else ["label"]
    rows = [l.split("\t") for l in (lines[1:] if header else lines)]
    if len(rows) != len(vectors):
        errors.append("%d metadata rows for %d vectors: the Projector refuses the pair" % (len(rows), len(vectors)))
    if any(len(r) != len(columns) for r in rows):
        errors.append("metadata rows whose field count differs from the %d columns" % len(columns))
    if "\r" in raw_meta or "\r" in raw_tensors:
        errors.append("a carriage return would end up inside a field")
    # TensorBoard's server reads the tensor file too.
    served = np.array([[float(x) for x in l.split("\t")] for l in raw_tensors.split("\n") if l], dtype=np.float32)
    # The model.
    items, model = read_bin(vectors_bin)
    n = len(vectors)
    if served.shape != (n, model.shape[1]) or not np.array_equal(served, model[:n]):
        errors.append("TensorBoard's reading differs from the model: %s vs %s" % (served.shape, model[:n].shape))
    if any(v.tobytes() != model[i].tobytes() for i, v in enumerate(vectors)):
        errors.append("a vector differs from vectors.bin")
    column = columns.index("item") if "item" in columns else 0
    if [r[column] for r in rows] != items[:n]:
        errors.append("metadata items are not vectors.bin's items in its order")
    if names_csv:
        titles = {r["movieId"]: r["title"] for r in csv.DictReader(open(names_csv, encoding="utf-8"))}
        if "title" not in columns:
            errors.append("no title column")
        else:
            t = columns.index("title")
            wrong = [r for r in rows if r[t] != titles.get(r[column], "").replace("\t", " ")]
            if wrong:
                errors.append("%d titles differ, e.g. %r" % (len(wrong), wrong[0]))
    for e in errors:
        sys.stderr.write("FAIL: %s\n" % e)
    if not errors:
        print("ok: %d vectors of %d dims, metadata columns %s" % (n, dims.pop(), columns))
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
