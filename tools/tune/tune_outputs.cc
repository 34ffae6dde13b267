#include "tools/tune/tune_outputs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "common/json_writer.h"
#include "common/text_escape.h"

namespace item2vec {

namespace {

std::string Fixed(double v, int digits = 4) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

const char* Color(int rung) {
  static const char* kColors[] = {"#9ecae1", "#4292c6", "#08519c", "#08306b"};
  return kColors[std::min(rung, 3)];
}

// One scatter plot: x values (numbers, or category indices when labels are given), y = HR.
std::string Scatter(const std::string& title, const std::vector<double>& x, const std::vector<double>& y,
                    const std::vector<const Trial*>& trials, const std::vector<std::string>& categories,
                    bool log_x, std::size_t best_id, double default_y, int w, int h) {
  std::ostringstream s;
  const int left = 48, right = 10, top = 22, bottom = 30;
  double x0 = 1e300, x1 = -1e300, y1 = 1e-9;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xv = log_x ? std::log10(std::max(x[i], 1e-300)) : x[i];
    x0 = std::min(x0, xv);
    x1 = std::max(x1, xv);
    y1 = std::max(y1, y[i]);
  }
  if (!categories.empty()) {
    x0 = -0.5;
    x1 = static_cast<double>(categories.size()) - 0.5;
  }
  if (x1 <= x0) {
    x0 -= 1;
    x1 += 1;
  }
  y1 *= 1.1;
  const auto px = [&](double v) { return left + (v - x0) / (x1 - x0) * (w - left - right); };
  const auto py = [&](double v) { return top + (1 - v / y1) * (h - top - bottom); };
  s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h << "'>"
    << "<text x='" << left << "' y='14' font-size='12' font-weight='bold'>" << EscapeXml(title) << "</text>"
    << "<rect x='" << left << "' y='" << top << "' width='" << (w - left - right) << "' height='"
    << (h - top - bottom) << "' fill='none' stroke='#999'/>";
  for (int t = 0; t <= 2; ++t) {
    const double v = y1 * t / 2;
    s << "<text x='2' y='" << py(v) + 4 << "' font-size='10'>" << Fixed(v, 3) << "</text>";
  }
  s << "<line x1='" << left << "' x2='" << (w - right) << "' y1='" << py(default_y) << "' y2='" << py(default_y)
    << "' stroke='#d62728' stroke-dasharray='4,3'/>";
  if (categories.empty()) {
    for (double v : {x0, x1}) {
      const double shown = log_x ? std::pow(10.0, v) : v;
      s << "<text x='" << px(v) << "' y='" << (h - 8) << "' font-size='10' text-anchor='"
        << (v == x1 ? "end" : "start") << "'>"
        << EscapeXml(FormatTuneNumber(shown)) << "</text>";
    }
  } else {
    for (std::size_t c = 0; c < categories.size(); ++c)
      s << "<text x='" << px(static_cast<double>(c)) - 10 << "' y='" << (h - 8) << "' font-size='10'>"
        << EscapeXml(categories[c]) << "</text>";
  }
  for (std::size_t i = 0; i < x.size(); ++i) {
    const Trial& t = *trials[i];
    const double xv = log_x ? std::log10(std::max(x[i], 1e-300)) : x[i];
    const bool best = static_cast<std::size_t>(t.id) == best_id;
    s << "<circle cx='" << px(xv) << "' cy='" << py(y[i]) << "' r='" << (best ? 6 : 3.5) << "' fill='"
      << (t.is_default ? "#d62728" : Color(t.rung)) << "' stroke='" << (best ? "#ff7f0e" : "none")
      << "' stroke-width='2'><title>trial " << t.id << ": HR " << Fixed(t.result.hr) << ", "
      << t.epochs << " epochs</title></circle>";
  }
  s << "</svg>";
  return s.str();
}

}  // namespace

