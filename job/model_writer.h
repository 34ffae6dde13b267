// Writing the trained model from the servers' partitions (rank 0 only).
//
// Contract: WriteModel streams the input matrix from the servers in chunks of kChunkRows
// ids (kDump requests, answered once all workers are done) straight into vectors.txt and
// vectors.bin, so rank 0 holds one chunk, never the whole model. vocab.tsv is written
// alongside (common/vocab_tsv.h). Every file goes through AtomicFile: on any error no file appears under its
// final name.
#pragma once

#include <string>

#include "common/status.h"
#include "common/transport.h"
#include "common/vocabulary.h"
#include "ps/partition.h"

namespace item2vec {

inline constexpr std::size_t kChunkRows = 8192;
// The output matrix (context vectors) in the native MatrixFile format, for warm starts.
inline constexpr const char* kOutputMatrixFile = "output_vectors.i2v";

Status WriteModel(Transport* transport, const Partition& partition, int num_workers, const Vocabulary& vocab,
                  int dim, const std::string& output_dir, double peer_timeout);

}  // namespace item2vec
