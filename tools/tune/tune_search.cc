#include "tools/tune/tune_search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "common/json_reader.h"
#include "common/json_writer.h"
#include "common/random.h"

namespace item2vec {

namespace {

constexpr int kPrimes[] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47,
                           53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113};

double RadicalInverse(std::uint64_t index, int base) {
  double result = 0, f = 1.0 / base;
  while (index > 0) {
    result += f * static_cast<double>(index % static_cast<std::uint64_t>(base));
    index /= static_cast<std::uint64_t>(base);
    f /= base;
  }
  return result;
}

int EpochsOf(const TuneSettings& settings) {
  const std::string e = SettingValue(settings, "epochs");
  return e.empty() ? 0 : std::atoi(e.c_str());
}

}  // namespace

std::vector<double> TuneSearch::Halton(std::uint64_t index, std::size_t dims, std::uint64_t seed) {
  std::vector<double> u(dims);
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 12345;
  for (std::size_t d = 0; d < dims; ++d) {
    // Cranley-Patterson rotation: the same low-discrepancy set, shifted by a seeded offset
    // per axis, so that the first point is not the corner of the cube.
    const double offset = static_cast<double>(SplitMix64(state) >> 11) * 0x1.0p-53;
    const int base = kPrimes[d % (sizeof(kPrimes) / sizeof(kPrimes[0]))];
    double x = RadicalInverse(index, base) + offset;
    u[d] = x - std::floor(x);
  }
  return u;
}

std::string TuneSearch::KeyOf(const TuneSettings& settings) {
  TuneSettings sorted = settings;
  std::sort(sorted.begin(), sorted.end());
  std::string key;
  for (const auto& [name, value] : sorted) key += name + "=" + value + " ";
  if (!key.empty()) key.pop_back();
  return key;
}

TuneSearch::TuneSearch(TuneSpace space, TuneSettings defaults, TuneSearchOptions options)
    : space_(std::move(space)), defaults_(std::move(defaults)), options_(std::move(options)) {}

bool TuneSearch::Better(const TrialResult& a, const TrialResult& b) {
  if (a.failed) return false;
  if (b.failed) return true;
  if (a.hr != b.hr) return a.hr > b.hr;
  return a.ndcg > b.ndcg;
}

std::size_t TuneSearch::best() const {
  std::size_t best = 0;
  for (std::size_t i = 1; i < trials_.size(); ++i)
    if (trials_[i].full && Better(trials_[i].result, trials_[best].result)) best = i;
  return best;
}

std::vector<std::size_t> TuneSearch::leaders(std::size_t n) const {
  std::vector<std::size_t> order;
  for (std::size_t i = 1; i < trials_.size(); ++i)
    if (trials_[i].full && !trials_[i].is_default && !trials_[i].result.failed) order.push_back(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return Better(trials_[a].result, trials_[b].result); });
  std::vector<std::size_t> out;
  for (std::size_t i : order) {
    const bool seen = std::any_of(out.begin(), out.end(), [&](std::size_t j) { return trials_[j].key == trials_[i].key; });
    if (!seen && out.size() < n) out.push_back(i);
  }
  return out;
}

bool TuneSearch::Exhausted() const {
  if (options_.max_trials > 0 && static_cast<int>(trials_.size()) >= options_.max_trials) return true;
  return budget_ > 0 && spent_ >= budget_;
}

Status TuneSearch::LoadLog() {
  if (options_.log_path.empty()) return Status::Ok();
  std::ifstream in(options_.log_path);
  if (!in) return Status::Ok();  // a new tune
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    Result<JsonValue> v = ParseJson(lines[i]);
    if (!v.ok()) {
      // A tune killed while appending leaves at most its last line torn.
      if (i + 1 == lines.size()) break;
      return Status::DataError(options_.log_path + ":" + std::to_string(i + 1) + ": " + v.status().message());
    }
    if (i == 0) {
      if ((*v)["fingerprint"].string() != options_.fingerprint)
        return Status::InvalidArgument("the trial log '" + options_.log_path +
                                       "' is of another tune (other inputs, space, base settings, sample or "
                                       "seed): give another --output, or remove the log to start afresh");
      continue;
    }
    // A failed trial is tried again: its cause may have been the machine (a launcher that
    // could not start), which a rerun is often meant to fix.
    if ((*v)["failed"].boolean()) continue;
    Cached c;
    c.result.hr = (*v)["hr"].number();
    c.result.ndcg = (*v)["ndcg"].number();
    c.result.seconds = (*v)["seconds"].number();
    c.result.failed = (*v)["failed"].boolean();
    c.result.error = (*v)["error"].string();
    cache_[(*v)["key"].string()] = c;
  }
  return Status::Ok();
}

Status TuneSearch::Append(const Trial& trial) {
  if (options_.log_path.empty()) return Status::Ok();
  std::FILE* f = std::fopen(options_.log_path.c_str(), "a");
  if (f == nullptr) return Status::IOError("cannot append to the trial log '" + options_.log_path + "'");
  std::string text;
  if (std::ftell(f) == 0) {
    JsonWriter h;
    h.BeginObject().Key("tune_log").Int(1).Key("fingerprint").String(options_.fingerprint).EndObject();
    text = h.str() + "\n";
  }
  JsonWriter j;
  j.BeginObject().Key("key").String(trial.key).Key("settings").BeginObject();
  for (const auto& [name, value] : trial.settings) j.Key(name).String(value);
  j.EndObject();
  j.Key("epochs").Int(trial.epochs).Key("hr").Double(trial.result.hr).Key("ndcg").Double(trial.result.ndcg);
  j.Key("seconds").Double(trial.result.seconds).Key("failed").Bool(trial.result.failed);
  j.Key("error").String(trial.result.error).EndObject();
  text += j.str() + "\n";
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0 &&
                  ::fsync(fileno(f)) == 0;
  const bool closed = std::fclose(f) == 0;
  return ok && closed ? Status::Ok() : Status::IOError("writing the trial log '" + options_.log_path + "' failed");
}