std::string BestIni(const std::string& base_ini_text, const Trial& best, const Trial& defaults,
                    const TuneSummary& summary) {
  std::ostringstream out;
  out << "# item2vec train settings chosen by `item2vec tune` on the validation split (" << summary.objective
      << ").\n";
  out << "# Use with: mpirun -np N item2vec train --config THIS_FILE --input SEQS --output MODEL\n";
  if (summary.sample_winner_rejected)
    out << "# None of the " << summary.full_candidates << " best settings on the --sample share beat the defaults "
           "on validation once trained on the full input (the defaults " << Fixed(summary.full_valid_default_hr)
        << "): these ARE the defaults.\n";
  else if (best.id == defaults.id)
    out << "# No trial beat the defaults on validation: these ARE the defaults (" << summary.objective << " "
        << Fixed(defaults.result.hr) << ").\n";
  else if (summary.full_check)
    out << "# Trial " << best.id << ": validation " << summary.objective << " " << Fixed(summary.full_valid_hr)
        << " vs the defaults' " << Fixed(summary.full_valid_default_hr) << " trained on the full input (on the "
        << "--sample share " << Fixed(best.result.hr) << " vs " << Fixed(defaults.result.hr) << ").\n";
  else
    out << "# Trial " << best.id << ": validation " << summary.objective << " " << Fixed(best.result.hr)
        << " vs the defaults' " << Fixed(defaults.result.hr) << " (NDCG " << Fixed(best.result.ndcg) << " vs "
        << Fixed(defaults.result.ndcg) << ").\n";
  if (summary.sample_stats.raised)
    out << "# --sample " << summary.sample_stats.requested << " was RAISED to " << summary.sample
        << ": the share held fewer than --sample-min-tokens " << summary.sample_stats.min_tokens << " tokens.\n";
  out << "# Base settings: " << (summary.base_config.empty() ? "train's defaults" : summary.base_config) << "\n";
  std::set<std::string> tuned;
  for (const auto& kv : best.settings) tuned.insert(kv.first);
  std::istringstream in(base_ini_text);
  for (std::string line; std::getline(in, line);) {
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#' || line[b] == ';') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(b, eq - b);
    key.erase(key.find_last_not_of(" \t") + 1);
    if (tuned.count(key) || key == "input" || key == "output") continue;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out << line.substr(b) << "\n";
  }
  out << "# --- tuned ---\n";
  for (const auto& [name, value] : best.settings) out << name << " = " << value << "\n";
  return out.str();
}

std::string TrialsCsv(const std::vector<Trial>& trials, const std::vector<std::string>& names) {
  std::ostringstream out;
  out << "trial,bracket,rung,default,from_log,epochs";
  for (const std::string& n : names)
    if (n != "epochs") out << "," << n;
  out << ",hr,ndcg,seconds,failed,error\n";
  for (const Trial& t : trials) {
    out << t.id << "," << t.bracket << "," << t.rung << "," << (t.is_default ? 1 : 0) << "," << (t.from_log ? 1 : 0)
        << "," << t.epochs;
    for (const std::string& n : names)
      if (n != "epochs") out << "," << CsvField(SettingValue(t.settings, n));
    out << "," << Fixed(t.result.hr, 6) << "," << Fixed(t.result.ndcg, 6) << "," << Fixed(t.result.seconds, 3) << ","
        << (t.result.failed ? 1 : 0) << "," << CsvField(t.result.error) << "\n";
  }
  return out.str();
}

std::string TrialsJson(const std::vector<Trial>& trials, std::size_t best, const TuneSummary& summary) {
  JsonWriter j;
  j.BeginObject();
  j.Key("objective").String(summary.objective).Key("k").Int(summary.k);
  j.Key("budget_seconds").Double(summary.budget_seconds).Key("spent_seconds").Double(summary.spent_seconds);
  j.Key("trained").Int(summary.trained).Key("from_log").Int(summary.from_log);
  j.Key("sample").Double(summary.sample).Key("base_config").String(summary.base_config);
  if (summary.sample_stats.requested < 1) {
    const TuneSampleStats& st = summary.sample_stats;
    j.Key("sample_requested").Double(st.requested).Key("sample_raised").Bool(st.raised);
    j.Key("sample_min_tokens").Int(st.min_tokens).Key("sample_tokens").Int(st.sample_tokens);
    j.Key("input_tokens").Int(st.input_tokens);
  }
  j.Key("best_trial").Int(static_cast<std::int64_t>(best)).Key("defaults_won").Bool(best == 0);
  if (summary.final_trained) {
    j.Key("final").BeginObject().Key("model").String(summary.final_model);
    if (summary.has_test) j.Key("test_hr").Double(summary.test_hr).Key("test_ndcg").Double(summary.test_ndcg);
    if (summary.full_check)
      j.Key("full_valid_hr").Double(summary.full_valid_hr)
          .Key("full_valid_default_hr").Double(summary.full_valid_default_hr)
          .Key("full_candidates").Int(summary.full_candidates)
          .Key("sample_winner_rejected").Bool(summary.sample_winner_rejected);
    j.EndObject();
  }
  j.Key("trials").BeginArray();
  for (const Trial& t : trials) {
    j.BeginObject().Key("trial").Int(t.id).Key("bracket").Int(t.bracket).Key("rung").Int(t.rung);
    j.Key("default").Bool(t.is_default).Key("full").Bool(t.full).Key("from_log").Bool(t.from_log);
    j.Key("epochs").Int(t.epochs);
    j.Key("settings").BeginObject();
    for (const auto& [name, value] : t.settings) j.Key(name).String(value);
    j.EndObject();
    j.Key("hr").Double(t.result.hr).Key("ndcg").Double(t.result.ndcg).Key("seconds").Double(t.result.seconds);
    j.Key("failed").Bool(t.result.failed).Key("error").String(t.result.error).EndObject();
  }
  j.EndArray().EndObject();
  return j.str() + "\n";
}

