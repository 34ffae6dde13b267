// TrainOptions: every setting of `item2vec train`, with its default and meaning, grouped
// by concern (data, model, schedule, warm start, checkpoints, distribution, wire, debug,
// run report), one struct each, so a step takes only the part it reads.
//
// Contract: filled once at the command-line edge by ParseTrainOptions() (command line
// first, then the INI file named by --config; the command line wins) and checked by
// Validate(). After that it is read-only and identical on every rank, so each rank derives
// the same layout and schedule from it. Defaults follow word2vec.c unless the comment says
// otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/any.hpp>
#include <boost/program_options/options_description.hpp>

#include "common/option_docs.h"
#include "common/status.h"
#include "common/wire_codec.h"

namespace item2vec {

// --kernel: how the SGNS step updates rows (worker/sgns_kernel.h). kPair is word2vec.c's
// per-pair update with its own negatives; kShared lets a centre's contexts, in groups of
// kHogBatchShare, share one draw of negatives and still update pair by pair in word2vec.c's
// order; kHogBatch shares them the same way but updates a group as one simultaneous dense
// step (pWord2Vec).
enum class KernelKind { kPair, kHogBatch, kShared };

// Whether the contexts of a group share one draw of negatives (kShared, kHogBatch).
inline bool SharesNegatives(KernelKind kind) { return kind != KernelKind::kPair; }

// --new-items (with --init-from): how items absent from the previous model start. kRandom
// is word2vec.c's initialisation; kCooccurrence the mean of co-occurring kept items' rows.
enum class NewItemInit { kRandom, kCooccurrence };

// --side-info-cold: how a cold item's vector is made (job/model_writer.h). kRegression: a ridge
// regression of the trained items' vectors on their attributes (common/attribute_regression.h);
// kAttributes: EGES's rule, its attribute rows weighted by the trained items' mean weights.
enum class ColdVectorRule { kRegression, kAttributes };

// --window-mode: kSliding is word2vec.c's reduced window around each position; kSet makes
// every kept item of a line a context of every other (Item2Vec's set setting for baskets).
enum class WindowMode { kSliding, kSet };

// --model: kSkipGram (each context predicts the centre) or kCbow (word2vec.c's continuous
// bag of words: the mean or sum of a position's contexts predicts the centre).
enum class ModelKind { kSkipGram, kCbow };

// The spelling of each value on the command line, in INI files, train.json and checkpoint
// manifests ("pair", "hogbatch", "shared"; "random", "cooccurrence"; "sliding", "set"; "sg", "cbow").
// Never change these strings: a resumed run compares its settings with the checkpoint's by
// these names.
const char* KernelKindName(KernelKind kind);
const char* NewItemInitName(NewItemInit init);
const char* ColdVectorRuleName(ColdVectorRule rule);
const char* WindowModeName(WindowMode mode);
const char* ModelKindName(ModelKind model);
// Boost.Program_options validators of the enum options, found by argument-dependent lookup
// where the option table registers them: each reads its option's spellings and refuses any
// other naming the valid ones.
void validate(boost::any& v, const std::vector<std::string>& values, KernelKind*, int);
void validate(boost::any& v, const std::vector<std::string>& values, NewItemInit*, int);
void validate(boost::any& v, const std::vector<std::string>& values, ColdVectorRule*, int);
void validate(boost::any& v, const std::vector<std::string>& values, WindowMode*, int);
void validate(boost::any& v, const std::vector<std::string>& values, ModelKind*, int);

// What rank 0 does after a run besides writing the model: the run report (OUTPUT/report.html)
// and the run's figures for Prometheus (tools/report, called through job/train_observer.h).
// Nothing here changes the model, so none of it is a resume setting.
struct RunReportOptions {
  bool write_report = true;         // --report: write OUTPUT/report.html
  std::string test;                 // --report-test: prep's hold-out file; adds the eval table
  std::string names;                // --names: id -> title table for the examples and the map
  std::string name_columns = "movieId,title";  // --name-columns ID,TITLE of --names
  std::int64_t items = 5000;        // --report-items: the most frequent items the report searches
  std::string pushgateway;          // --pushgateway URL: push the run's figures there
  std::string metrics_textfile;     // --metrics-textfile PATH.prom: node-exporter textfile
  std::string metrics_job = "item2vec_train";  // --metrics-job: the Prometheus job label
};

// The settings by concern, one struct each, in --help's order (TrainOptionGroups). A step
// that needs one concern takes that part (e.g. `const ScheduleOptions&`); TrainOptions
// holds them all and is what the command line fills.

// Data: what is read and written, and which items count.
struct DataOptions {
  std::vector<std::string> input;   // files or directories of part files; one sequence per line
  std::string output;               // output directory (created if missing)
  std::int64_t min_count = 5;       // drop items seen fewer times
  std::int64_t max_vocab = 0;       // keep the most frequent N items (0 = no cap)
  std::int64_t max_sentence = 1000; // longer lines are split into pieces of this many items
  bool strict = false;              // a run that trains no pair fails (exit 3) instead of warning
  // EGES side information (worker/side_batch.h): a table of items and their attributes; every
  // item's input vector becomes the learned weighted mean of its own row and its attribute
  // rows, and items of the table without events get one too (cold, count 0 in vocab.tsv).
  std::string side_info;
  int side_info_buckets = 10;       // quantile buckets of a numeric side-info column
  // Share of (batch, item) draws trained from the attributes alone, as a cold item is
  // (worker/side_batch.h); 0 = EGES as published (measured: no gain in cold HR@10, docs/side_info.md).
  double side_info_dropout = 0;
  // How the cold items' vectors are made when the model is written (not a resume setting:
  // training is the same either way).
  ColdVectorRule side_info_cold = ColdVectorRule::kRegression;
};

// Model: the SGNS objective and its kernel (word2vec.c's defaults unless said otherwise).
struct ModelOptions {
  int dim = 100;                    // embedding dimension
  int window = 5;                   // max skip length; effective window uniform in 1..window
  // sliding (word2vec.c: contexts within a reduced window around each position) or set
  // (Item2Vec's set setting for baskets: every item of a line is a context of every other,
  // no window and no shrinking; subsampling still applies). In set mode a line of more
  // than max_set_size kept items trains each item with max_set_size - 1 others drawn at
  // random from it, and counts the line as capped.
  WindowMode window_mode = WindowMode::kSliding;
  // sg (skip-gram, the default) or cbow (word2vec.c's continuous bag of words: the mean,
  // or with cbow_sum the sum, of a position's context rows predicts the centre with
  // negative sampling; the error goes back to every context row). CBOW's default alpha is
  // word2vec.c's 0.05 (ParseTrainOptions applies it when --alpha is not given).
  ModelKind model = ModelKind::kSkipGram;
  bool cbow_sum = false;
  std::int64_t max_set_size = 50;
  int negative = 5;                 // negatives per positive pair
  double ns_exponent = 0.75;        // noise distribution ~ count^ns_exponent
  double sample = 1e-3;             // subsampling threshold (0 = off)
  // Input vectors start uniform in [-init_width / dim, init_width / dim). 0.5 is word2vec.c's
  // range; the default 1 is gensim 4's, with which both models converge faster in few epochs
  // (docs/benchmarks.md). --word2vec-exact sets 0.5 unless given.
  double init_width = 1.0;
  bool init_width_given = false;    // --init-width was on the command line or in the INI file
  // --word2vec-exact: word2vec.c's maths where not set explicitly: --kernel pair,
  // --negative-pool 0, --init-width 0.5.
  bool word2vec_exact = false;
  // The fast path by default (docs/benchmarks.md, issue 13: level with the word2vec.c path at
  // convergence); --word2vec-exact, or --kernel pair --negative-pool 0, is word2vec.c's maths.
  // --model cbow ignores the defaulted kernel (its kernel is its own) and defaults to pool 0.
  std::int64_t negative_pool = 4096;  // negatives drawn per batch and shared (0 = per pair)
  bool negative_pool_given = false;
  // shared (the default: a group's contexts share one draw of negatives, pair by pair in
  // word2vec.c's order), pair (word2vec.c) or hogbatch (shared negatives, one simultaneous step).
  KernelKind kernel = KernelKind::kShared;
  bool kernel_given = false;
  bool exact_sigmoid = false;       // exact sigmoid instead of word2vec.c's table + clipping
  std::uint64_t seed = 1;           // seeds initialisation, subsampling, windows and negatives

