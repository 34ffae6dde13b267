"""word2vec binary vectors (item2vec's vectors.bin) read with NumPy, for the test scripts."""
import numpy as np


def read_bin(path):
    """(items, float32 array of rows x dim) of a word2vec binary file."""
    data = open(path, "rb").read()
    nl = data.index(b"\n")
    rows, dim = map(int, data[:nl].split())
    pos, items, vectors = nl + 1, [], []
    for _ in range(rows):
        sp = data.index(b" ", pos)
        items.append(data[pos:sp].decode())
        vectors.append(np.frombuffer(data[sp + 1:sp + 1 + 4 * dim], dtype="<f4"))
        pos = sp + 1 + 4 * dim + 1
    assert pos == len(data), path + " has trailing bytes"
    return items, np.array(vectors, dtype="<f4").reshape(rows, dim)
