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

// TrainOptionGroups is generated from common/train_options.opt.

po::options_description TrainOptionsDescription(TrainOptions* o, std::string* config_path) {
  return OptionsWithHelp("item2vec train options", TrainOptionGroups(o, config_path));
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
