// item2vec-traffic-model: the network bytes per token of two parameter-server designs on a
// real corpus, from the very batches the trainer would build.
//
// Contract: reads the corpus with the trainer's own BatchBuilder (same options as `item2vec
// train`: vocabulary, subsampling, window, negatives, --kernel, --negative-pool,
// --batch-tokens, --servers, --hot-rows) for one pass and adds up, per batch:
// - row design (what item2vec does; counted exactly as worker/ps_client.cc sends it): key
//   lists to every server for the pull and again for the push, every needed row pulled and
//   its delta pushed (dim values of 4 bytes, and again of 2 bytes for a bf16/fp16 wire), with
//   a 4-byte version per row each way;
// - column design (Ordentlich et al., "Network-efficient distributed word2vec training
//   system for large vocabularies", Yahoo 2016): every server holds dim/S columns of every
//   row; the worker sends each server the ids of every centre, context and negative, each
//   server returns one partial dot product per (context, target) and receives one gradient
//   coefficient per (context, target) plus a learning rate per group; rows never travel.
//   A variant sends each group's negatives as a shared seed instead of ids.
// - With --hot-rows the row design's syncs are added as an upper bound (all 2H cached rows
//   pushed and pulled every --hot-sync batches).
// Prints bytes per token for both, split by direction. Deterministic for a seed; single
// process, no MPI. Quality is not the question here: the column design computes the same
// SGNS step, so the comparison is bytes (and server compute), not accuracy.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common/input_files.h"
#include "common/sequence_reader.h"
#include "common/train_options.h"
#include "common/vocabulary.h"
#include "job/vocabulary_build.h"
#include "ps/partition.h"
#include "ps/protocol.h"
#include "worker/batch.h"
#include "worker/batch_builder.h"