bool TuneSearch::Visit(TrialRunner* runner, TuneSettings settings, int bracket, int rung, bool full, bool is_default,
                       Trial* out) {
  Trial t;
  t.bracket = bracket;
  t.rung = rung;
  t.full = full;
  t.is_default = is_default;
  t.epochs = EpochsOf(settings);
  t.key = KeyOf(settings);
  t.settings = std::move(settings);
  auto it = cache_.find(t.key);
  if (it != cache_.end() && it->second.charged) {
    // Met again in this run (a setting promoted to a rung with the same epochs): no new
    // trial, but one at its full epochs now.
    t.result = it->second.result;
    for (Trial& earlier : trials_)
      if (earlier.key == t.key) earlier.full = earlier.full || full;
    *out = t;
    return true;
  }
  if (Exhausted()) return false;
  if (it != cache_.end()) {
    t.result = it->second.result;
    t.from_log = true;
    it->second.charged = true;
    ++from_log_;
  } else {
    const double timeout = budget_ > 0 ? std::max(0.0, budget_ - spent_) + t0_ : 0;
    t.result = runner->Run(t.settings, timeout);
    if (!t.result.stopped) cache_[t.key] = Cached{t.result, true};
    ++trained_;
  }
  spent_ += t.result.seconds;
  t.id = static_cast<int>(trials_.size());
  if (!t.from_log && !t.result.stopped) {
    Status st = Append(t);
    if (!st.ok()) {
      t.result.failed = true;
      t.result.error = st.message();
    }
  }
  trials_.push_back(t);
  *out = t;
  if (options_.on_trial) options_.on_trial(t, *this);
  return true;
}

Status TuneSearch::Run(TrialRunner* runner) {
  ITEM2VEC_RETURN_IF_ERROR(LoadLog());
  Trial trial;
  Visit(runner, defaults_, -1, 0, true, true, &trial);
  if (trial.result.failed)
    return Status::DataError("training with the default settings failed, so there is nothing to compare with: " +
                             trial.result.error);
  t0_ = trial.result.seconds;
  best_result_ = trial.result;
  budget_ = options_.budget_seconds > 0 ? options_.budget_seconds : options_.budget_defaults * t0_;
  const int default_epochs = std::max(1, EpochsOf(defaults_));
  // The epochs of the early rungs, the same for every setting of a rung so that they are
  // compared on their other settings: fractions of the middle of the space's epochs range.
  double reference_epochs = default_epochs;
  for (const TuneParam& p : space_.params())
    if (p.name == "epochs" && p.kind != TuneParam::Kind::kChoice)
      reference_epochs = p.log ? std::sqrt(p.lo * p.hi) : (p.lo + p.hi) / 2;
  std::uint64_t draw = 1;
  for (int b = 0; !Exhausted(); ++b) {
    const int s = options_.s_max - b % (options_.s_max + 1);
    const int n = static_cast<int>(
        std::ceil((options_.s_max + 1.0) / (s + 1) * std::pow(static_cast<double>(options_.eta), s)));
    std::vector<TuneSettings> alive;
    std::vector<std::vector<double>> alive_u;
    for (int i = 0; i < n; ++i) {
      std::vector<double> u = Halton(draw++, space_.dims(), options_.seed);
      if (i % 2 == 1 && !best_u_.empty()) {
        // Every other draw from the second bracket on: near the best setting so far, offset
        // by the quasi-random point scaled to a quarter of each axis (wrapped into [0, 1)).
        for (std::size_t d = 0; d < u.size(); ++d) {
          const double x = best_u_[d] + (u[d] - 0.5) * kLocalWidth;
          u[d] = x - std::floor(x);
        }
      }
      TuneSettings settings = defaults_;
      for (auto& [name, value] : space_.Map(u)) SetSetting(&settings, name, value);
      alive.push_back(std::move(settings));
      alive_u.push_back(std::move(u));
    }
    for (int r = 0; r <= s && !alive.empty(); ++r) {
      const double share = std::pow(static_cast<double>(options_.eta), r - s);
      std::vector<std::pair<TrialResult, std::size_t>> ranked;
      for (std::size_t i = 0; i < alive.size(); ++i) {
        TuneSettings settings = alive[i];
        const int full = space_.Has("epochs") ? EpochsOf(settings) : default_epochs;
        const double epochs = r == s ? full : std::min<double>(full, reference_epochs * share);
        SetSetting(&settings, "epochs", std::to_string(std::max(1, static_cast<int>(std::lround(epochs)))));
        if (!Visit(runner, settings, b, r, r == s, false, &trial)) return Status::Ok();
        ranked.emplace_back(trial.result, i);
        if (r == s && Better(trial.result, best_result_)) {
          best_result_ = trial.result;
          best_u_ = alive_u[i];
        }
      }
      std::stable_sort(ranked.begin(), ranked.end(),
                       [](const auto& x, const auto& y) { return Better(x.first, y.first); });
      const std::size_t keep = (alive.size() + options_.eta - 1) / static_cast<std::size_t>(options_.eta);
      std::vector<TuneSettings> next;
      std::vector<std::vector<double>> next_u;
      for (std::size_t i = 0; i < keep && i < ranked.size(); ++i)
        if (!ranked[i].first.failed) {
          next.push_back(alive[ranked[i].second]);
          next_u.push_back(alive_u[ranked[i].second]);
        }
      alive = std::move(next);
      alive_u = std::move(next_u);
    }
  }
  return Status::Ok();
}

}  // namespace item2vec
