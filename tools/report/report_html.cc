#include "tools/report/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "tools/report/svg_chart.h"

namespace item2vec {
namespace {

constexpr std::size_t kMapLabels = 12;   // the most frequent items named on the map
constexpr std::size_t kHistoryRows = 20; // nights listed in the history table

const char kStyle[] = R"(<style>
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;font-size:13px}.note{background:#fff4e5;border-left:4px solid #ff7f0e;padding:6px 10px;margin:6px 0;font-size:13px}
.kpis{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}.kpi{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:110px}
.kpi .v{font-size:20px;font-weight:bold}.kpi .k{font-size:12px;color:#666}
.row{display:flex;flex-wrap:wrap;gap:12px}.chart{max-width:100%;height:auto}
.chart text{font-size:11px;fill:#333}.chart .ctitle{font-size:13px;font-weight:bold}.chart .axis{font-size:11px;fill:#555}
.chart .grid{stroke:#eee}.chart .frame{fill:none;stroke:#bbb}.chart .series{stroke-width:1.8;stroke-linecap:round;stroke-linejoin:round}
.chart .plabel{font-size:10px}.chart .empty{fill:#999}
table{border-collapse:collapse;font-size:13px;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f5f5f5}td.l,th.l{text-align:left}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:10px}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 10px;font-size:13px}.card h3{font-size:14px;margin:0 0 4px}
.card ol{margin:4px 0 0 18px;padding:0}.score{color:#888}.caption{color:#555;font-size:13px}
.warn{color:#b35900;font-size:13px;font-weight:bold}.missing{color:#888;font-style:italic;font-size:13px}
footer{margin-top:32px;color:#888;font-size:12px}
</style>)";

std::string Fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Missing(const std::string& what) { return "<p class=\"missing\">" + EscapeXml(what) + "</p>"; }

std::string Kpi(const std::string& value, const std::string& key) {
  return "<div class=\"kpi\"><div class=\"v\">" + EscapeXml(value) + "</div><div class=\"k\">" + EscapeXml(key) +
         "</div></div>";
}

// HR@K of an eval report's results entry, or NaN.
double HitRate(const JsonValue& results, const std::string& k) { return results["hr"][k].number(NAN); }

std::string Header(const ReportPage& p) {
  const JsonValue& t = p.train;
  const JsonValue& s = t["settings"];
  std::string out = "<header><h1>item2vec run report</h1><div class=\"sub\">" + EscapeXml(p.title) + " &middot; model " +
                    EscapeXml(p.model_dir) + " &middot; written " + EscapeXml(p.generated_at) + "</div>";
  for (const std::string& n : p.notes) out += "<div class=\"note\">" + EscapeXml(n) + "</div>";
  out += "<div class=\"kpis\">";
  out += Kpi(std::to_string(p.head.total_items), "items in the model");
  if (!t.is_null()) {
    out += Kpi(CompactNumber(t["tokens_seen"].number()), "tokens read");
    out += Kpi(Fixed(t["train_seconds"].number(), 2) + " s", "training time");
    out += Kpi(CompactNumber(t["tokens_per_second"].number()), "tokens/s");
    out += Kpi(Fixed(t["final_loss"].number(), 4), "final loss");
    out += Kpi(std::to_string(t["ranks"]["workers"].integer()) + " + " + std::to_string(t["ranks"]["servers"].integer()),
               "workers + servers");
    out += Kpi(Fixed(t["bytes_per_token"].number(), 0), "bytes moved per token");
  }
  const JsonValue& model = p.eval["results"]["model"];
  if (!model.is_null()) out += Kpi(Fixed(HitRate(model, "10"), 4), "HR@10 (hold-out)");
  out += "</div>";
  if (!s.is_null()) {
    out += "<div class=\"sub\">dim " + std::to_string(s["dim"].integer()) + ", " + s["model"].string() + ", window " +
           std::to_string(s["window"].integer()) + " (" + s["window_mode"].string() + "), negative " +
           std::to_string(s["negative"].integer()) + ", epochs " + std::to_string(s["epochs"].integer()) + ", alpha " +
           CompactNumber(s["alpha"].number()) + ", min-count " + std::to_string(s["min_count"].integer()) +
           ", sample " + CompactNumber(s["sample"].number()) + ", kernel " + s["kernel"].string() + ", seed " +
           std::to_string(s["seed"].integer());
    if (!s["init_from"].string().empty()) out += ", warm start from " + EscapeXml(s["init_from"].string());
    out += "</div>";
  }
  return out + "</header>";
}

std::string EvalSection(const ReportPage& p) {
  std::string out = "<section id=\"eval\"><h2>Next-item quality on the hold-out</h2>";
  if (p.eval.is_null())
    return out + Missing("No hold-out given (train --report-test, or item2vec report --test / --eval-json).") + "</section>";
  const JsonValue& ks = p.eval["ks"];
  out += "<table><tr><th class=\"l\">ranker</th>";
  for (const JsonValue& k : ks.items()) out += "<th>HR@" + std::to_string(k.integer()) + "</th>";
  for (const JsonValue& k : ks.items()) out += "<th>NDCG@" + std::to_string(k.integer()) + "</th>";
  out += "<th>MRR</th><th>evaluated</th></tr>";
  std::vector<BarRow> bars;
  for (const char* ranker : {"model", "popularity"}) {
    const JsonValue& m = p.eval["results"][ranker];
    if (m.is_null()) continue;
    out += "<tr><td class=\"l\">" + std::string(ranker) + "</td>";
    for (const JsonValue& k : ks.items()) out += "<td>" + Fixed(m["hr"][std::to_string(k.integer())].number(NAN), 4) + "</td>";
    for (const JsonValue& k : ks.items()) out += "<td>" + Fixed(m["ndcg"][std::to_string(k.integer())].number(NAN), 4) + "</td>";
    out += "<td>" + Fixed(m["mrr"].number(NAN), 4) + "</td><td>" + std::to_string(m["evaluated"].integer()) + "</td></tr>";
  }
  out += "</table>";
  for (const JsonValue& k : ks.items()) {
    const std::string key = std::to_string(k.integer());
    const double model = p.eval["results"]["model"]["hr"][key].number(NAN);
    const double pop = p.eval["results"]["popularity"]["hr"][key].number(NAN);
    bars.push_back({"HR@" + key, {model, 0}, "model " + Fixed(model, 4)});
    if (std::isfinite(pop)) bars.push_back({"", {0, pop}, "popularity " + Fixed(pop, 4)});
  }
  out += BarChart({"Hit rate: model against popularity", "HR@K", {{"model", PaletteColor(0)}, {"popularity", PaletteColor(7)}}},
                  bars);
  const JsonValue& rec = p.eval["records"];
  out += "<p class=\"caption\">" + std::to_string(rec["evaluated"].integer()) + " of " +
         std::to_string(rec["read"].integer()) + " held-out records scored (query: " + EscapeXml(p.eval["query"].string()) +
         ", metric " + EscapeXml(p.eval["metric"].string()) + "; skipped: " + std::to_string(rec["skipped"].integer()) +
         "); popularity counts from " + EscapeXml(p.eval["popularity_source"].string()) + ". Source: " +
         EscapeXml(p.eval_source) + ".</p>";
  return out + "</section>";
}

std::string ExamplesSection(const ReportPage& p) {
  std::string out = "<section id=\"examples\"><h2>Example items and their nearest neighbours</h2>";
  if (p.examples.empty() || p.neighbours.k == 0) return out + Missing("The model has no items.") + "</section>";
  out += "<div class=\"cards\">";
  for (std::size_t q : p.examples) {
    if (!p.neighbours.has(q)) continue;
    out += "<div class=\"card\"><h3>" + EscapeXml(DisplayName(p, p.head.items[q])) + "</h3><div class=\"sub\">rank " +
           std::to_string(q + 1) + " by count, seen " + CompactNumber(static_cast<double>(p.head.counts[q])) +
           " times</div><ol>";
    const std::int64_t* ids = p.neighbours.of(q);
    const float* scores = p.neighbours.scores_of(q);
    for (int j = 0; j < p.neighbours.k; ++j) {
      if (ids[j] < 0) continue;
      out += "<li>" + EscapeXml(DisplayName(p, p.head.items[static_cast<std::size_t>(ids[j])])) +
             " <span class=\"score\">" + Fixed(scores[j], 3) + "</span></li>";
    }
    out += "</ol></div>";
  }
  out += "</div><p class=\"caption\">Cosine similarity; neighbours among the " +
         std::to_string(p.head.size()) + " most frequent items" +
         (p.head.size() < static_cast<std::size_t>(p.head.total_items) ? " (not the whole vocabulary)" : "") + ".</p>";
  return out + "</section>";
}

std::string MapSection(const ReportPage& p) {
  std::string out = "<section id=\"map\"><h2>Map of the most frequent items</h2>";
  if (p.map.size() < 3) return out + Missing("Too few items for a map.") + "</section>";
  std::set<std::size_t> examples(p.examples.begin(), p.examples.end());
  // Labelled points first, examples before the most frequent items: they win label space.
  std::vector<std::size_t> order;
  for (std::size_t i : p.examples)
    if (i < p.map.size()) order.push_back(i);
  for (std::size_t i = 0; i < p.map.size(); ++i)
    if (examples.count(i) == 0) order.push_back(i);
  std::vector<ScatterPoint> points;
  for (std::size_t i : order) {
    ScatterPoint pt;
    pt.x = p.map[i][0];
    pt.y = p.map[i][1];
    const bool example = examples.count(i) != 0;
    pt.radius = 1.6 + 0.45 * std::log10(1.0 + static_cast<double>(p.head.counts[i]));
    pt.color = example ? PaletteColor(1) : (i < kMapLabels ? PaletteColor(3) : "rgba(31,119,180,0.45)");
    pt.tooltip = DisplayName(p, p.head.items[i]) + " (rank " + std::to_string(i + 1) + ")";
    if (example || i < kMapLabels) {
      std::string label = DisplayName(p, p.head.items[i]);
      if (label.size() > 28) label = label.substr(0, 26) + "..";
      pt.label = label;
    }
    points.push_back(std::move(pt));
  }
  out += ScatterPlot({"The " + std::to_string(p.map.size()) + " most frequent items, first two principal components",
                      "component 1", "component 2"},
                     points);
  out += "<p class=\"caption\">Principal components of the unit vectors, computed in-process; marked: the " +
         std::to_string(kMapLabels) + " most frequent items (red) and the examples above (orange), named where the "
         "names do not overlap. Hover a point for its name.</p>";
  return out + "</section>";
}

std::string ItemList(const ReportPage& p, const std::vector<std::pair<std::string, Count>>& items) {
  if (items.empty()) return "none";
  std::string out;
  for (const auto& [item, count] : items)
    out += (out.empty() ? "" : ", ") + EscapeXml(DisplayName(p, item)) + " (" + CompactNumber(static_cast<double>(count)) + ")";
  return out;
}

std::string ChangeSection(const ReportPage& p) {
  std::string out = "<section id=\"change\"><h2>What changed since the previous model</h2>";
  if (p.previous_model.empty())
    return out + Missing("No previous model: train with --init-from, train into a directory that holds a model, "
                         "or run item2vec report --previous DIR.") + "</section>";
  out += "<p class=\"caption\">Previous model: " + EscapeXml(p.previous_model) + "</p>";
  if (const auto& v = p.vocabulary_change) {
    out += "<table><tr><th class=\"l\">vocabulary</th><th>before</th><th>now</th><th>added</th><th>removed</th></tr>"
           "<tr><td class=\"l\">items</td><td>" + std::to_string(v->previous_items) + "</td><td>" +
           std::to_string(v->items) + "</td><td>+" + std::to_string(v->added) + "</td><td>-" +
           std::to_string(v->removed) + "</td></tr></table>";
    out += "<p class=\"caption\">Most frequent added: " + ItemList(p, v->top_added) + ".<br>Most frequent removed: " +
           ItemList(p, v->top_removed) + ".</p>";
  }
  if (const auto& n = p.neighbour_change) {
    out += "<p>Neighbour overlap@" + std::to_string(n->k) + " of the most frequent items: <b>" + Fixed(n->mean_overlap, 3) +
           "</b> on average over " + std::to_string(n->compared) + " items in both models.</p>";
    std::vector<BarRow> rows;
    for (std::size_t s = 0; s < n->histogram.size(); ++s)
      rows.push_back({std::to_string(s) + " of " + std::to_string(n->k) + " shared", {static_cast<double>(n->histogram[s])},
                      std::to_string(n->histogram[s])});
    out += BarChart({"Items by neighbours kept", "items", {{"items", PaletteColor(4)}}, 560, 16}, rows);
    if (!n->most_changed.empty()) {
      out += "<p class=\"caption\">Most changed: ";
      for (std::size_t i = 0; i < n->most_changed.size(); ++i)
        out += (i ? ", " : "") + EscapeXml(DisplayName(p, p.head.items[n->most_changed[i].id])) + " (" +
               std::to_string(n->most_changed[i].shared) + "/" + std::to_string(n->k) + ")";
      out += ".</p>";
    }
  }
  return out + "</section>";
}

std::string HistorySection(const ReportPage& p) {
  if (p.history.empty()) return "";  // only the nightly pipeline passes a history
  std::string out = "<section id=\"history\"><h2>History across nights</h2>";
  Series hr_new{"new model", PaletteColor(0), {}, {}, true}, hr_cur{"model in service", PaletteColor(7), {}, {}, true};
  Series train_s{"train", PaletteColor(0), {}, {}, true}, total_s{"whole run", PaletteColor(1), {}, {}, true};
  Series vocab{"items", PaletteColor(2), {}, {}, true};
  for (std::size_t i = 0; i < p.history.size(); ++i) {
    const JsonValue& h = p.history[i];
    const double x = static_cast<double>(i + 1);
    hr_new.x.push_back(x), hr_new.y.push_back(h["new_hr"].number(NAN));
    hr_cur.x.push_back(x), hr_cur.y.push_back(h["current_hr"].number(NAN));
    train_s.x.push_back(x), train_s.y.push_back(h["durations"]["train"].number(NAN));
    total_s.x.push_back(x), total_s.y.push_back(h["durations"]["total"].number(NAN));
    vocab.x.push_back(x), vocab.y.push_back(h["vocab_size"].number(NAN));
  }
  const std::string k = p.history.back()["k"].is_null() ? "K" : std::to_string(p.history.back()["k"].integer());
  const std::string x = "run (oldest to newest)";
  out += "<div class=\"row\">" + LineChart({"Quality: HR@" + k, x, "HR@" + k, false, true}, {hr_new, hr_cur}) +
         LineChart({"Time (seconds)", x, "seconds", true, true}, {train_s, total_s}) +
         LineChart({"Size: vocabulary", x, "items", true, true}, {vocab}) + "</div>";
  out += "<table><tr><th>run</th><th class=\"l\">date</th><th class=\"l\">decision</th><th>HR@" + k +
         " new</th><th>HR@" + k + " in service</th><th>train s</th><th>total s</th><th>items</th><th>exit</th></tr>";
  const std::size_t first = p.history.size() > kHistoryRows ? p.history.size() - kHistoryRows : 0;
  for (std::size_t i = p.history.size(); i-- > first;) {
    const JsonValue& h = p.history[i];
    out += "<tr><td>" + std::to_string(i + 1) + "</td><td class=\"l\">" + EscapeXml(h["date"].string()) +
           "</td><td class=\"l\">" + EscapeXml(h["decision"].string()) + "</td><td>" +
           Fixed(h["new_hr"].number(NAN), 4) + "</td><td>" + Fixed(h["current_hr"].number(NAN), 4) + "</td><td>" +
           Fixed(h["durations"]["train"].number(NAN), 1) + "</td><td>" + Fixed(h["durations"]["total"].number(NAN), 1) +
           "</td><td>" + (h["vocab_size"].is_null() ? "-" : std::to_string(h["vocab_size"].integer())) + "</td><td>" +
           std::to_string(h["exit_code"].integer()) + "</td></tr>";
  }
  out += "</table><p class=\"caption\">From the nightly refresh's history file, one line per run (newest first in the "
         "table).</p>";
  return out + "</section>";
}

}  // namespace

std::string DisplayName(const ReportPage& page, const std::string& item) {
  auto it = page.names.find(item);
  return it == page.names.end() ? item : it->second + " (" + item + ")";
}

std::string RenderReportHtml(const ReportPage& p) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>item2vec report: " +
                     EscapeXml(p.title) + "</title>" + kStyle + "</head><body>\n";
  html += Header(p) + "\n";
  html += TrainingSections(p.train) + "\n";
  html += EvalSection(p) + "\n" + ExamplesSection(p) + "\n" + MapSection(p) + "\n" + ChangeSection(p) + "\n";
  html += HistorySection(p) + "\n";
  html += "<footer>Written by item2vec 0.1.0. Self-contained: every chart is inline SVG, the page loads nothing "
          "from the network.</footer>\n</body></html>\n";
  return html;
}

}  // namespace item2vec