namespace item2vec {
namespace {

struct Traffic {
  double row_sent = 0, row_received = 0;  // worker's view, fp32 rows
  double row16_sent = 0, row16_received = 0;  // the same with 16-bit rows (bf16/fp16 wire)
  double col_sent = 0, col_received = 0, col_sent_seeded = 0;
  std::int64_t tokens = 0, pairs = 0, batches = 0, rows = 0;
};

int Run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::vector<std::string>& train_args = args;
  TrainOptions o;
  bool help = false;
  if (args.empty()) help = true;
  if (Status st = ParseTrainOptions(train_args, &o, &help); !st.ok()) {
    std::fprintf(stderr, "item2vec-traffic-model: %s\n", st.message().c_str());
    return 2;
  }
  if (help) {
    std::printf(
        "Usage: item2vec-traffic-model --input CORPUS [item2vec train options]\n\n"
        "Bytes per token of the row-partitioned design (item2vec's, exactly as its workers send)\n"
        "and of Yahoo's column-partitioned design, from the batches the trainer builds for one\n"
        "pass (--epochs is ignored). --servers sets S (default 1). Rows are counted as fp32 and\n"
        "as 16-bit values (a bf16/fp16 wire). No MPI, one process.\n");
    return 0;
  }
  o.output = "/dev/null";
  o.epochs = 1;
  o.id_cache_mib = 0;
  if (o.servers <= 0) o.servers = 1;
  if (Status st = Validate(o, 0); !st.ok()) {
    std::fprintf(stderr, "item2vec-traffic-model: %s\n", st.message().c_str());
    return 2;
  }
  Result<std::vector<InputFile>> files = ListInputFiles(o.input);
  if (!files.ok()) {
    std::fprintf(stderr, "item2vec-traffic-model: %s\n", files.status().message().c_str());
    return 2;
  }
  ItemCounter counter;
  if (Status st = CountShard(*files, 0, 1, o.max_sentence, &counter); !st.ok()) {
    std::fprintf(stderr, "item2vec-traffic-model: %s\n", st.message().c_str());
    return 2;
  }
  const Vocabulary vocab = Vocabulary::Build(counter, o.min_count, o.max_vocab);
  counter = ItemCounter();
  const Partition partition(o.servers, vocab.size());
  // --batch-tokens 0 (automatic): the size the trainer picks for one worker reading it all.
  if (o.batch_tokens == 0) o.batch_tokens = AutoBatchTokens(static_cast<std::int64_t>(vocab.total_count()), 1);
  SequenceReader reader(*files, ShardRanges(*files, 0, 1), o.max_sentence);
  BatchBuilder builder(o, vocab, partition, &reader, vocab.total_count(), o.seed);
  Batch b;
  Traffic t;
  const double S = o.servers, word = sizeof(std::uint32_t);
  while (true) {
    Result<bool> more = builder.Fill(&b);
    if (!more.ok()) {
      std::fprintf(stderr, "item2vec-traffic-model: %s\n", more.status().message().c_str());
      return 1;
    }
    if (!*more) break;
    ++t.batches;
    t.tokens += b.raw_tokens;
    t.pairs += b.pairs;
    t.rows += static_cast<std::int64_t>(b.total_rows);
    double key_words = 0;
    for (const auto& req : b.request) key_words += static_cast<double>(req.size());
    const double n = static_cast<double>(b.total_rows);
    // Pull: key lists out; rows and versions back. Push: key lists, versions and deltas out.
    t.row_sent += key_words * word + (key_words + n) * word + n * o.dim * 4.0;
    t.row_received += n * (o.dim * 4.0 + word);
    t.row16_sent += key_words * word + (key_words + n) * word + n * o.dim * 2.0;
    t.row16_received += n * (o.dim * 2.0 + word);
    // Column design: ids of every centre, context and negative to every server; one float
    // per (context, target) back and one gradient coefficient per (context, target) plus
    // an alpha per group out.
    double ids = 0, scores = 0, seeded_ids = 0;
    const bool shared = SharesNegatives(o.kernel);
    for (const Group& g : b.groups) {
      const double c = g.ctx_end - g.ctx_begin;
      const double negs = shared ? o.negative : c * o.negative;
      ids += 1 + c + negs;
      seeded_ids += 1 + c + 1;  // negatives drawn server-side from one shared seed
      scores += c * (1 + o.negative);
    }
    const double groups = static_cast<double>(b.groups.size());
    const double header = protocol::kHeaderWords * word;
    t.col_sent += S * (header + ids * word + scores * word + groups * word);
    t.col_sent_seeded += S * (header + seeded_ids * word + scores * word + groups * word);
    t.col_received += S * scores * word;
  }
  // Hot-row syncs (--hot-rows H): every hot_sync batches a worker pushes its change of the
  // 2H cached rows and pulls them fresh (counted as all 2H rows each way: an upper bound).
  if (o.hot_rows > 0) {
    const double syncs = std::ceil(static_cast<double>(t.batches) / o.hot_sync);
    const double rows = 2.0 * static_cast<double>(std::min<std::int64_t>(o.hot_rows, static_cast<std::int64_t>(vocab.size())));
    for (int bits : {32, 16}) {
      const double bytes = syncs * rows * (o.dim * (bits / 8.0) + 2 * word);
      (bits == 32 ? t.row_sent : t.row16_sent) += bytes;
      (bits == 32 ? t.row_received : t.row16_received) += bytes;
    }
  }
  if (t.tokens == 0) {
    std::fprintf(stderr, "item2vec-traffic-model: no tokens trained from the input\n");
    return 1;
  }
  const double tok = static_cast<double>(t.tokens);
  std::printf("corpus tokens %lld, vocabulary %zu, batches %lld, pairs/token %.2f, rows/batch %.0f, servers %d, dim %d, "
              "\n",
              static_cast<long long>(t.tokens), vocab.size(), static_cast<long long>(t.batches),
              static_cast<double>(t.pairs) / tok, static_cast<double>(t.rows) / static_cast<double>(t.batches),
              o.servers, o.dim);
  std::printf("| design | bytes/token | worker sends | worker receives |\n|---|---|---|---|\n");
  std::printf("| rows (item2vec), fp32 | %.0f | %.0f | %.0f |\n", (t.row_sent + t.row_received) / tok, t.row_sent / tok,
              t.row_received / tok);
  std::printf("| rows (item2vec), 16-bit | %.0f | %.0f | %.0f |\n", (t.row16_sent + t.row16_received) / tok,
              t.row16_sent / tok, t.row16_received / tok);
  std::printf("| columns (Yahoo), negative ids sent | %.0f | %.0f | %.0f |\n", (t.col_sent + t.col_received) / tok,
              t.col_sent / tok, t.col_received / tok);
  std::printf("| columns (Yahoo), negatives from a shared seed | %.0f | %.0f | %.0f |\n",
              (t.col_sent_seeded + t.col_received) / tok, t.col_sent_seeded / tok, t.col_received / tok);
  return 0;
}

}  // namespace
}  // namespace item2vec

int main(int argc, char** argv) { return item2vec::Run(argc, argv); }
