// Finding and loading the vectors to evaluate: a model directory written by
// `item2vec train` or a word2vec text/binary file written by any tool (word2vec.c,
// gensim, fastText's .vec).
//
// Contract:
// - ResolveModel: a directory means DIR/vectors.bin (or DIR/vectors.txt when there is no
//   .bin or the format asked is text), with DIR/vocab.tsv as the item counts when present;
//   a file is read in the format asked (kAuto: binary when the name ends in ".bin").
// - LoadModel reads the whole file, rejects a text file read as binary (its first row
//   parses as text), non-finite values and duplicate items, checks the dimension
//   against DIR/train.json when there is one, and keeps only the matrix (stored for the
//   similarity measure asked: normalised for cosine, as trained for dot and euclidean)
//   and the item names, and which rows are cold (ReadColdItems). Errors name the file and
//   what is wrong.
// - A LoadedModel is immutable once loaded and safe to share between threads. It is held
//   by unique_ptr because its index points into its own item names.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/item_index.h"
#include "model/nearest_neighbors.h"
#include "common/status.h"
#include "common/word2vec_format.h"

namespace item2vec {

struct ModelPaths {
  std::string vectors;      // the vectors file to read
  VectorFormat format = VectorFormat::kAuto;
  std::string vocab_tsv;    // DIR/vocab.tsv when the model is a directory that has one
  std::string train_json;   // DIR/train.json when present
};

// "text", "binary" or "auto".
Result<VectorFormat> ParseVectorFormat(const std::string& name);

Result<ModelPaths> ResolveModel(const std::string& model, VectorFormat format);

struct LoadedModel {
  std::vector<std::string> items;  // row order
  std::vector<char> cold;          // per row: a cold item (train --side-info); empty when none
  ItemMatrix matrix;               // rows as the similarity measure stores them
  ItemIndex index;                 // item -> row, views into items
  LoadedModel() = default;
  LoadedModel(const LoadedModel&) = delete;
  LoadedModel& operator=(const LoadedModel&) = delete;
};

// The cold items of a model directory (train --side-info): vocab.tsv's items with count 0, whose
// vectors come from their attributes alone. Empty without vocab.tsv or cold items.
Result<std::vector<std::string>> ReadColdItems(const ModelPaths& paths);

Result<std::unique_ptr<LoadedModel>> LoadModel(const ModelPaths& paths,
                                               Similarity similarity = Similarity::kCosine);

}  // namespace item2vec
