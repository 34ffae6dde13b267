#include "common/train_options.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <utility>

#include <boost/program_options.hpp>

#include "common/command_line.h"
#include "common/json_writer.h"
#include "common/shared_options.h"
#include "common/units.h"

namespace po = boost::program_options;

namespace item2vec {

// Each enum's spellings (train_options.h: never change them), the first one the default.
template <typename Enum>
using Spellings = std::initializer_list<std::pair<const char*, Enum>>;
const Spellings<KernelKind> kKernelSpellings = {
    {"shared", KernelKind::kShared}, {"pair", KernelKind::kPair}, {"hogbatch", KernelKind::kHogBatch}};
const Spellings<NewItemInit> kNewItemSpellings = {{"random", NewItemInit::kRandom},
                                                  {"cooccurrence", NewItemInit::kCooccurrence}};
const Spellings<ColdVectorRule> kColdSpellings = {{"regression", ColdVectorRule::kRegression},
                                                 {"attributes", ColdVectorRule::kAttributes}};
const Spellings<WindowMode> kWindowModeSpellings = {{"sliding", WindowMode::kSliding}, {"set", WindowMode::kSet}};
const Spellings<ModelKind> kModelSpellings = {{"sg", ModelKind::kSkipGram}, {"cbow", ModelKind::kCbow}};

template <typename Enum>
const char* SpellingOf(Spellings<Enum> spellings, Enum value) {
  for (const auto& [name, v] : spellings)
    if (v == value) return name;
  return spellings.begin()->first;
}

// A Boost.Program_options value of an enum option, read from its spelling; an unknown one is
// refused naming the valid ones.
template <typename Enum>
void ParseSpelling(boost::any& v, const std::vector<std::string>& values, const char* option,
                   Spellings<Enum> spellings) {
  po::validators::check_first_occurrence(v);
  const std::string& s = po::validators::get_single_string(values);
  std::string valid;  // "a, b or c"
  std::size_t i = 0;
  for (const auto& [name, value] : spellings) {
    if (s == name) {
      v = value;
      return;
    }
    valid += (i == 0 ? "" : i + 1 == spellings.size() ? " or " : ", ") + std::string(name);
    ++i;
  }
  throw OptionValueError(std::string(option) + " must be " + valid + ", got '" + s + "'");
}

const char* KernelKindName(KernelKind kind) { return SpellingOf(kKernelSpellings, kind); }
const char* NewItemInitName(NewItemInit init) { return SpellingOf(kNewItemSpellings, init); }
const char* ColdVectorRuleName(ColdVectorRule rule) { return SpellingOf(kColdSpellings, rule); }
const char* WindowModeName(WindowMode mode) { return SpellingOf(kWindowModeSpellings, mode); }
const char* ModelKindName(ModelKind model) { return SpellingOf(kModelSpellings, model); }

// Boost.Program_options validators (found by argument-dependent lookup).
void validate(boost::any& v, const std::vector<std::string>& values, KernelKind*, int) {
  ParseSpelling(v, values, "--kernel", kKernelSpellings);
}
void validate(boost::any& v, const std::vector<std::string>& values, WindowMode*, int) {
  ParseSpelling(v, values, "--window-mode", kWindowModeSpellings);
}
void validate(boost::any& v, const std::vector<std::string>& values, ModelKind*, int) {
  ParseSpelling(v, values, "--model", kModelSpellings);
}
void validate(boost::any& v, const std::vector<std::string>& values, NewItemInit*, int) {
  ParseSpelling(v, values, "--new-items", kNewItemSpellings);
}
void validate(boost::any& v, const std::vector<std::string>& values, ColdVectorRule*, int) {
  ParseSpelling(v, values, "--side-info-cold", kColdSpellings);
}

int DefaultServerCount(int world_size) { return std::max(1, world_size / 8); }

int DistributionOptions::ServerCount(int world_size) const {
  return servers > 0 ? servers : DefaultServerCount(world_size);
}

// function-length: table (the declarative option table of `item2vec train`)
std::vector<OptionGroup> TrainOptionGroups(TrainOptions* o, std::string* config_path) {
  // Each group is one concern; --help prints them in this order under their captions.
  std::vector<OptionGroup> groups;
  const auto group = [&groups](const char* caption) {
    groups.push_back({caption, po::options_description(caption)});
    return groups.back().options.add_options();
  };
  const auto last = [&groups] { return &groups.back().options; };  // the group being written
  group("Data")
      ("input,i", po::value(&o->input)->multitoken()->composing(),
       "sequence file(s) or director(ies) of part files; one sequence per line, items "
       "separated by whitespace (required; may repeat)")
      ("output,o", po::value(&o->output),
       "output directory for vectors.txt, vectors.bin, vocab.tsv, train.json (required)");
  AddConfigOption(last(), config_path);
  last()->add_options()
      ("min-count", po::value(&o->min_count)->default_value(o->min_count),
       "drop items that occur fewer times")
      ("max-vocab", po::value(&o->max_vocab)->default_value(o->max_vocab),
       "keep only the N most frequent items (0 = no cap)")
      ("max-sentence", po::value(&o->max_sentence)->default_value(o->max_sentence),
       "split lines longer than this many items into pieces (word2vec.c uses 1000)")
      ("side-info", po::value(&o->side_info),
       "EGES side information: a table with a header row, the item in the first column and "
       "attributes in the others (CSV or TSV; several values in one field separated by '|', "
       "numeric columns cut into --side-info-buckets quantile buckets). Each item's vector "
       "becomes a learned weighted mean of its own and its attributes' vectors (Wang et al., "
       "KDD'18), and items of the table without events get one from their attributes (marked "
       "cold: count 0 in vocab.tsv)")
      ("side-info-buckets", po::value(&o->side_info_buckets)->default_value(o->side_info_buckets),
       "with --side-info: quantile buckets of a numeric column (a year, a price)")
      ("side-info-dropout", po::value(&o->side_info_dropout)->default_value(o->side_info_dropout),
       "with --side-info: the share of an item's batches in which it is trained from its attributes "
       "alone, as a cold item is (its own vector left out), so that the attribute vectors learn to "
       "stand for an item without events; 0 = EGES as published")
      ("side-info-cold",
       po::value(&o->side_info_cold)->default_value(o->side_info_cold, ColdVectorRuleName(o->side_info_cold)),
       "with --side-info, how an item without events gets its vector: regression (a ridge regression "
       "of the trained items' vectors on their attributes, fitted when the model is written: it "
       "lands where trained items with those attributes are) or attributes (EGES's rule: the mean "
       "of its attribute vectors weighted by the trained items' mean weights)")
      ("strict", po::bool_switch(&o->strict),
       "fail (exit code 3, no model written) instead of warning when the input trains nothing: "
       "no pair at all, e.g. every line holds one kept item, so the vectors would be their "
       "random start");
  group("Model (word2vec.c defaults)")
      ("dim", po::value(&o->dim)->default_value(o->dim), "embedding dimension")
      ("window", po::value(&o->window)->default_value(o->window),
       "maximum window; each position draws its window uniformly from 1..window")
      ("window-mode", po::value(&o->window_mode)->default_value(o->window_mode, WindowModeName(o->window_mode)),
       "sliding: word2vec's window around each position; set: each line is a set (a basket, "
       "as `item2vec prep --mode set` writes them) and every item is a context of every other "
       "item of its line, whatever their order (Item2Vec's set setting; --window is unused, "
       "subsampling still applies)")
      ("max-set-size", po::value(&o->max_set_size)->default_value(o->max_set_size),
       "with --window-mode set: a line with more kept items than this trains each item with "
       "this many minus one others drawn at random from the line instead of all of them "
       "(pairs grow with the square of the set size); such lines are counted as capped_sets "
       "in train.json")
      ("model", po::value(&o->model)->default_value(o->model, ModelKindName(o->model)),
       "sg: skip-gram (each context predicts the centre); cbow: continuous bag of words as "
       "word2vec.c (the mean of a position's context vectors predicts the centre, and the "
       "error goes back to every context vector; one set of negatives per position)")
      ("cbow-sum", po::bool_switch(&o->cbow_sum),
       "with --model cbow: the sum of the context vectors instead of their mean")
      ("negative", po::value(&o->negative)->default_value(o->negative),
       "negative samples per positive pair")
      ("ns-exponent", po::value(&o->ns_exponent)->default_value(o->ns_exponent),
       "negatives are drawn from count^ns-exponent (0.75 in word2vec; recommendation data "
       "often prefers values from -0.5 to 1)")
      ("sample", po::value(&o->sample)->default_value(o->sample),
       "subsampling threshold for frequent items (0 = off)")
      ("init-width", po::value(&o->init_width)->notifier([o](double) { o->init_width_given = true; }),
       "input vectors start uniform in [-W/dim, W/dim) (default 1, gensim 4's range, with which "
       "both models reach better neighbours in few epochs; 0.5 is word2vec.c's, the default "
       "with --word2vec-exact); output vectors start at zero")
      ("word2vec-exact", po::bool_switch(&o->word2vec_exact),
       "word2vec.c's maths: --kernel pair --negative-pool 0 --init-width 0.5 unless given "
       "otherwise (with one worker and --deterministic, the reference behaviour the tests "
       "compare against); the defaults are the fast path, as good at convergence and 2-4x "
       "faster")
      // No default_value: notifiers run for defaulted options too, and the model-dependent
      // defaults need to know what was given (ParseTrainOptions).
      ("kernel", po::value(&o->kernel)->notifier([o](KernelKind) { o->kernel_given = true; }),
       "shared (the default): a centre's contexts, in groups of at most 4, share one draw of "
       "negatives and train pair by pair in word2vec.c's order, each pair seeing the previous "
       "pair's updates (fused on AVX2+FMA CPUs); at or above gensim's cluster precision and "
       "next-item HR@10 on the quality panel's synthetic and set corpora (docs/quality.md). "
       "pair: word2vec.c's per-pair update with each pair's own negatives (with --negative-pool "
       "0, word2vec.c's exact maths). hogbatch: shared's groups as one simultaneous dense step "
       "(pWord2Vec, register-blocked), about 1.3x shared's kernel speed but 4-11% below gensim's "
       "cluster precision and HR@10 on the panel's hierarchical and long-tail corpora. "
       "--model cbow has its own kernel and ignores the default")
      ("negative-pool", po::value(&o->negative_pool)->notifier([o](std::int64_t) { o->negative_pool_given = true; }),
       "draw this many negatives per mini-batch and let every pair pick from them (same "
       "noise distribution, far fewer rows to pull on large vocabularies; 4096 reuses a draw "
       "about 4 times per 4096-token batch, 16 times per 16384); 0 = draw per pair as word2vec.c "
       "(default 4096; 0 with --model cbow and --word2vec-exact)")
      ("exact-sigmoid", po::bool_switch(&o->exact_sigmoid),
       "use the exact sigmoid instead of word2vec.c's table with gradient clipping at |x|>6")
      ("seed", po::value(&o->seed)->default_value(o->seed),
       "random seed for initialisation, subsampling, windows and negatives");
  group("Schedule")
      ("epochs", po::value(&o->epochs)->default_value(o->epochs), "passes over the input")
      ("alpha", po::value(&o->alpha)->notifier([o](double) { o->alpha_given = true; }),
       "starting learning rate. Default for sg: 0.025 x m(T), T the training tokens per epoch "
       "after min-count: m = 1.2 up to 1.5M tokens, 1 from 3M on, linear in log T between (small "
       "corpora are under-trained after 5 epochs and gained from more rate on the quality panel, "
       "a 3M- and a 10M-token corpus lost fine structure with it: docs/quality.md); 0.025 with "
       "--word2vec-exact (word2vec.c's); 0.05 for cbow (word2vec.c's). train.json and the log "
       "give the rate in effect")
      ("min-alpha", po::value(&o->min_alpha),
       "learning-rate floor reached at the end (default alpha * 1e-4)")
      ("batch-tokens", po::value(&o->batch_tokens)->default_value(o->batch_tokens),
       "raw input tokens per worker mini-batch: one pull and one push per server per batch. "
       "0 (the default) = automatic: with P the training tokens per worker, (P / 32768)^2, "
       "at least 512 and at most 16384 or 32768 / workers (not below 4096), whichever is less "
       "(larger batches pull and push fewer rows per token, but a worker's batch trains on rows "
       "without the other workers' updates of it, which costs a small corpus quality: 1.5M "
       "tokens on 2 workers get 512, 10M get 16384; docs/quality.md); with --window-mode set the "
       "training tokens / (workers x 64), at least 4096 (as before: small batches cost sets "
       "quality on the panel); 4096 with --hot-rows "
       "(--hot-sync counts batches). A resumed run keeps its checkpoint's value");
  group("Warm start (nightly refresh)")
      ("init-from", po::value(&o->init_from),
       "start from a previous model directory (vocab.tsv, vectors.bin, output_vectors.i2v): "
       "items seen again keep both their vectors, new items start as set by --new-items "
       "(default: as usual, random input and zero output); usually with a lower --alpha and "
       "fewer --epochs")
      ("keep-missing", po::bool_switch(&o->keep_missing),
       "with --init-from: keep the items that today's input no longer has (with their previous "
       "counts and vectors) instead of dropping them")
      ("new-items", po::value(&o->new_items)->default_value(o->new_items, NewItemInitName(o->new_items)),
       "with --init-from, how items absent from the previous model start: random (input "
       "vectors random, output vectors zero, as in a fresh run) or cooccurrence (as Airbnb "
       "does for new listings: both vectors start as the mean of the previous vectors of the "
       "kept items that appear within --window of the new item in today's input, weighted by "
       "how often they do; costs one extra pass over the input; a new item that never meets a "
       "kept item stays random)")
      ("new-item-neighbours", po::value(&o->new_item_neighbours)->default_value(o->new_item_neighbours),
       "with --new-items cooccurrence: average over at most this many of a new item's most "
       "frequent co-occurring kept items");
  group("Checkpoints and fault tolerance")
      ("checkpoint-dir", po::value(&o->checkpoint_dir),
       "where checkpoints go (default OUTPUT/checkpoints): ckpt-N/ directories holding the "
       "servers' matrix partitions, the workers' positions and a MANIFEST with checksums; "
       "the newest 2 are kept and all are removed once the model is written")
      ("checkpoint-every", po::value(&o->checkpoint_every)->default_value(o->checkpoint_every),
       "save a checkpoint this often (e.g. 30s, 10m, 1h; a bare number is seconds) and at the "
       "end of each epoch; 0 = only when stopped by SIGTERM, SIGINT or SIGUSR1, which always "
       "save one and exit with code 75 (under mpirun send SIGUSR1: mpirun kills the ranks "
       "a second after passing SIGTERM on)")
      ("resume", po::value(&o->resume_mode)->implicit_value("required")->default_value(o->resume_mode),
       "continue from the newest complete checkpoint in the checkpoint directory that passes "
       "its checksums (a damaged one is reported and the one before it used). When none is "
       "usable (none there, or all damaged) the run fails with exit code 3; "
       "--resume=if-possible starts from the beginning instead (for scripts that always "
       "resume). Needs the same input and training settings; the rank "
       "count may differ (the servers re-partition the matrices). With --deterministic the "
       "result is byte-identical to an uninterrupted run")
      ("peer-timeout", po::value(&o->peer_timeout)->default_value(o->peer_timeout),
       "seconds any rank waits for an answer from another before ending the job with an error")
      ("liveness-timeout", po::value(&o->liveness_timeout)->default_value(o->liveness_timeout),
       "while training: workers send each server a small heartbeat every fifth of this; a "
       "server that hears nothing from a training worker, or a worker that gets no answer from "
       "a server, for this many seconds ends the job, naming the lost rank and its host (a lost "
       "node ends the job in about this time instead of --peer-timeout); capped by --peer-timeout");
  group("Distribution and performance")
      ("servers", po::value(&o->servers)->default_value(o->servers),
       "ranks that act as parameter servers (the last ranks); 0 = one per 8 ranks, at least 1")
      ("staleness-tolerance", po::value(&o->staleness_tolerance)->default_value(o->staleness_tolerance),
       "servers scale a pushed row delta by min(1, T / (1 + s)) where s = pushes other workers "
       "applied to that row since it was pulled: hot rows updated by many workers at once get "
       "about T times the average of their deltas instead of the sum (which diverges with "
       "many workers); larger T = faster but less stable (2 workers with --overlap see s = 2-3 "
       "on rows every batch touches: T = 2 cost them 7% neighbour precision, 4 nothing)")
      ("server-precision", po::value(&o->server_precision)->default_value(o->server_precision),
       "how the servers keep the rows of both matrices: fp32, or bf16 (2 bytes a value: half the "
       "servers' row memory). bf16 adds each pushed delta in float32 and rounds the sum back "
       "stochastically (unbiased, so small updates are not lost on average), with random bits "
       "from the seed, the row and its push count: --deterministic stays deterministic on any "
       "server count. Pulls in a bf16 wire send the rows as kept; the model files and "
       "checkpoints stay float32. Quality and memory: docs/benchmarks.md (issue 28)")
      ("overlap", po::value(&o->overlap)->default_value(o->overlap),
       "pull the next batch's rows while computing this one (true/false)")
      ("hot-rows", po::value(&o->hot_rows)->default_value(o->hot_rows),
       "cache the input and output rows of the H most frequent items on each worker: they "
       "leave the per-batch pulls and pushes, are trained in the cache, and every --hot-sync "
       "batches the worker pushes its accumulated change of them and pulls them fresh, so "
       "other workers' updates to them arrive at most that many batches late; checkpoints "
       "wait for the next sync (0 = off)")
      ("hot-sync", po::value(&o->hot_sync)->default_value(o->hot_sync),
       "with --hot-rows: the worker's batches between two syncs of its hot-row cache")
      ("id-cache", po::value(&o->id_cache_mib)->default_value(o->id_cache_mib),
       "MiB of local disk per worker for its shard as vocabulary ids: the first epoch read "
       "from text writes them (about 4 bytes a token), later epochs replay them instead of "
       "parsing and hashing text; the result is the same bit for bit. The file is unlinked "
       "as soon as it is made, so nothing is left behind even when a rank is killed. A shard "
       "that needs more keeps reading text (logged); 0 = always read text")
      ("id-cache-dir", po::value(&o->id_cache_dir),
       "directory for the --id-cache file: node-local and fast (default $TMPDIR, else /tmp)")
      ("deterministic", po::bool_switch(&o->deterministic),
       "bit-identical vectors for the same seed and input whatever the server count; "
       "requires exactly one worker rank")
      ("dry-run", po::bool_switch(&o->dry_run),
       "read the input and build the vocabulary, then print the memory each server and worker "
       "will need and whether it fits this node, and stop (a real run refuses to start when the "
       "ranks of a node need more than its available memory)")
      ("progress-seconds", po::value(&o->progress_seconds)->default_value(o->progress_seconds),
       "seconds between progress lines on rank 0");
  AddLogLevelOption(last(), &o->log_level);
  RunReportOptions& r = o->report;
  group("Wire")
      ("wire-precision", po::value(&o->wire_precision)->default_value("", "bf16, fp32 with --deterministic"),
       "precision of the rows pulled from and the deltas pushed to the servers: fp32, bf16, "
       "fp16, int8, int4 or int4-int8. bf16/fp16 halve the row bytes (the network traffic); int8 "
       "(a float scale per row, the row's largest |value| / 127, and a signed byte a value) "
       "halves them again, int4 (15 steps, two values a byte) once more; pulls round to nearest, "
       "deltas stochastically; int4-int8 pulls in int4 and pushes in int8. Servers keep float32 rows. "
       "bf16 deltas round stochastically (up or down at random, in proportion, so the servers' "
       "sums are unbiased and small updates are not lost); fp16, whose range flushes tiny values "
       "to zero, keeps each pushed row's rounding residual on the worker and adds it to that "
       "row's next push (error feedback). Keys, versions and the "
       "model written stay exact. The default is bf16 (same quality as fp32, measured in "
       "docs/cluster.md); --deterministic defaults to fp32, the only precision whose output is "
       "byte-identical to earlier versions");
  group("Run report and metrics (rank 0, after the model is written)")
      ("report", po::value(&r.write_report)->default_value(r.write_report, "true"),
       "write OUTPUT/report.html (a link to model/report.html): one self-contained page (inline "
       "SVG, no network) with loss and learning rate over the run, tokens/s per worker over time, "
       "each worker's time split, memory per rank, the eval table with --report-test, example "
       "items with their neighbours, a 2-D map of the most frequent items and what changed since "
       "the previous model (--init-from, else the model this run replaces) (true/false)")
      ("report-test", po::value(&r.test),
       "hold-out file written by item2vec prep (test.tsv): the report adds HR@K / NDCG@K / MRR "
       "of the model against popularity (what item2vec eval prints; it loads the whole model)")
      ("names", po::value(&r.names),
       "delimited file of item ids and titles (e.g. data/ml-latest-small/movies.csv) for the "
       "report's example items and map")
      ("name-columns", po::value(&r.name_columns)->default_value(r.name_columns),
       "ID_COLUMN,TITLE_COLUMN of --names: header names or 1-based positions")
      ("report-items", po::value(&r.items)->default_value(r.items),
       "the report's neighbours, map and model comparison use the N most frequent items (the "
       "first N rows of vectors.bin), so its cost does not grow with the vocabulary")
      ("pushgateway", po::value(&r.pushgateway),
       "Prometheus Pushgateway URL (http://host:9091): at the end rank 0 pushes the run's figures "
       "(exit code, duration, tokens/s, loss, vocabulary size, model version, HR@10 with "
       "--report-test) under job --metrics-job; a failed push is a warning, never a failed run")
      ("metrics-textfile", po::value(&r.metrics_textfile),
       "also write the figures to this file (name ending in .prom, replaced atomically) for "
       "node-exporter's textfile collector (--collector.textfile.directory)")
      ("metrics-job", po::value(&r.metrics_job)->default_value(r.metrics_job),
       "the job label of the pushed figures: one group per job, replaced by each successful run "
       "(a failed run updates only its exit code and failure time)");
  group("Debug (failure tests; never in production)")
      ("debug-fault", po::value(&o->debug_fault),
       "inject a failure: RANK:kill|hang|drop|throw:AFTER_SENDS makes that rank kill itself, hang, "
       "drop its messages or throw an exception after that many sends (for failure tests; never in "
       "production)")
      ("debug-kill-model-write", po::value(&o->debug_kill_model_write),
       "rank 0 kills itself (SIGKILL) while writing the model: vectors, train-json or "
       "published (for failure tests; never in production)")
      ("debug-delay-server-rows", po::value(&o->debug_delay_server_rows),
       "every server sleeps this many seconds before laying out its rows, as a hung server would "
       "(the workers wait for the rows at most --peer-timeout; for failure tests; never in "
       "production)");
  return groups;
}

po::options_description TrainOptionsDescription(TrainOptions* o, std::string* config_path) {
  po::options_description all("item2vec train options");
  all.add_options()("help,h", "print this help and exit");
  for (const OptionGroup& group : TrainOptionGroups(o, config_path)) all.add(group.options);
  return all;
}

Status ParseTrainOptions(const std::vector<std::string>& args, TrainOptions* options,
                         bool* help_requested) {
  std::string config_path;
  ITEM2VEC_RETURN_IF_ERROR(
      ParseCommandOptions(TrainOptionsDescription(options, &config_path), args, "train", help_requested));
  return FinishTrainOptions(options);
}

Status FinishTrainOptions(TrainOptions* options) {
  std::string& mode = options->resume_mode;
  if (mode == "yes" || mode == "true" || mode == "1" || mode == "on") mode = "required";
  if (mode == "false" || mode == "0" || mode == "off") mode = "no";
  if (mode != "no" && mode != "required" && mode != "if-possible")
    return Status::InvalidArgument("--resume takes no value (resume, fail when no checkpoint is usable) or "
                                   "--resume=if-possible (start from the beginning then); got '" + mode + "'");
  options->resume = mode != "no";
  options->resume_if_possible = mode == "if-possible";
  const std::string& kill = options->debug_kill_model_write;
  if (!kill.empty() && kill != "vectors" && kill != "train-json" && kill != "published")
    return Status::InvalidArgument("--debug-kill-model-write must be vectors, train-json or published");
  if (options->Cbow() && !options->alpha_given) options->alpha = 0.05;
  options->alpha_auto = !options->alpha_given && !options->Cbow() && !options->word2vec_exact;
  if (options->word2vec_exact && !options->init_width_given) options->init_width = 0.5;
  if ((options->word2vec_exact || options->Cbow()) && !options->kernel_given) options->kernel = KernelKind::kPair;
  if ((options->word2vec_exact || options->Cbow()) && !options->negative_pool_given) options->negative_pool = 0;
  return Status::Ok();
}

Status Validate(const TrainOptions& o, int world_size) {
  auto bad = [](const std::string& m) { return Status::InvalidArgument(m); };
  if (o.input.empty()) return bad("--input is required: a sequence file or a directory of part files");
  if (o.output.empty()) return bad("--output is required: the directory to write the model into");
  if (o.dim <= 0 || o.dim > 100000) return bad("--dim must be in 1..100000, got " + std::to_string(o.dim));
  if (o.window <= 0 || o.window > 1000) return bad("--window must be in 1..1000, got " + std::to_string(o.window));
  if (o.cbow_sum && !o.Cbow()) return bad("--cbow-sum needs --model cbow");
  if (o.Cbow() && o.kernel != KernelKind::kPair)
    return bad(std::string("--kernel ") + KernelKindName(o.kernel) +
               " is a skip-gram kernel; --model cbow has its own (leave --kernel out)");
  if (o.max_set_size < 2 || o.max_set_size > 1000)
    return bad("--max-set-size must be in 2..1000, got " + std::to_string(o.max_set_size));
  if (o.negative <= 0 || o.negative > 1000) return bad("--negative must be in 1..1000, got " + std::to_string(o.negative));
  if (!(o.ns_exponent >= -5 && o.ns_exponent <= 5)) return bad("--ns-exponent must be in -5..5");
  if (!(o.sample >= 0 && o.sample < 1)) return bad("--sample must be in [0, 1)");
  if (o.min_count < 1) return bad("--min-count must be at least 1");
  if (o.max_vocab < 0) return bad("--max-vocab must be 0 (no cap) or positive");
  if (o.epochs <= 0) return bad("--epochs must be at least 1, got " + std::to_string(o.epochs));
  if (!(o.alpha > 0 && o.alpha < 10)) return bad("--alpha must be in (0, 10)");
  if (o.min_alpha >= 0 && o.min_alpha > o.alpha) return bad("--min-alpha must not exceed --alpha");
  if (!(o.init_width > 0 && o.init_width <= 100)) return bad("--init-width must be in (0, 100]");
  if (!(o.side_info_dropout >= 0 && o.side_info_dropout < 1))
    return bad("--side-info-dropout must be in [0, 1)");
  if (o.side_info_buckets < 1 || o.side_info_buckets > 10000)
    return bad("--side-info-buckets must be in 1..10000, got " + std::to_string(o.side_info_buckets));
  if (o.keep_missing && o.init_from.empty()) return bad("--keep-missing needs --init-from");
  if (o.new_items == NewItemInit::kCooccurrence && o.init_from.empty())
    return bad("--new-items cooccurrence needs --init-from (new items are those absent from the previous model)");
  if (o.new_item_neighbours < 1 || o.new_item_neighbours > 1000)
    return bad("--new-item-neighbours must be in 1..1000, got " + std::to_string(o.new_item_neighbours));
  if (o.servers < 0) return bad("--servers must be 0 (automatic) or positive");
  if (o.batch_tokens != 0 && o.batch_tokens < 16)
    return bad("--batch-tokens must be 0 (automatic) or at least 16, got " + std::to_string(o.batch_tokens));
  if (!(o.staleness_tolerance >= 1 && o.staleness_tolerance <= 1e6))
    return bad("--staleness-tolerance must be in 1..1e6");
  if (o.negative_pool < 0 || o.negative_pool > 100000000) return bad("--negative-pool must be in 0..1e8");
  if (o.max_sentence < 2) return bad("--max-sentence must be at least 2");
  if (o.hot_rows < 0) return bad("--hot-rows must be 0 (off) or positive, got " + std::to_string(o.hot_rows));
  if (o.id_cache_mib < 0) return bad("--id-cache must be 0 (off) or a size in MiB, got " + std::to_string(o.id_cache_mib));
  if (o.hot_sync < 1 || o.hot_sync > 1000000)
    return bad("--hot-sync must be in 1..1000000, got " + std::to_string(o.hot_sync));
  if (ParseDurationSeconds(o.checkpoint_every) < 0)
    return bad("--checkpoint-every must be a duration such as 30s, 10m or 1h (0 = off), got '" + o.checkpoint_every + "'");
  if (!(o.progress_seconds > 0)) return bad("--progress-seconds must be positive");
  if (Status rs = ValidateRunReportOptions(o.report); !rs.ok()) return rs;
  if (!(o.peer_timeout > 0)) return bad("--peer-timeout must be positive");
  if (!(o.liveness_timeout >= 1)) return bad("--liveness-timeout must be at least 1 second");
  if (o.server_precision != "fp32" && o.server_precision != "bf16")
    return bad("--server-precision must be fp32 or bf16, got '" + o.server_precision + "'");
  if (WirePrecision w; !o.wire_precision.empty() && !ParseWirePrecision(o.wire_precision, &w))
    return bad("--wire-precision must be fp32, bf16, fp16, int8, int4 or int4-int8, got '" + o.wire_precision + "'");
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
  if (std::find(std::begin(kLevels), std::end(kLevels), o.log_level) == std::end(kLevels))
    return bad("--log-level must be one of trace, debug, info, warn, error; got '" + o.log_level + "'");
  if (world_size > 0) {
    if (world_size < 2)
      return bad("item2vec train needs at least 2 MPI ranks (1 server + 1 worker); run it "
                 "with mpirun -np 2 or more");
    const int servers = o.ServerCount(world_size);
    if (servers >= world_size)
      return bad("--servers " + std::to_string(servers) + " leaves no worker among " +
                 std::to_string(world_size) + " ranks; use at most " +
                 std::to_string(world_size - 1));
    if (o.deterministic && world_size - servers != 1)
      return bad("--deterministic needs exactly one worker rank; with " +
                 std::to_string(world_size) + " ranks use --servers " +
                 std::to_string(world_size - 1));
  }
  return Status::Ok();
}

Status ValidateRunReportOptions(const RunReportOptions& r) {
  auto bad = [](const std::string& m) { return Status::InvalidArgument(m); };
  if (r.items < 10 || r.items > 1000000)
    return bad("--report-items must be in 10..1000000, got " + std::to_string(r.items));
  if (!r.pushgateway.empty() && r.pushgateway.rfind("http://", 0) != 0 && r.pushgateway.rfind("https://", 0) != 0)
    return bad("--pushgateway must be an http:// or https:// URL, got '" + r.pushgateway + "'");
  const std::string& f = r.metrics_textfile;
  if (!f.empty() && (f.size() < 6 || f.compare(f.size() - 5, 5, ".prom") != 0))
    return bad("--metrics-textfile must end in .prom (node-exporter reads only those), got '" + f + "'");
  if (r.metrics_job.empty() ||
      r.metrics_job.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
          std::string::npos)
    return bad("--metrics-job must be letters, digits, '_', '.' or '-', got '" + r.metrics_job + "'");
  return Status::Ok();
}


std::string DistributionOptions::IdCacheDir() const {
  if (!id_cache_dir.empty()) return id_cache_dir;
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

WirePrecision TrainOptions::Wire() const {
  WirePrecision w = deterministic ? WirePrecision::kFp32 : WirePrecision::kBf16;
  if (!wire_precision.empty()) ParseWirePrecision(wire_precision, &w);
  return w;
}

WirePrecision DistributionOptions::ServerPrecision() const {
  WirePrecision p = WirePrecision::kFp32;
  ParseWirePrecision(server_precision, &p);
  return p;
}

double CheckpointOptions::CheckpointEverySeconds() const { return std::max(0.0, ParseDurationSeconds(checkpoint_every)); }

std::int64_t AutoBatchTokens(std::int64_t corpus_tokens, int workers, WindowMode mode) {
  const std::int64_t w = std::max(1, workers);
  const std::int64_t per_worker = std::max<std::int64_t>(0, corpus_tokens) / w;
  const std::int64_t most = std::clamp(kAutoTokensInFlight / w, kAutoBatchTokensManyWorkers, kAutoBatchTokensMax);
  if (mode == WindowMode::kSet)
    return std::clamp(per_worker / kAutoSetBatchesPerEpoch, std::min(kAutoSetBatchTokensMin, most), most);
  const std::int64_t root = per_worker / kAutoSquareRoot;  // (P / 32768)^2 without overflow
  const std::int64_t per_batch = root > kAutoBatchTokensMax ? kAutoBatchTokensMax : root * root;
  return std::clamp(per_batch, kAutoBatchTokensMin, most);
}

double AutoAlpha(std::int64_t corpus_tokens) {
  const double t = static_cast<double>(corpus_tokens);
  if (t <= kAutoAlphaSmallTokens) return kAutoAlphaSmall;
  if (t >= kAutoAlphaPlainTokens) return kAutoAlphaBase;
  const double share = std::log(t / kAutoAlphaSmallTokens) / std::log(kAutoAlphaPlainTokens / kAutoAlphaSmallTokens);
  return kAutoAlphaSmall - (kAutoAlphaSmall - kAutoAlphaBase) * share;
}

std::vector<std::pair<std::string, std::string>> ResumeSettings(const TrainOptions& o) {
  auto num = [](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf);
  };
  // --new-items, --new-item-neighbours and --init-width are left out: rows are initialised before
  // the first checkpoint, and a resumed run takes its rows from the checkpoint, so their
  // values cannot change its result (and checkpoints of earlier versions stay usable).
  std::vector<std::pair<std::string, std::string>> settings = {
      {"dim", std::to_string(o.dim)}, {"window", std::to_string(o.window)},
      {"negative", std::to_string(o.negative)}, {"ns-exponent", num(o.ns_exponent)},
      {"sample", num(o.sample)}, {"min-count", std::to_string(o.min_count)},
      {"max-vocab", std::to_string(o.max_vocab)}, {"epochs", std::to_string(o.epochs)},
      {"alpha", num(o.alpha)}, {"min-alpha", num(o.EffectiveMinAlpha())},
      {"seed", std::to_string(o.seed)}, {"batch-tokens", std::to_string(o.batch_tokens)},
      {"max-sentence", std::to_string(o.max_sentence)}, {"negative-pool", std::to_string(o.negative_pool)},
      {"kernel", KernelKindName(o.kernel)}, {"exact-sigmoid", o.exact_sigmoid ? "true" : "false"},
      {"staleness-tolerance", num(o.staleness_tolerance)}, {"overlap", o.overlap ? "true" : "false"},
      {"init-from", o.init_from}, {"keep-missing", o.keep_missing ? "true" : "false"},
  };
  // Settings added later are listed only when they differ from their default, so that
  // checkpoints written before them (which cannot have used them) stay resumable.
  if (o.Cbow()) {
    settings.push_back({"model", ModelKindName(o.model)});
    settings.push_back({"cbow-sum", o.cbow_sum ? "true" : "false"});
  }
  if (!o.side_info.empty()) {
    settings.push_back({"side-info", o.side_info});
    settings.push_back({"side-info-buckets", std::to_string(o.side_info_buckets)});
    settings.push_back({"side-info-dropout", num(o.side_info_dropout)});
  }
  if (o.SetMode()) {
    settings.push_back({"window-mode", WindowModeName(o.window_mode)});
    settings.push_back({"max-set-size", std::to_string(o.max_set_size)});
  }
  return settings;
}

bool IsOptionalResumeSetting(const std::string& key) {
  return key == "window-mode" || key == "max-set-size" || key == "model" || key == "cbow-sum" ||
         key == "side-info" || key == "side-info-buckets" || key == "side-info-dropout";
}

std::string TrainOptionsToJson(const TrainOptions& o) {
  JsonWriter j;
  j.BeginObject();
  j.Key("input").StringArray(o.input);
  j.Key("output").String(o.output);
  j.Key("dim").Int(o.dim);
  j.Key("window").Int(o.window);
  j.Key("window_mode").String(WindowModeName(o.window_mode));
  j.Key("model").String(ModelKindName(o.model));
  j.Key("cbow_sum").Bool(o.cbow_sum);
  j.Key("max_set_size").Int(o.max_set_size);
  j.Key("negative").Int(o.negative);
  j.Key("ns_exponent").Double(o.ns_exponent);
  j.Key("sample").Double(o.sample);
  j.Ints({{"min_count", o.min_count}, {"max_vocab", o.max_vocab}, {"epochs", o.epochs}});
  j.Key("alpha").Double(o.alpha);
  j.Key("alpha_auto").Bool(o.alpha_auto);
  j.Key("min_alpha").Double(o.EffectiveMinAlpha());
  j.Key("init_width").Double(o.init_width);
  j.Ints({{"seed", static_cast<std::int64_t>(o.seed)}, {"batch_tokens", o.batch_tokens},
          {"max_sentence", o.max_sentence}});
  j.Key("strict").Bool(o.strict);
  j.Key("kernel").String(KernelKindName(o.kernel));
  j.Key("negative_pool").Int(o.negative_pool);
  j.Key("staleness_tolerance").Double(o.staleness_tolerance);
  j.Key("exact_sigmoid").Bool(o.exact_sigmoid);
  j.Key("side_info").String(o.side_info);
  j.Key("side_info_buckets").Int(o.side_info_buckets);
  j.Key("side_info_dropout").Double(o.side_info_dropout);
  j.Key("side_info_cold").String(ColdVectorRuleName(o.side_info_cold));
  j.Key("init_from").String(o.init_from);
  j.Key("keep_missing").Bool(o.keep_missing);
  j.Key("new_items").String(NewItemInitName(o.new_items));
  j.Key("new_item_neighbours").Int(o.new_item_neighbours);
  j.Key("overlap").Bool(o.overlap);
  j.Key("wire_precision").String(std::string(WirePrecisionName(o.Wire())));
  j.Key("server_precision").String(std::string(WirePrecisionName(o.ServerPrecision())));
  j.Ints({{"hot_rows", o.hot_rows}, {"hot_sync", o.hot_sync}, {"id_cache_mib", o.id_cache_mib}});
  j.Key("deterministic").Bool(o.deterministic);
  j.Key("checkpoint_dir").String(o.CheckpointDir());
  j.Key("checkpoint_every").String(o.checkpoint_every);
  j.Key("resume").Bool(o.resume);
  j.Key("resume_mode").String(o.resume_mode);
  j.EndObject();
  return j.str();
}

}  // namespace item2vec
