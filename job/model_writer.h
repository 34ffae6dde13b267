// Writing the trained model from the servers' partitions (rank 0 only).
//
// Contract: WriteModel streams the input matrix from the servers in chunks of kChunkRows
// ids (kDump requests, answered once all workers are done) straight into vectors.txt and
// vectors.bin, so rank 0 holds one chunk, never the whole model. output_vectors.i2v,
// vocab.tsv (common/vocab_tsv.h) and train.json (the text train_json() returns, asked for last) are written
// alongside. Every file goes into a fresh staged directory (common/model_dir.h) that is
// published with one rename once all are complete: on any error, or a kill at any point,
// the output directory's previous model stays the published one, whole; a failed write
// removes its staged directory, a killed one's is removed by the next run.
// With side information (`side` enabled, common/side_layout.h) an item's row of vectors.txt/.bin
// is its EGES mean (worker/side_mix.h; its own row where it has no attributes), and the
// side-info file's items absent from the vocabulary follow as cold rows: with
// ColdVectorRule::kRegression a ridge regression of the trained items' EGES means on their
// attributes, fitted as they stream past (common/attribute_regression.h), predicts them; with
// kAttributes (or no trained item with attributes) they are the mean of their attribute rows
// weighted by the softmax, over the columns they have, of the trained items' mean weight
// logits; vocab.tsv lists them with count 0 (how every reader tells a cold item),
// output_vectors.i2v gives them zero rows. side_rows.i2v (MatrixFile "side", for warm starts)
// holds the attribute rows in side_values.tsv's order, then per item its own row and its
// weight row; side_values.tsv names the columns (first line "#columns<TAB>...") and the values.
#pragma once

#include <functional>
#include <string>

#include "common/side_layout.h"
#include "common/status.h"
#include "common/train_options.h"
#include "common/transport.h"
#include "common/vocabulary.h"
#include "ps/partition.h"

namespace item2vec {

inline constexpr std::size_t kChunkRows = 8192;
// The output matrix (context vectors) in the native MatrixFile format, for warm starts.
inline constexpr const char* kOutputMatrixFile = "output_vectors.i2v";
// With --side-info: the attribute and weight rows, and the attribute values' names.
inline constexpr const char* kSideRowsFile = "side_rows.i2v";
inline constexpr const char* kSideValuesFile = "side_values.tsv";

// For failure tests (hidden --debug-kill-model-write): where the writer SIGKILLs its own
// process: "vectors" (vectors.txt/.bin staged, the rest not), "train-json" (all staged but
// train.json), "published" (just after the switch). "" = never.
Status WriteModel(Transport* transport, const Partition& partition, int num_workers, const Vocabulary& vocab,
                  int dim, const std::string& output_dir, double peer_timeout,
                  const std::function<std::string()>& train_json, const std::string& debug_kill_at = "",
                  const SideLayout* side = nullptr, ColdVectorRule cold_rule = ColdVectorRule::kRegression);

}  // namespace item2vec