  bool SetMode() const { return window_mode == WindowMode::kSet; }
  bool Cbow() const { return model == ModelKind::kCbow; }
  // The most contexts one centre position can have (sizes kernel scratch and plans).
  int MaxContexts() const { return SetMode() ? static_cast<int>(max_set_size) - 1 : 2 * window; }
};

// Schedule: passes, learning rate and the batch each worker trains between pull and push.
struct ScheduleOptions {
  int epochs = 5;                   // passes over the data
  double alpha = 0.025;             // starting learning rate (0.05 for cbow unless given)
  bool alpha_given = false;         // --alpha was on the command line or in the INI file
  // --alpha not given, skip-gram and not --word2vec-exact (set by FinishTrainOptions): the
  // vocabulary step sets alpha to AutoAlpha of the training tokens (job/train_vocabulary.cc).
  bool alpha_auto = false;
  double min_alpha = -1;            // floor of the learning rate; < 0 means alpha * 1e-4
  // Raw tokens per worker mini-batch (one pull + one push); 0 = AutoBatchTokens, resolved by
  // the vocabulary step once the corpus size is known (job/train_vocabulary.cc).
  std::int64_t batch_tokens = 0;

  double EffectiveMinAlpha() const { return min_alpha < 0 ? alpha * 1e-4 : min_alpha; }
};

// Warm start (nightly refresh) from a previous model.
struct WarmStartOptions {
  std::string init_from;            // previous model directory to warm-start from
  bool keep_missing = false;        // with init_from: keep items absent from today's data
  // With init_from, how items new today start: random (word2vec.c: random input, zero
  // output) or cooccurrence (Airbnb's rule for new listings: both rows are the count-
  // weighted mean of the previous rows of the kept items they co-occur with today, over
  // their new_item_neighbours strongest; items with no kept neighbour stay random).
  NewItemInit new_items = NewItemInit::kRandom;
  int new_item_neighbours = 10;     // K of --new-items cooccurrence
};

// Checkpoints and fault tolerance.
struct CheckpointOptions {
  std::string checkpoint_dir;       // "" = OUTPUT/checkpoints
  std::string checkpoint_every = "0";  // duration between checkpoints ("10m"); 0 = only on a stop signal
  // --resume[=MODE]: "no" (default), "required" (bare --resume; the run fails with exit 3
  // when no checkpoint is usable) or "if-possible" (start from the beginning then).
  std::string resume_mode = "no";
  bool resume = false;              // resume_mode is not "no" (set by ParseTrainOptions)
  bool resume_if_possible = false;  // resume_mode is "if-possible"
  double peer_timeout = 120;        // seconds a rank waits for a peer before failing the job
  // Liveness while training (ps/protocol.h kHeartbeat): a worker waits at most this long for a
  // server's reply and a server for a training worker's next message or heartbeat; min'd
  // with peer_timeout.
  double liveness_timeout = 10;

