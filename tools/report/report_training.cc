// The run report's sections drawn from train.json: loss and learning rate over the run,
// tokens/s per worker over time, each worker's time split and peak memory per rank.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "tools/report/report_html.h"
#include "tools/report/svg_chart.h"

namespace item2vec {
namespace {

constexpr std::size_t kMaxLines = 8;    // more workers: the slowest, the fastest, worker 0
constexpr std::size_t kMaxBars = 32;    // more ranks: the ones that matter most

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Missing(const std::string& what) {
  return "<p class=\"missing\">" + EscapeXml(what) + "</p>";
}

// Each worker's mean tokens/s over its training (train.json "workers").
std::vector<double> WorkerRates(const JsonValue& workers) {
  std::vector<double> rates;
  for (const JsonValue& w : workers.items()) {
    const double s = w["seconds"].number();
    rates.push_back(s > 0 ? w["tokens"].number() / s : 0);
  }
  return rates;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Which workers get a line: all up to kMaxLines, else worker 0, the slowest and the fastest.
std::vector<std::size_t> LineWorkers(const std::vector<double>& rates, std::size_t workers) {
  std::vector<std::size_t> chosen;
  if (workers <= kMaxLines) {
    for (std::size_t w = 0; w < workers; ++w) chosen.push_back(w);
    return chosen;
  }
  std::vector<std::size_t> order(rates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rates[a] < rates[b]; });
  chosen.push_back(0);
  for (std::size_t i = 0; i < 3 && i < order.size(); ++i) chosen.push_back(order[i]);
  for (std::size_t i = 0; i < 3 && i < order.size(); ++i) chosen.push_back(order[order.size() - 1 - i]);
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  return chosen;
}

std::vector<double> Numbers(const JsonValue& array) {
  std::vector<double> out;
  for (const JsonValue& v : array.items()) out.push_back(v.is_number() ? v.number() : std::numeric_limits<double>::quiet_NaN());
  return out;
}

std::string LossAndRate(const JsonValue& train, const std::vector<std::size_t>& lines) {
  const JsonValue& timeline = train["timeline"]["workers"];
  std::string out = "<section id=\"loss\"><h2>Loss and learning rate over the run</h2>";
  if (timeline.size() == 0)
    return out + Missing("train.json has no timeline (written by an item2vec before the run report).") + "</section>";
  std::vector<Series> loss, alpha;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const JsonValue& w = timeline[lines[i]];
    const std::string name = "worker " + std::to_string(lines[i]);
    loss.push_back({name, PaletteColor(i), Numbers(w["seconds"]), Numbers(w["loss"])});
    alpha.push_back({name, PaletteColor(i), Numbers(w["seconds"]), Numbers(w["alpha"])});
  }
  LineChartSpec l{"SGNS loss (mean of the epoch so far)", "training seconds", "loss", false};
  LineChartSpec a{"Learning rate (alpha)", "training seconds", "alpha", true};
  return out + "<div class=\"row\">" + LineChart(l, loss) + LineChart(a, alpha) + "</div>" +
         "<p class=\"caption\">Each worker reports every " + Fixed(train["timeline"]["gap"].number(), 2) +
         " s of its training time or more; the loss restarts with each epoch. Final loss " +
         Fixed(train["final_loss"].number(), 4) + ".</p></section>";
}

std::string Throughput(const JsonValue& train, const std::vector<std::size_t>& lines, const std::vector<double>& rates) {
  const JsonValue& timeline = train["timeline"]["workers"];
  std::string out = "<section id=\"throughput\"><h2>Tokens per second per worker</h2>";
  if (timeline.size() > 0) {
    std::vector<Series> series;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const JsonValue& w = timeline[lines[i]];
      const std::vector<double> t = Numbers(w["seconds"]), tokens = Numbers(w["tokens"]);
      Series s{"worker " + std::to_string(lines[i]), PaletteColor(i), {}, {}};
      for (std::size_t j = 1; j < t.size(); ++j)
        if (t[j] > t[j - 1]) {
          s.x.push_back(t[j]);
          s.y.push_back((tokens[j] - tokens[j - 1]) / (t[j] - t[j - 1]));
        }
      // The final report comes after the last push: no tokens read since the one before is
      // the end of the shard, not a stall (a stall in the middle stays visible).
      while (!s.y.empty() && s.y.back() == 0) s.x.pop_back(), s.y.pop_back();
      series.push_back(std::move(s));
    }
    out += LineChart({"Tokens read per second, between reports", "training seconds", "tokens/s", true}, series);
  } else {
    out += Missing("train.json has no timeline (written by an item2vec before the run report).");
  }
  if (rates.empty()) return out + "</section>";
  const double median = Median(rates);
  std::size_t slowest = 0;
  for (std::size_t w = 0; w < rates.size(); ++w)
    if (rates[w] < rates[slowest]) slowest = w;
  const double below = median > 0 ? 100.0 * (1 - rates[slowest] / median) : 0;
  out += std::string("<p class=\"") + (below > 20 ? "warn" : "caption") + "\">Slowest worker: " +
         std::to_string(slowest) + " at " + CompactNumber(rates[slowest]) + " tokens/s, " + Fixed(below, 1) +
         "% below the median worker (" + CompactNumber(median) + " tokens/s)" +
         (below > 20 ? ": a straggler (a slow node, a loaded core or a slow link)." : ".") + " Job: " +
         CompactNumber(train["tokens_per_second"].number()) + " tokens/s over " +
         Fixed(train["train_seconds"].number(), 2) + " s of training.</p>";
  return out + "</section>";
}

