// Warm start: begin a run from a previous model directory (the nightly refresh).
//
// Contract:
// - ReadModelVocabulary reads DIR/vocab.tsv (common/vocab_tsv.h) and checks that
//   DIR/vectors.bin and DIR/output_vectors.i2v exist with `dim` columns and one row per
//   vocabulary item; errors name the file and what is wrong.
// - AddMissingItems (for --keep-missing) raises, in today's counter, every previous item
//   that would miss today's vocabulary (absent, or below min_count) to its previous count,
//   so it stays in the vocabulary and keeps its vectors.
// - CompareVocabularies counts items kept (in both), added (new today) and dropped.
// - LoadPreviousRows runs on each server after its ShardStore is initialised: it streams
//   the previous input matrix (vectors.bin) and output matrix (output_vectors.i2v) and
//   copies every row whose item is still in the vocabulary and owned by this server over
//   the fresh initialisation. New items keep word2vec's initialisation (random input,
//   zero output). The output file's checksum is verified; a corrupted file fails the job.
//   Memory: one row at a time, never the whole previous model.
// - The overload with `neighbours` (job/cooccurrence_init.h; nullptr = the plain load
//   above) also initialises each new item owned by this server that has kept neighbours:
//   its input row becomes the weighted mean of its neighbours' previous input rows, its
//   output row the weighted mean of their previous output rows. Neighbours may live on any
//   server: every server streams every previous row anyway, maps its item to today's id
//   and adds it to the sums of the new items that need it. A neighbour missing from a
//   previous matrix is left out of that matrix's mean; a "new" item that the previous
//   model does hold keeps its previous rows. New items without neighbours keep word2vec's
//   initialisation exactly. Extra memory: (this server's new items with neighbours) x dim
//   doubles, reused for both matrices, plus 16 bytes per (new item, neighbour) pair.
// - LoadPreviousSideRows (with --side-info, after LoadPreviousRows): when the previous model
//   has side_rows.i2v (job/model_writer.h), this server's attribute-value rows come from it by
//   value name, each kept item's own row from it too (vectors.bin holds the item's EGES mean,
//   not its own row), and its weight row when the previous columns are today's. Without that
//   file (a model trained without side information) nothing changes. Streams one row at a time.
#pragma once

#include <cstdint>
#include <string>

#include "common/side_layout.h"
#include "common/status.h"
#include "common/vocabulary.h"
#include "job/cooccurrence_init.h"
#include "ps/partition.h"
#include "ps/shard_store.h"

namespace item2vec {

struct WarmStartCounts {
  std::int64_t kept = 0, added = 0, dropped = 0;
};

Result<Vocabulary> ReadModelVocabulary(const std::string& dir, int dim);

void AddMissingItems(const Vocabulary& previous, Count min_count, ItemCounter* counter);

WarmStartCounts CompareVocabularies(const Vocabulary& previous, const Vocabulary& current);

// Returns the number of rows this server took over from the previous model.
Result<std::int64_t> LoadPreviousRows(const std::string& dir, const Vocabulary& vocab, const Partition& partition,
                                      int server, ShardStore* store);

struct PreviousRows {
  std::int64_t taken = 0;            // rows taken over from the previous model (kept items)
  std::int64_t from_neighbours = 0;  // new items whose rows were set from their neighbours
};

Result<PreviousRows> LoadPreviousRows(const std::string& dir, const Vocabulary& vocab, const Partition& partition,
                                      int server, const NewItemNeighbours* neighbours, ShardStore* store);

Result<std::int64_t> LoadPreviousSideRows(const std::string& dir, const Vocabulary& vocab, const SideLayout& side,
                                          const Partition& partition, int server, ShardStore* store);

}  // namespace item2vec