std::string SearchHtml(const std::vector<Trial>& trials, std::size_t best, const std::vector<std::string>& names,
                       const TuneSummary& summary) {
  std::ostringstream s;
  const Trial& b = trials[best];
  const Trial& d = trials[0];
  s << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>item2vec tune</title>"
    << "<style>body{font-family:sans-serif;margin:20px}svg{margin:4px;background:#fff}"
    << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-size:12px}</style>"
    << "</head><body><h1>item2vec tune</h1>";
  s << "<p>" << trials.size() << " trials (" << summary.trained << " trained in the last run, " << summary.from_log
    << " from the trial log), " << Fixed(summary.spent_seconds, 1) << " s of a " << Fixed(summary.budget_seconds, 1)
    << " s budget; validation " << EscapeXml(summary.objective) << ". ";
  if (best == 0)
    s << "<b>No trial beat the defaults</b> (" << Fixed(d.result.hr) << "): the defaults are the answer.";
  else
    s << "<b>Best: trial " << b.id << "</b>, " << Fixed(b.result.hr) << " vs the defaults' " << Fixed(d.result.hr)
      << " (" << Fixed(d.result.hr > 0 ? b.result.hr / d.result.hr : 0, 2) << "&times;).";
  s << " Red: the defaults (dashed line: their score); blue, darker with more epochs: successive-halving rungs; "
       "orange ring: the winner.</p>";
  std::vector<const Trial*> ok;
  for (const Trial& t : trials)
    if (!t.result.failed) ok.push_back(&t);
  std::vector<double> x, y;
  for (const Trial* t : ok) {
    x.push_back(t->id);
    y.push_back(t->result.hr);
  }
  s << "<div>" << Scatter("validation " + summary.objective + " per trial", x, y, ok, {}, false, best, d.result.hr, 900, 260)
    << "</div><div>";
  for (const std::string& name : names) {
    std::vector<std::string> categories;
    bool numeric = true;
    for (const Trial* t : ok) {
      const std::string v = SettingValue(t->settings, name);
      char* end = nullptr;
      std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0') numeric = false;
      if (std::find(categories.begin(), categories.end(), v) == categories.end()) categories.push_back(v);
    }
    std::vector<double> xs;
    bool log_x = numeric;
    for (const Trial* t : ok) {
      const std::string v = SettingValue(t->settings, name);
      if (numeric) {
        xs.push_back(std::strtod(v.c_str(), nullptr));
        if (xs.back() <= 0) log_x = false;
      } else {
        xs.push_back(static_cast<double>(std::find(categories.begin(), categories.end(), v) - categories.begin()));
      }
    }
    if (numeric) {
      double lo = 1e300, hi = -1e300;
      for (double v : xs) lo = std::min(lo, v), hi = std::max(hi, v);
      log_x = log_x && hi / lo > 20;  // only wide positive ranges read better in log
    }
    s << Scatter(name + (log_x ? " (log)" : ""), xs, y, ok, numeric ? std::vector<std::string>() : categories, log_x,
                 best, d.result.hr, 290, 200);
  }
  s << "</div><h2>Trials</h2><table><tr><th>trial</th><th>bracket</th><th>rung</th><th>epochs</th>";
  for (const std::string& n : names)
    if (n != "epochs") s << "<th>" << EscapeXml(n) << "</th>";
  s << "<th>HR</th><th>NDCG</th><th>s</th></tr>";
  for (const Trial& t : trials) {
    s << "<tr" << (t.id == static_cast<int>(best) ? " style='background:#ffe8cc'" : "") << "><td>" << t.id
      << (t.is_default ? " (defaults)" : "") << "</td><td>" << t.bracket << "</td><td>" << t.rung << "</td><td>"
      << t.epochs << "</td>";
    for (const std::string& n : names)
      if (n != "epochs") s << "<td>" << EscapeXml(SettingValue(t.settings, n)) << "</td>";
    s << "<td>" << (t.result.failed ? "failed" : Fixed(t.result.hr)) << "</td><td>" << Fixed(t.result.ndcg)
      << "</td><td>" << Fixed(t.result.seconds, 1) << "</td></tr>";
  }
  s << "</table></body></html>\n";
  return s.str();
}

}  // namespace item2vec
