#include "tools/tune/tune_command.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include "common/atomic_file.h"
#include "common/command.h"
#include "common/command_line.h"
#include "common/hash.h"
#include "common/input_files.h"
#include "common/input_stream.h"
#include "common/logging.h"
#include "common/train_options.h"
#include "model/evaluation.h"
#include "tools/tune/default_space.h"
#include "tools/tune/tune_outputs.h"
#include "tools/tune/tune_sample.h"
#include "tools/tune/tune_search.h"
#include "tools/tune/tune_options.h"
#include "tools/tune/tune_space.h"

namespace fs = std::filesystem;
namespace po = boost::program_options;

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;

po::options_description Description(TuneOptions* o) {
  po::options_description d("item2vec tune options");
  AddTuneOptions(&d, o);
  return d;
}

const char kUsage[] =
    "Usage: item2vec tune --input TRAIN --valid VALID.tsv --output DIR [--test TEST.tsv]\n"
    "                     [--budget 20x|30m] [--space FILE] [--train-config FILE] [--sample 0.1]\n\n"
    "Searches train's settings (by default the negative-sampling exponent, window,\n"
    "subsampling, negatives, epochs and learning rate; dim, min-count, model and window-mode\n"
    "when the space names them) for HR@K on a validation split, within a time budget:\n"
    "successive halving over quasi-random (scrambled Halton) settings with epochs as the\n"
    "budget axis, the defaults always the first trial and the answer when nothing beats them.\n"
    "Each trial launches `LAUNCHER -np N item2vec train`. A killed tune rerun with the same\n"
    "--output continues from its trial log.\n\n"
    "Example:\n"
    "  item2vec prep -i ratings.csv -o ml/ --user-col userId --item-col movieId --time-col timestamp \\\n"
    "      --rating-col rating --min-rating 3.5 --holdout last --validation\n"
    "  item2vec tune -i ml/train --valid ml/valid.tsv --test ml/test.tsv -o tune/ --budget 20x \\\n"
    "      --train-config configs/movielens.ini --final-output model/\n"
    "  mpirun -np 3 item2vec train --config tune/best.ini --input ml/train --output model2/\n\n";

Result<double> ParseBudget(const std::string& text, bool* in_defaults) {
  *in_defaults = false;
  if (text.empty()) return Status::InvalidArgument("--budget is empty");
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  const std::string unit(end);
  double factor = 0;
  if (unit.empty() || unit == "s") factor = 1;
  else if (unit == "m") factor = 60;
  else if (unit == "h") factor = 3600;
  else if (unit == "x") factor = 1, *in_defaults = true;
  if (end == text.c_str() || factor == 0 || !(v > 0))
    return Status::InvalidArgument("--budget must be a positive duration (600, 600s, 30m, 2h) or Nx (N default "
                                   "trainings), not '" + text + "'");
  return v * factor;
}