  double LivenessTimeout() const { return liveness_timeout < peer_timeout ? liveness_timeout : peer_timeout; }
  // --checkpoint-every in seconds (valid after Validate()).
  double CheckpointEverySeconds() const;
};

// Distribution and performance: the rank layout, staleness, caches, logging.
struct DistributionOptions {
  int servers = 0;                  // parameter-server ranks; 0 = DefaultServerCount(world)
  double staleness_tolerance = 4;   // stale deltas scaled by min(1, T / (1 + staleness))
  // How servers keep their rows: "fp32" or "bf16" (ps/row_matrix.h; half the row memory).
  std::string server_precision = "fp32";
  bool overlap = true;              // pull the next batch while computing this one
  // Hot-row cache (worker/hot_rows.h): each worker keeps both matrices' rows of the
  // hot_rows most frequent items (ids 0..H-1), trains them locally and syncs them with the
  // servers every hot_sync of its batches (push own delta, pull fresh). Others' updates to
  // those rows reach a worker only at its syncs. 0 = off (exactly the behaviour without it).
  std::int64_t hot_rows = 0;
  int hot_sync = 16;                // batches between syncs of the hot-row cache
  // Id cache (worker/id_cache.h): the epoch read from text also writes the shard's
  // vocabulary ids to a local file of at most id_cache_mib MiB per worker, and the later
  // epochs replay it instead of parsing text (same result, bit for bit). 0 = off.
  std::int64_t id_cache_mib = 4096;
  std::string id_cache_dir;         // where that file goes; "" = $TMPDIR, else /tmp
  bool deterministic = false;       // bit-identical output for a given seed; needs 1 worker
  bool dry_run = false;             // build the vocabulary, print the memory plan, stop
  double progress_seconds = 5;      // how often rank 0 logs progress
  std::string log_level = "info";   // trace, debug, info, warn, error

