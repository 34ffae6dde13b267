// `item2vec export`: a model's vectors in the formats other tools open: the TSV pair that
// TensorBoard's Embedding Projector loads (--format projector) and NumPy's .npy (--format npy)
// (export_formats.h), with titles from --names and counts from vocab.tsv, optionally only the
// most frequent items and unit-normalised rows.
#pragma once

#include <string>
#include <vector>

namespace item2vec {

// Returns the process exit code (0 ok, 2 bad options, 3 bad input, 4 a file cannot be written).
int RunExportCommand(const std::vector<std::string>& args);

}  // namespace item2vec