// The base value of each option the space may vary, from train's own option parser, so
// that train's defaults are written in one place (common/train_options.cc).
// *min_count: the base settings' min-count (what a trial uses when the space does not vary it).
Result<TuneSettings> BaseSettings(const TuneSpace& space, const std::string& train_config, long* min_count) {
  std::vector<std::string> args = {"--input", "unused", "--output", "unused"};
  if (!train_config.empty()) args.insert(args.end(), {"--config", train_config});
  TrainOptions t;
  bool help = false;
  Status st = ParseTrainOptions(args, &t, &help);
  if (!st.ok()) return st.WithContext("--train-config");
  const TuneSettings known = {
      {"dim", std::to_string(t.dim)},
      {"window", std::to_string(t.window)},
      {"window-mode", WindowModeName(t.window_mode)},
      {"model", ModelKindName(t.model)},
      {"negative", std::to_string(t.negative)},
      {"ns-exponent", FormatTuneNumber(t.ns_exponent)},
      {"sample", FormatTuneNumber(t.sample)},
      {"min-count", std::to_string(t.min_count)},
      {"alpha", FormatTuneNumber(t.alpha)},
      {"epochs", std::to_string(t.epochs)},
  };
  *min_count = t.min_count;
  TuneSettings base;
  for (const TuneParam& p : space.params()) {
    const std::string v = SettingValue(known, p.name);
    if (v.empty())
      return Status::InvalidArgument("the space varies '" + p.name +
                                     "', which tune does not know; it varies dim, window, window-mode, model, "
                                     "negative, ns-exponent, sample, min-count, alpha and epochs");
    base.emplace_back(p.name, v);
  }
  if (!space.Has("epochs")) base.emplace_back("epochs", std::to_string(t.epochs));
  return base;
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> SplitWords(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// Reads every line of one (possibly compressed) file.
Status ForEachLine(const std::string& path, const std::function<void(std::string_view)>& visit) {
  InputStream in;
  ITEM2VEC_RETURN_IF_ERROR(in.Open(path));
  std::string pending;
  std::vector<char> buf(1 << 16);
  for (;;) {
    Result<std::size_t> got = in.Read(buf.data(), buf.size());
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    pending.append(buf.data(), *got);
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
      visit(std::string_view(pending).substr(start, nl - start));
    pending.erase(0, start);
  }
  if (!pending.empty()) visit(pending);
  return Status::Ok();
}

// Writes the training lines kept at `share` (by a seeded hash) to `path`, counting them.
Status WriteShare(const std::vector<InputFile>& files, std::uint64_t seed, double share, const std::string& path,
                  TuneSampleStats* stats) {
  AtomicFile out;
  ITEM2VEC_RETURN_IF_ERROR(out.Open(path));
  std::int64_t lines = 0, kept = 0;
  stats->input_tokens = stats->sample_tokens = 0;
  for (const InputFile& f : files) {
    ITEM2VEC_RETURN_IF_ERROR(ForEachLine(f.path, [&](std::string_view line) {
      ++lines;
      const std::int64_t tokens = CountTokens(line);
      stats->input_tokens += tokens;
      if (!KeepLine(Fnv1a64(line) ^ static_cast<std::uint64_t>(lines), seed, share)) return;
      ++kept;
      stats->sample_tokens += tokens;
      out.Write(line);
      out.Write(std::string_view("\n"));
    }));
  }
  ITEM2VEC_RETURN_IF_ERROR(out.Commit());
  stats->share = share;
  spdlog::info("--sample {:.4g}: every trial trains on {} of {} training lines ({} of {} tokens)", share, kept, lines,
               stats->sample_tokens, stats->input_tokens);
  if (kept == 0) return Status::DataError("--sample " + std::to_string(share) + " kept no training line");
  return Status::Ok();
}

// --sample: a share of the training lines, by a seeded hash, raised to hold at least
// --sample-min-tokens tokens (RaisedShare; at 1 the trials train on the full input and
// *train is left empty). o->sample becomes the share trained on. The validation records
// stay whole: their histories carry what a query needs, and on small data a tenth of them
// would rank settings mostly by noise.
Status WriteSample(TuneOptions* o, const std::vector<InputFile>& files, std::string* train, TuneSampleStats* stats) {
  const std::string dir = o->output + "/sample";
  fs::create_directories(dir);
  *train = dir + "/train.txt";
  stats->requested = o->sample;
  stats->min_tokens = o->sample_min_tokens;
  ITEM2VEC_RETURN_IF_ERROR(WriteShare(files, o->seed, o->sample, *train, stats));
  const double raised = RaisedShare(o->sample, stats->sample_tokens, stats->input_tokens, o->sample_min_tokens);
  if (raised == o->sample) return Status::Ok();
  stats->raised = true;
  spdlog::warn("--sample {} RAISED to {:.4g}: the share kept {} tokens, under --sample-min-tokens {}; on fewer tokens "
               "each item gets too few updates and the sample ranks settings in another regime{}",
               o->sample, raised, stats->sample_tokens, o->sample_min_tokens,
               raised >= 1 ? " (the corpus is smaller than the floor: every trial trains on the full input)" : "");
  o->sample = raised;
  if (raised < 1) return WriteShare(files, o->seed, raised, *train, stats);
  std::error_code ec;
  fs::remove_all(dir, ec);
  train->clear();
  stats->share = 1;
  stats->sample_tokens = stats->input_tokens;
  return Status::Ok();
}

// The child being waited for, so that a signal to tune stops it too.
std::atomic<pid_t> g_child{0};

void ForwardAndExit(int sig) {
  const pid_t child = g_child.load();
  if (child > 0) kill(-child, SIGTERM);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// Runs argv with stdout and stderr to log_path; kills it (its process group) past timeout.
// Returns the exit code, 128 + signal when killed, or -1 when it could not start.
int Spawn(const std::vector<std::string>& argv, const std::string& log_path, double timeout, bool* timed_out) {
  *timed_out = false;
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // tune killed with SIGKILL: the launcher goes too
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::perror("exec");
    _exit(127);
  }
  setpgid(pid, pid);
  g_child = pid;
  const auto start = Clock::now();
  bool term_sent = false;
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (timeout > 0 && elapsed > timeout && !term_sent) {
      kill(-pid, SIGTERM);
      term_sent = true;
      *timed_out = true;
    }
    if (term_sent && elapsed > timeout + 10) kill(-pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  g_child = 0;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string LastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  // The last line that says something (mpirun frames its messages with lines of dashes).
  while (std::getline(in, line))
    if (line.find_first_not_of("- \t\r") != std::string::npos) last = line;
  return last;
}

struct Scores {
  double hr = 0, ndcg = 0;
};

// HR@K and NDCG@K over every record: records eval skips (query item not in the model)
// count as misses, so settings that drop items (min-count) are not scored on fewer records.
Result<Scores> Score(const std::string& model, const std::string& records, int k, const std::string& query) {
  EvalOptions e;
  e.model = model;
  e.test = records;
  e.query = query;
  e.ks = std::to_string(k);
  Result<EvalReport> r = Evaluate(e);
  if (!r.ok()) return r.status();
  Scores s;
  const double all = static_cast<double>(std::max<std::int64_t>(1, r->records_read));
  s.hr = r->model_metrics.hr[0] * static_cast<double>(r->evaluated) / all;
  s.ndcg = r->model_metrics.ndcg[0] * static_cast<double>(r->evaluated) / all;
  return s;
}

class LaunchRunner : public TrialRunner {
 public:
  // share: the part of the training lines `inputs` holds (--sample, or 1); on a share the
  // trials' min-count is scaled by it, so a sample keeps about the items the full input keeps.
  LaunchRunner(const TuneOptions& o, std::vector<std::string> inputs, std::string valid, double share)
      : o_(o), inputs_(std::move(inputs)), valid_(std::move(valid)), share_(share) {}

  std::vector<std::string> TrainArgs(const TuneSettings& settings, const std::string& output) const {
    std::vector<std::string> argv = SplitWords(o_.launcher);
    argv.insert(argv.end(), {"-np", std::to_string(o_.np), SelfPath(), "train"});
    if (!o_.train_config.empty()) argv.insert(argv.end(), {"--config", o_.train_config});
    for (const std::string& in : inputs_) argv.insert(argv.end(), {"--input", in});
    argv.insert(argv.end(), {"--output", output, "--seed", std::to_string(o_.seed), "--servers",
                             std::to_string(o_.servers)});
    for (const auto& [name, value] : ScaledToShare(settings)) argv.insert(argv.end(), {"--" + name, value});
    return argv;
  }

  TrialResult Run(const TuneSettings& settings, double timeout) override {
    const auto start = Clock::now();
    const std::string dir = o_.output + "/trials/trial-" + std::to_string(getpid()) + "-" + std::to_string(++count_);
    std::vector<std::string> argv = TrainArgs(settings, dir);
    argv.insert(argv.end(), {"--report", "false", "--log-level", "warn"});
    std::string command;
    for (const std::string& a : argv) command += (command.empty() ? "" : " ") + a;
    spdlog::debug("trial command: {}", command);
    TrialResult r;
    bool timed_out = false;
    const int rc = Spawn(argv, dir + ".log", timeout, &timed_out);
    if (rc != 0) {
      r.failed = true;
      r.stopped = timed_out;
      r.error = timed_out ? "stopped at the end of the budget"
                          : "train exit code " + std::to_string(rc) + ": " + LastLine(dir + ".log");
    } else {
      Result<Scores> s = Score(dir, valid_, o_.k, o_.query);
      if (s.ok()) {
        r.hr = s->hr;
        r.ndcg = s->ndcg;
      } else {
        r.failed = true;
        r.error = s.status().ToString();
      }
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (!r.failed) fs::remove(dir + ".log", ec);
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
  }

  static std::string SelfPath() {
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("item2vec") : p.string();
  }

 private:
  const TuneOptions& o_;
  std::vector<std::string> inputs_;
  // settings with min-count scaled by share_ (at least 1); unchanged on the full input.
  TuneSettings ScaledToShare(TuneSettings settings) const {
    if (share_ >= 1) return settings;
    auto it = std::find_if(settings.begin(), settings.end(), [](const auto& kv) { return kv.first == "min-count"; });
    const long count = it != settings.end() ? std::stol(it->second) : o_.base_min_count;
    const std::string scaled = std::to_string(std::max(1L, std::lround(static_cast<double>(count) * share_)));
    if (it != settings.end()) it->second = scaled;
    else settings.emplace_back("min-count", scaled);
    return settings;
  }

  std::string valid_;
  double share_ = 1;
  int count_ = 0;
};

std::string Fingerprint(const TuneOptions& o, const std::vector<InputFile>& files, const std::string& space_text) {
  std::string text = "space:" + space_text + "\nbase:" + (o.train_config.empty() ? "" : ReadWhole(o.train_config)) +
                     "\nvalid:" + ReadWhole(o.valid) + "\nseed:" + std::to_string(o.seed) +
                     "\nrounds:" + std::to_string(o.rounds) + "," + std::to_string(o.eta) +
                     "\nsample:" + std::to_string(o.sample) +
                     (o.sample < 1 ? " min-count scaled, min tokens " + std::to_string(o.sample_min_tokens) : "") +
                     "\nk:" + std::to_string(o.k) + "\nquery:" + o.query;
  for (const InputFile& f : files)
    text += "\ninput:" + f.path + ":" + std::to_string(f.size) + ":" + std::to_string(f.fingerprint);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(Fnv1a64(text)));
  return buf;
}

Status Check(const TuneOptions& o) {
  if (o.input.empty()) return Status::InvalidArgument("--input is required (see item2vec tune --help)");
  if (o.valid.empty())
    return Status::InvalidArgument("--valid is required: prep --holdout last --validation writes valid.tsv");
  if (o.output.empty()) return Status::InvalidArgument("--output is required (see item2vec tune --help)");
  std::error_code same_ec;
  if (!o.test.empty() && fs::equivalent(fs::path(o.test), fs::path(o.valid), same_ec))
    return Status::InvalidArgument("--valid and --test are the same file: the search must never see the test records");
  if (!(o.sample > 0 && o.sample <= 1)) return Status::InvalidArgument("--sample must be in (0, 1]");
  if (o.np < 2) return Status::InvalidArgument("--np must be at least 2 (one worker and one server)");
  if (o.servers < 1 || o.servers >= o.np) return Status::InvalidArgument("--servers must be in 1..np-1");
  if (o.k < 1) return Status::InvalidArgument("--k must be positive");
  if (o.sample_min_tokens < 0) return Status::InvalidArgument("--sample-min-tokens must be >= 0");
  if (o.full_candidates < 1) return Status::InvalidArgument("--full-candidates must be at least 1");
  if (o.rounds < 1 || o.rounds > 5) return Status::InvalidArgument("--rounds must be in 1..5");
  if (o.eta < 2) return Status::InvalidArgument("--eta must be at least 2");
  if (Result<QueryMode> q = ParseQueryMode(o.query); !q.ok()) return q.status();
  if (std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_RANK") != nullptr)
    return Status::InvalidArgument("run tune as one process, not under mpirun: it launches each trial with "
                                   "--launcher -np N (see docs/commands/tune.md)");
  return Status::Ok();
}

// Trains `settings` on the full --input into `dir`, the launcher's output in `log`.
Status TrainOnFullInput(const TuneOptions& o, const TuneSettings& settings, const std::string& dir,
                        const std::string& log) {
  bool timed_out = false;
  const int rc = Spawn(LaunchRunner(o, o.input, o.valid, 1.0).TrainArgs(settings, dir), log, 0, &timed_out);
  if (rc == 0) return Status::Ok();
  return Status::DataError("training on the full input failed (exit code " + std::to_string(rc) + "): " +
                           LastLine(log) + " (log: " + log + ")");
}

// After a --sample search: a setting that wins on a share of the users may not carry over
// (its epochs, say, were right for a tenth of the updates), and one that loses to the
// defaults there may win on all users (retail: the full search's winner ranked under the
// sample's defaults in 2 of 3 seeds). The defaults and the sample's `leaders` (its best
// full-epoch trials, best first, whether or not they beat the defaults on the share) are
// trained on the full input and scored on the validation records only; the best of them
// goes to --final-output, the defaults unless a leader beats them there. *best becomes the
// chosen trial.
Status CheckLeadersOnFullInput(const TuneOptions& o, const std::string& objective, const std::vector<Trial>& trials,
                               const std::vector<std::size_t>& leaders, std::size_t* best, TuneSummary* summary) {
  std::error_code ec;
  const std::string root = o.output + "/final-candidates";
  fs::remove_all(root, ec);
  fs::create_directories(root);
  std::vector<std::size_t> candidates = {0};
  candidates.insert(candidates.end(), leaders.begin(), leaders.end());
  std::size_t chosen = 0;
  Scores chosen_scores;
  for (std::size_t c : candidates) {
    const std::string dir = root + "/trial-" + std::to_string(trials[c].id), log = dir + ".log";
    spdlog::info("checking trial {}{} on the full input", trials[c].id, c == 0 ? " (the defaults)" : "");
    ITEM2VEC_RETURN_IF_ERROR(TrainOnFullInput(o, trials[c].settings, dir, log));
    Result<Scores> v = Score(dir, o.valid, o.k, o.query);
    if (!v.ok()) return v.status();
    spdlog::info("trial {} on the full input: validation {} {:.4f}", trials[c].id, objective, v->hr);
    if (c == 0) summary->full_valid_default_hr = v->hr;
    if (c == 0 || v->hr > chosen_scores.hr || (v->hr == chosen_scores.hr && v->ndcg > chosen_scores.ndcg)) {
      chosen = c;
      chosen_scores = *v;
    }
  }
  summary->full_check = true;
  summary->full_candidates = static_cast<int>(leaders.size());
  summary->full_valid_hr = chosen_scores.hr;
  summary->sample_winner_rejected = chosen == 0;
  spdlog::info("on the full input {}: {} {:.4f} (the defaults {:.4f})",
               chosen == 0 ? "no leader of the sample beats the defaults, they are the answer"
                           : "trial " + std::to_string(trials[chosen].id) + " is the answer",
               objective, chosen_scores.hr, summary->full_valid_default_hr);
  fs::remove_all(o.final_output, ec);
  fs::rename(root + "/trial-" + std::to_string(trials[chosen].id), o.final_output, ec);
  if (ec) return Status::IOError("cannot move the chosen model to " + o.final_output + ": " + ec.message());
  fs::remove_all(root, ec);
  *best = chosen;
  return Status::Ok();
}

// --final-output: trains the winner (trials[*best]) on the full input, or after a --sample
// search with full-epoch trials picks among the defaults and the sample's leaders there
// (CheckLeadersOnFullInput, even when the defaults won on the share);
// scores the final model on --test when given.
Status TrainWinnerOnFullInput(const TuneOptions& o, const std::string& objective, const std::vector<Trial>& trials,
                              const std::vector<std::size_t>& leaders, std::size_t* best, TuneSummary* summary) {
  if (o.sample < 1 && !leaders.empty()) {
    ITEM2VEC_RETURN_IF_ERROR(CheckLeadersOnFullInput(o, objective, trials, leaders, best, summary));
  } else {
    spdlog::info("training the winner on the full input into {}", o.final_output);
    ITEM2VEC_RETURN_IF_ERROR(TrainOnFullInput(o, trials[*best].settings, o.final_output, o.output + "/final.log"));
  }
  summary->final_trained = true;
  summary->final_model = o.final_output;
  if (!o.test.empty()) {
    Result<Scores> s = Score(o.final_output, o.test, o.k, o.query);
    if (!s.ok()) return s.status();
    summary->has_test = true;
    summary->test_hr = s->hr;
    summary->test_ndcg = s->ndcg;
    spdlog::info("the winner on the test split: {} {:.4f}, NDCG@{} {:.4f}", objective, s->hr, o.k, s->ndcg);
  }
  return Status::Ok();
}

Status Run(const TuneOptions& options) {
  ITEM2VEC_RETURN_IF_ERROR(Check(options));
  TuneOptions o = options;
  bool in_defaults = false;
  Result<double> budget = ParseBudget(o.budget, &in_defaults);
  if (!budget.ok()) return budget.status();
  const std::string space_text = o.space.empty() ? std::string(kDefaultTuneSpace) : ReadWhole(o.space);
  if (!o.space.empty() && !fs::exists(o.space)) return Status::NotFound("--space '" + o.space + "' not found");
  Result<TuneSpace> space = TuneSpace::Parse(space_text, o.space.empty() ? "configs/tune_space.ini" : o.space);
  if (!space.ok()) return space.status();
  Result<TuneSettings> base = BaseSettings(*space, o.train_config, &o.base_min_count);
  if (!base.ok()) return base.status();
  Result<std::vector<InputFile>> files = ListInputFiles(o.input);
  if (!files.ok()) return files.status();
  if (!fs::exists(o.valid)) return Status::NotFound("--valid '" + o.valid + "' not found");
  if (!o.test.empty() && !fs::exists(o.test)) return Status::NotFound("--test '" + o.test + "' not found");
  ITEM2VEC_RETURN_IF_ERROR(EnsureWritableDirectory(o.output));
  std::error_code ec;
  fs::remove_all(o.output + "/trials", ec);  // a killed run's trial directories
  fs::create_directories(o.output + "/trials");

  // The log is of the tune asked for: the share trained on follows from it and the inputs.
  const std::string fingerprint = Fingerprint(o, *files, space_text);
  std::vector<std::string> inputs = o.input;
  std::string valid = o.valid;
  TuneSampleStats sample_stats;
  if (o.sample < 1) {
    std::string train_sample;
    ITEM2VEC_RETURN_IF_ERROR(WriteSample(&o, *files, &train_sample, &sample_stats));
    if (!train_sample.empty()) inputs = {train_sample};
  }
  LaunchRunner runner(o, inputs, valid, o.sample);
  TuneSearchOptions so;
  so.seed = o.seed;
  so.s_max = o.rounds - 1;
  so.eta = o.eta;
  (in_defaults ? so.budget_defaults : so.budget_seconds) = *budget;
  so.max_trials = o.max_trials;
  so.log_path = o.output + "/trials.jsonl";
  so.fingerprint = fingerprint;
  const std::string objective = "HR@" + std::to_string(o.k);
  so.on_trial = [&](const Trial& t, const TuneSearch& s) {
    const Trial& best = s.trials()[s.best()];
    const double left = std::max(0.0, s.budget_seconds() - s.spent_seconds());
    spdlog::info("trial {} {} {} epochs: {} {:.4f} NDCG {:.4f} in {:.1f}s{} | {} trials, best {:.4f} (trial {}{}; "
                 "defaults {:.4f}) | {:.0f}s of {}s used, ETA {:.0f}s",
                 t.id, t.is_default ? "(defaults)" : "[bracket " + std::to_string(t.bracket) + " rung " +
                                                        std::to_string(t.rung) + "]",
                 t.epochs, objective, t.result.hr, t.result.ndcg, t.result.seconds,
                 t.from_log ? " (from the log)" : t.result.failed ? " FAILED: " + t.result.error : "",
                 s.trials().size(), best.result.hr, best.id, best.is_default ? ", the defaults" : "",
                 s.trials()[0].result.hr, s.spent_seconds(),
                 s.budget_seconds() > 0 ? std::to_string(static_cast<long>(s.budget_seconds())) : "?", left);
  };
  TuneSearch search(*space, *base, so);
  std::signal(SIGTERM, ForwardAndExit);
  std::signal(SIGINT, ForwardAndExit);
  ITEM2VEC_RETURN_IF_ERROR(search.Run(&runner));

  const std::vector<Trial>& trials = search.trials();
  std::size_t best = search.best();
  TuneSummary summary;
  summary.objective = objective;
  summary.k = o.k;
  summary.budget_seconds = search.budget_seconds();
  summary.spent_seconds = search.spent_seconds();
  summary.trained = search.trained();
  summary.from_log = search.from_log();
  summary.base_config = o.train_config;
  summary.sample = o.sample;
  summary.sample_stats = sample_stats;
  if (search.from_log() > 0) spdlog::info("{} trials came from the trial log (not trained again)", search.from_log());
  if (best == 0)
    spdlog::info("no trial beat the defaults on validation ({} {:.4f}): the defaults are the answer", objective,
                 trials[0].result.hr);
  else
    spdlog::info("best: trial {} with validation {} {:.4f} vs the defaults' {:.4f} ({:.2f}x): {}", best, objective,
                 trials[best].result.hr, trials[0].result.hr,
                 trials[0].result.hr > 0 ? trials[best].result.hr / trials[0].result.hr : 0,
                 TuneSearch::KeyOf(trials[best].settings));

  if (!o.final_output.empty())
    ITEM2VEC_RETURN_IF_ERROR(
        TrainWinnerOnFullInput(o, objective, trials, search.leaders(o.full_candidates), &best, &summary));
  std::vector<std::string> names;
  for (const TuneParam& p : space->params()) names.push_back(p.name);
  if (!space->Has("epochs")) names.push_back("epochs");
  const std::string base_text = o.train_config.empty() ? "" : ReadWhole(o.train_config);
  ITEM2VEC_RETURN_IF_ERROR(WriteFileAtomically(o.output + "/best.ini", BestIni(base_text, trials[best], trials[0], summary)));
  ITEM2VEC_RETURN_IF_ERROR(WriteFileAtomically(o.output + "/trials.csv", TrialsCsv(trials, names)));
  ITEM2VEC_RETURN_IF_ERROR(WriteFileAtomically(o.output + "/trials.json", TrialsJson(trials, best, summary)));
  ITEM2VEC_RETURN_IF_ERROR(WriteFileAtomically(o.output + "/search.html", SearchHtml(trials, best, names, summary)));
  fs::remove_all(o.output + "/trials", ec);
  spdlog::info("wrote {0}/best.ini, {0}/trials.csv, {0}/trials.json, {0}/search.html", o.output);
  return Status::Ok();
}

}  // namespace

int RunTuneCommand(const std::vector<std::string>& args) {
  TuneOptions o;
  Command c("tune", kUsage, Description(&o));
  c.epilog = "Exit codes: 0 ok, 2 bad options, 3 bad input or the defaults failed, 4 I/O failure, 1 a bug.\n";
  c.required = {{"input", "prep's DIR/train"},
                {"valid", "prep --holdout last --validation writes valid.tsv"},
                {"output", "the directory of the trial log and the results"}};
  return RunCommand(c, args, [&] {
    ITEM2VEC_RETURN_IF_ERROR(InitLogging(0, "tune", o.log_level));
    return Run(o);
  });
}

}  // namespace item2vec