std::string TimeSplit(const JsonValue& train, const std::vector<double>& rates) {
  const JsonValue& workers = train["workers"];
  std::string out = "<section id=\"time\"><h2>Where each worker's time went</h2>";
  if (workers.size() == 0) return out + Missing("train.json lists no worker.") + "</section>";
  std::vector<std::size_t> shown(workers.size());
  for (std::size_t i = 0; i < shown.size(); ++i) shown[i] = i;
  if (shown.size() > kMaxBars) {  // the slowest workers are the ones to look at
    std::stable_sort(shown.begin(), shown.end(), [&](std::size_t a, std::size_t b) { return rates[a] < rates[b]; });
    shown.resize(kMaxBars);
    std::sort(shown.begin(), shown.end());
  }
  BarChartSpec spec{"Seconds per worker", "seconds", {{"SGNS kernel", PaletteColor(0)}, {"other compute", PaletteColor(9)},
                                                     {"waiting on servers", PaletteColor(3)}, {"input", PaletteColor(2)}}};
  std::vector<BarRow> rows;
  for (std::size_t w : shown) {
    const JsonValue& r = workers[w];
    const double kernel = r["kernel_seconds"].number(), compute = r["compute_seconds"].number();
    const double total = r["seconds"].number();
    rows.push_back({"worker " + std::to_string(r["worker"].integer()),
                    {kernel, std::max(0.0, compute - kernel), r["wait_seconds"].number(), r["read_seconds"].number()},
                    Fixed(total, 2) + " s, kernel " + Fixed(total > 0 ? 100 * kernel / total : 0, 0) + "%"});
  }
  out += BarChart(spec, rows);
  if (shown.size() < workers.size())
    out += "<p class=\"caption\">The " + std::to_string(kMaxBars) + " slowest of " + std::to_string(workers.size()) +
           " workers.</p>";
  return out + "</section>";
}

std::string Memory(const JsonValue& train) {
  const JsonValue& usage = train["rank_usage"];
  std::string out = "<section id=\"memory\"><h2>Peak memory per rank</h2>";
  if (usage.size() == 0)
    return out + Missing("train.json has no rank_usage (written by an item2vec before the run report).") + "</section>";
  std::vector<std::size_t> shown(usage.size());
  for (std::size_t i = 0; i < shown.size(); ++i) shown[i] = i;
  if (shown.size() > kMaxBars) {
    std::stable_sort(shown.begin(), shown.end(), [&](std::size_t a, std::size_t b) {
      return usage[a]["peak_rss_bytes"].number() > usage[b]["peak_rss_bytes"].number();
    });
    shown.resize(kMaxBars);
    std::sort(shown.begin(), shown.end());
  }
  BarChartSpec spec{"Peak resident memory (MiB)", "MiB", {{"worker", PaletteColor(0)}, {"server", PaletteColor(1)}}};
  std::vector<BarRow> rows;
  double total = 0;
  for (const JsonValue& u : usage.items()) total += u["peak_rss_bytes"].number() / 1048576.0;
  for (std::size_t i : shown) {
    const JsonValue& u = usage[i];
    const double mib = u["peak_rss_bytes"].number() / 1048576.0;
    const bool server = u["role"].string() == "server";
    std::string label = "rank " + std::to_string(u["rank"].integer()) + " " + u["role"].string();
    if (!u["host"].string().empty()) label += " @" + u["host"].string();
    rows.push_back({label, {server ? 0 : mib, server ? mib : 0}, Fixed(mib, 1) + " MiB"});
  }
  out += BarChart(spec, rows);
  out += "<p class=\"caption\">Each rank's high-water mark (getrusage), measured when its training or serving "
         "ended; " + std::to_string(usage.size()) + " ranks, " + Fixed(total, 1) + " MiB in all" +
         (shown.size() < usage.size() ? " (the " + std::to_string(kMaxBars) + " largest shown)" : std::string()) +
         ".</p>";
  return out + "</section>";
}

}  // namespace

std::string TrainingSections(const JsonValue& train) {
  if (train.is_null())
    return "<section id=\"loss\"><h2>Training</h2>" + Missing("No train.json next to the vectors: nothing about the run.") +
           "</section>";
  const std::vector<double> rates = WorkerRates(train["workers"]);
  const std::vector<std::size_t> lines =
      LineWorkers(rates, std::max(train["timeline"]["workers"].size(), train["workers"].size()));
  return LossAndRate(train, lines) + Throughput(train, lines, rates) + TimeSplit(train, rates) + Memory(train);
}

}  // namespace item2vec