  std::string IdCacheDir() const;
  // --server-precision as a precision, kFp32 or kBf16 (valid after Validate()).
  WirePrecision ServerPrecision() const;
  // The server count for this world size, honouring --servers when given.
  int ServerCount(int world_size) const;
};

// Wire: the precision of pulled rows and pushed deltas (common/wire_codec.h).
struct WireOptions {
  // "fp32", "bf16" or "fp16"; "" = the default: bf16, or fp32 with --deterministic.
  std::string wire_precision;
};

// Debug: failure injection for the fault tests; never in production.
struct DebugOptions {
  std::string debug_fault;          // RANK:kill|hang|drop|throw:AFTER_SENDS, for failure tests
  std::string debug_kill_model_write;  // vectors|train-json|published: see job/model_writer.h
  double debug_delay_server_rows = 0;  // seconds a server sleeps before laying out its rows
};

struct TrainOptions : DataOptions,
                      ModelOptions,
                      ScheduleOptions,
                      WarmStartOptions,
                      CheckpointOptions,
                      DistributionOptions,
                      WireOptions,
                      DebugOptions {
  RunReportOptions report;          // after the run: report.html and metrics

  std::string CheckpointDir() const { return checkpoint_dir.empty() ? output + "/checkpoints" : checkpoint_dir; }
  // The wire precision in effect (valid after Validate()).
  WirePrecision Wire() const;
};

// The default: one server per 8 ranks, at least 1.
int DefaultServerCount(int world_size);

// Describes every option (used for --help and for parsing).
// The options by concern, as --help groups them: the one table of names, defaults and help
// text that --help, docs/commands/train.md and configs/default.ini come from
// (common/option_docs.h), generated at build time from common/train_options.opt.
std::vector<OptionGroup> TrainOptionGroups(TrainOptions* options, std::string* config_path);
boost::program_options::options_description TrainOptionsDescription(TrainOptions* options,
                                                                    std::string* config_path);

// Parses argv (after the subcommand) and the optional INI file. Returns kInvalidArgument
// with a readable message for unknown options or unparsable values (an unknown --kernel,
// --new-items, --window-mode or --model value is refused here, naming the valid ones). Sets *help_requested and
// returns Ok when --help is present.
Status ParseTrainOptions(const std::vector<std::string>& args, TrainOptions* options,
                         bool* help_requested);

// What ParseTrainOptions does once the values are in: the --resume spelling, the
// --debug-kill-model-write value, and the defaults that depend on other options (alpha and
// kernel with --model cbow, init width, kernel and pool with --word2vec-exact).
Status FinishTrainOptions(TrainOptions* options);

// Checks ranges and combinations; world_size is the MPI world size (0 = do not check
// the rank layout).
Status Validate(const TrainOptions& options, int world_size);

// Checks the report and metrics settings (also used by the commands that share them).
Status ValidateRunReportOptions(const RunReportOptions& report);

// --batch-tokens 0's value. Larger batches mean fewer rows and messages per token (a batch's
// rows are pulled and pushed once however often they occur in it), but every worker trains a
// batch on rows the other workers' pushes have not reached, and the deltas of two workers on
// one row add up as if computed one after the other. How much that costs depends on how big
// a batch is next to the worker's share of the corpus, measured on the quality panel
// (docs/quality.md): a 10M-token corpus on 2 workers is at gensim's quality with 16384-token
// batches (262 per worker and epoch), a 1.5M-token one needs about 512 (1445 per epoch: at
// 11491 tokens, 64 per epoch, its next-item HR@10 was 0.81 of gensim's, at 512 0.97), and
// MovieLens (55k tokens) gains 8 % from 4096 to 512. So the batch falls with the square of
// the worker's tokens P: (P / 32768)^2 (a worker with P tokens cuts its epoch into
// 32768^2 / P batches: 262 for 4.1M, 1450 for 740k), clamped to [kAutoBatchTokensMin,
// max(kAutoBatchTokensManyWorkers, min(kAutoBatchTokensMax, kAutoTokensInFlight / workers))];
// many workers with large batches lose quality too (all workers' batches together
// are what a pulled row has not seen yet; 7 workers at 10976 tokens ended an epoch at loss
// 3.1-3.8 against 2.7 at 4096: docs/benchmarks.md, issue 13). The small batches cost a small
// corpus speed, not much time: a 1.5M-token corpus trains in seconds either way.
// --window-mode set keeps the earlier rule, 1/64 of a worker's epoch and at least 4096: on
// the retail baskets small batches lost half of the completion HR@10 (0.58 of gensim's at
// 512 tokens, 0.83 at 2048, 1.79 at 7036, the earlier automatic size; Last.fm sets 1.11 at
// 512, 1.18 before), for reasons not yet understood (docs/quality.md).
inline constexpr std::int64_t kAutoBatchTokensMin = 512, kAutoBatchTokensMax = 16384;
inline constexpr std::int64_t kAutoSetBatchTokensMin = 4096, kAutoSetBatchesPerEpoch = 64;
inline constexpr std::int64_t kAutoTokensInFlight = 32768, kAutoBatchTokensManyWorkers = 4096;
inline constexpr std::int64_t kAutoSquareRoot = 32768;
// --hot-rows' batch: --hot-sync counts batches, and its default was measured at this size.
inline constexpr std::int64_t kHotRowsBatchTokens = 4096;
std::int64_t AutoBatchTokens(std::int64_t corpus_tokens, int workers, WindowMode mode = WindowMode::kSliding);

// --alpha's skip-gram default, by the training tokens per epoch T (after min-count):
// kAutoAlphaSmall (1.2 x word2vec.c's 0.025) up to kAutoAlphaSmallTokens, kAutoAlphaBase
// (0.025) from kAutoAlphaPlainTokens on, linear in log T between. Measured on the quality
// panel at 2 workers against gensim with 2 threads (docs/quality.md, "A starting rate tied to
// the corpus size"): every corpus of up to 1.5M tokens gained from 0.03 or stayed level
// (ml-latest-small +11 % next-item HR@10, the 1.5M-token synthetic corpora level to +8 %,
// Last.fm +11 %, the retail baskets 4x; ml-100k level within its seed noise), while a 3M-token
// hierarchical corpus lost 2.6 % of its fine-cluster precision at 0.0275 and the 10M-token one
// 7 % at 0.03. Small corpora are under-trained after 5 epochs (ml-latest-small gains from 10
// epochs as from more rate; ml-100k, which does not gain, loses 9 % HR@10 at 10 epochs).
// gensim's corpus_file mode with 2 threads applies 10-15 % more rate than one schedule does.
// Corpora of kAutoAlphaPlainTokens or more (the full synthetic panel corpora) keep 0.025.
inline constexpr double kAutoAlphaBase = 0.025, kAutoAlphaSmall = 0.03;
inline constexpr double kAutoAlphaSmallTokens = 1.5e6, kAutoAlphaPlainTokens = 3e6;
double AutoAlpha(std::int64_t corpus_tokens);

// The settings that shape a run's result, as (option, value): a resumed run must match
// the checkpoint's (layout, logging, timeouts and checkpoint settings may change).
std::vector<std::pair<std::string, std::string>> ResumeSettings(const TrainOptions& options);

// Whether ResumeSettings lists `key` only when it is not at its default (settings added
// after checkpoints existed: window-mode, max-set-size, model, cbow-sum).
bool IsOptionalResumeSetting(const std::string& key);

// The options as printed in train.json and the log.
std::string TrainOptionsToJson(const TrainOptions& options);

}  // namespace item2vec
