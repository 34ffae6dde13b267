// Writing a model's vectors in the formats other tools open: TensorBoard's Embedding Projector
// (a TSV pair) and NumPy (.npy), for `item2vec export`.
//
// Contract:
// - ExportTable is what gets written: items in row order, their vectors (rows x dim floats),
//   and optional per-item columns (count, title); every writer takes it as it is.
// - WriteProjector writes DIR/vectors.tsv (one line per item, its dim values separated by tabs,
//   each float in its shortest form that reads back to the same float32, no header and no
//   label column), DIR/metadata.tsv (one line per item in the same order: with only the item
//   column, the bare items and no header; with more columns, a header line "item<TAB>title..."
//   and then the fields), and DIR/projector_config.pbtxt naming both (for `tensorboard --logdir
//   DIR`). These are the rules the Projector parses by: lines end in '\n'; blank lines are
//   skipped, so no line is ever blank; a first metadata line holding a tab is a header; fields
//   are split on tabs, so tabs, CR and LF inside titles become spaces; vectors need at least
//   2 dimensions (dim 1 is refused).
// - WriteNpy writes DIR/vectors.npy (NPY format 1.0: dtype '<f4', C order, shape (rows, dim),
//   the header padded to a multiple of 64 bytes) and DIR/items.txt (line i = the item of row i).
// - Every file is written through AtomicFile (temporary, fsync, rename); the set of files is
//   not switched as one unit: write into a fresh directory to publish them together.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace item2vec {

struct ExportTable {
  std::vector<std::string> items;
  int dim = 0;
  std::vector<float> rows;          // items.size() x dim
  std::vector<Count> counts;        // empty = no count column
  std::vector<std::string> titles;  // empty = no title column
};

Status WriteProjector(const ExportTable& table, const std::string& dir);
Status WriteNpy(const ExportTable& table, const std::string& dir);

// The NPY 1.0 header for a float32 C-order matrix (magic, version, length, dict, padding).
std::string NpyHeader(std::size_t rows, int dim);

}  // namespace item2vec
