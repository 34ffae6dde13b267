#include "tools/report/svg_chart.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace item2vec {
namespace {

constexpr double kLeft = 62, kRight = 16, kTop = 34, kBottom = 42;  // plot margins

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A value range with nice ticks covering [lo, hi].
struct Axis {
  double lo = 0, hi = 1, step = 1;
  std::vector<double> ticks;
};

Axis NiceAxis(double lo, double hi, int target_ticks, bool whole = false) {
  Axis a;
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(1, target_ticks);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  a.step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  if (whole) a.step = std::max(1.0, a.step);
  a.lo = std::floor(lo / a.step) * a.step;
  a.hi = std::ceil(hi / a.step) * a.step;
  for (double t = a.lo; t <= a.hi + a.step * 1e-9; t += a.step) a.ticks.push_back(std::abs(t) < a.step * 1e-9 ? 0 : t);
  return a;
}

std::string SvgOpen(int width, int height, const std::string& title) {
  return "<svg class=\"chart\" viewBox=\"0 0 " + std::to_string(width) + " " +
         std::to_string(height) + "\" width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) +
         "\" role=\"img\" aria-label=\"" + EscapeXml(title) + "\">" + "<text class=\"ctitle\" x=\"" + Num(kLeft) +
         "\" y=\"18\">" + EscapeXml(title) + "</text>";
}

std::string Text(double x, double y, const std::string& text, const char* anchor, const char* cls = "tick") {
  return "<text class=\"" + std::string(cls) + "\" x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" text-anchor=\"" + anchor +
         "\">" + EscapeXml(text) + "</text>";
}

// A legend of coloured squares along the top right.
std::string Legend(const std::vector<std::pair<std::string, std::string>>& entries, double right, double y) {
  std::string out;
  double x = right;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    x -= 14 + 6.2 * static_cast<double>(it->first.size());
    out += "<rect x=\"" + Num(x) + "\" y=\"" + Num(y - 8) + "\" width=\"9\" height=\"9\" fill=\"" + it->second + "\"/>";
    out += Text(x + 12, y, it->first, "start", "legend");
    x -= 8;
  }
  return out;
}

}  // namespace

const char* PaletteColor(std::size_t i) {
  // Tableau 10: distinct for the usual forms of colour blindness in the first few entries.
  static const char* const kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return kColors[i % 10];
}

std::string CompactNumber(double v) {
  if (!std::isfinite(v)) return "-";
  const double a = std::abs(v);
  char buf[32];
  if (a >= 1e9) std::snprintf(buf, sizeof buf, "%.3gG", v / 1e9);
  else if (a >= 1e6) std::snprintf(buf, sizeof buf, "%.3gM", v / 1e6);
  else if (a >= 1e4) std::snprintf(buf, sizeof buf, "%.3gk", v / 1e3);
  else if (a >= 100) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string LineChart(const LineChartSpec& spec, const std::vector<Series>& series) {
  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  for (const Series& s : series)
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xlo = std::min(xlo, s.x[i]), xhi = std::max(xhi, s.x[i]);
      ylo = std::min(ylo, s.y[i]), yhi = std::max(yhi, s.y[i]);
    }
  std::string out = SvgOpen(spec.width, spec.height, spec.title);
  const double pw = spec.width - kLeft - kRight, ph = spec.height - kTop - kBottom;
  if (!std::isfinite(xlo)) return out + Text(kLeft + pw / 2, kTop + ph / 2, "no data", "middle", "empty") + "</svg>";
  if (spec.y_from_zero) ylo = std::min(0.0, ylo);
  const Axis ax = NiceAxis(xlo, xhi, 6, spec.x_whole), ay = NiceAxis(ylo, yhi, 5);
  auto px = [&](double x) { return kLeft + (x - ax.lo) / (ax.hi - ax.lo) * pw; };
  auto py = [&](double y) { return kTop + ph - (y - ay.lo) / (ay.hi - ay.lo) * ph; };
  for (double t : ay.ticks) {
    out += "<line class=\"grid\" x1=\"" + Num(kLeft) + "\" x2=\"" + Num(kLeft + pw) + "\" y1=\"" + Num(py(t)) +
           "\" y2=\"" + Num(py(t)) + "\"/>";
    out += Text(kLeft - 6, py(t) + 4, CompactNumber(t), "end");
  }
  for (double t : ax.ticks) out += Text(px(t), kTop + ph + 16, CompactNumber(t), "middle");
  out += "<rect class=\"frame\" x=\"" + Num(kLeft) + "\" y=\"" + Num(kTop) + "\" width=\"" + Num(pw) + "\" height=\"" +
         Num(ph) + "\"/>";
  out += Text(kLeft + pw / 2, spec.height - 6, spec.x_label, "middle", "axis");
  out += "<text class=\"axis\" transform=\"translate(14," + Num(kTop + ph / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         EscapeXml(spec.y_label) + "</text>";
  std::vector<std::pair<std::string, std::string>> legend;
  for (const Series& s : series) {
    std::string d;
    bool pen_down = false;
    std::size_t drawn = 0;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        pen_down = false;
        continue;
      }
      d += (pen_down ? "L" : "M") + Num(px(s.x[i])) + " " + Num(py(s.y[i]));
      pen_down = true;
      ++drawn;
    }
    if (drawn == 1) d += "h0.1";  // a lone point still shows (round line caps)
    out += "<path class=\"series\" fill=\"none\" stroke=\"" + s.color + "\" d=\"" + d + "\"><title>" +
           EscapeXml(s.name) + "</title></path>";
    if (s.markers)
      for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
        if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
          out += "<circle cx=\"" + Num(px(s.x[i])) + "\" cy=\"" + Num(py(s.y[i])) + "\" r=\"3.5\" fill=\"" + s.color +
                 "\"><title>" + EscapeXml(s.name + ": " + CompactNumber(s.y[i])) + "</title></circle>";
    if (!s.name.empty()) legend.emplace_back(s.name, s.color);
  }
  if (legend.size() > 1 || (legend.size() == 1 && series.size() == 1 && !legend[0].first.empty()))
    out += Legend(legend, spec.width - kRight, 18);
  return out + "</svg>";
}

std::string BarChart(const BarChartSpec& spec, const std::vector<BarRow>& rows) {
  const double label_w = 150, note_w = 90, top = spec.segments.size() > 1 ? 40 : 30;
  const int height = static_cast<int>(top + spec.row_height * std::max<std::size_t>(1, rows.size()) + 28);
  std::string out = SvgOpen(spec.width, height, spec.title);
  double most = 0;
  for (const BarRow& r : rows) {
    double total = 0;
    for (double v : r.values) total += std::isfinite(v) && v > 0 ? v : 0;
    most = std::max(most, total);
  }
  if (rows.empty() || most <= 0) return out + Text(spec.width / 2.0, top + 14, "no data", "middle", "empty") + "</svg>";
  const Axis ax = NiceAxis(0, most, 4);
  const double pw = spec.width - label_w - note_w;
  auto px = [&](double v) { return label_w + v / ax.hi * pw; };
  const double bottom = top + spec.row_height * static_cast<double>(rows.size());
  for (double t : ax.ticks) {
    out += "<line class=\"grid\" x1=\"" + Num(px(t)) + "\" x2=\"" + Num(px(t)) + "\" y1=\"" + Num(top) + "\" y2=\"" +
           Num(bottom) + "\"/>";
    out += Text(px(t), bottom + 14, CompactNumber(t), "middle");
  }
  out += Text(label_w + pw / 2, bottom + 27, spec.value_label, "middle", "axis");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double y = top + spec.row_height * static_cast<double>(i);
    out += Text(label_w - 6, y + spec.row_height * 0.65, rows[i].label, "end");
    double x = 0;
    for (std::size_t s = 0; s < rows[i].values.size() && s < spec.segments.size(); ++s) {
      const double v = rows[i].values[s];
      if (!std::isfinite(v) || v <= 0) continue;
      out += "<rect x=\"" + Num(px(x)) + "\" y=\"" + Num(y + 3) + "\" width=\"" + Num(px(x + v) - px(x)) +
             "\" height=\"" + Num(spec.row_height - 6) + "\" fill=\"" + spec.segments[s].color + "\"><title>" +
             EscapeXml(rows[i].label + ": " + spec.segments[s].name + " " + CompactNumber(v)) + "</title></rect>";
      x += v;
    }
    out += Text(px(x) + 5, y + spec.row_height * 0.65, rows[i].note, "start");
  }
  if (spec.segments.size() > 1) {
    std::vector<std::pair<std::string, std::string>> legend;
    for (const BarSegment& s : spec.segments) legend.emplace_back(s.name, s.color);
    out += Legend(legend, spec.width - kRight, 34);
  }
  return out + "</svg>";
}

std::string ScatterPlot(const ScatterSpec& spec, const std::vector<ScatterPoint>& points) {
  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  for (const ScatterPoint& p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    xlo = std::min(xlo, p.x), xhi = std::max(xhi, p.x), ylo = std::min(ylo, p.y), yhi = std::max(yhi, p.y);
  }
  std::string out = SvgOpen(spec.width, spec.height, spec.title);
  const double pw = spec.width - 2 * 20.0, ph = spec.height - kTop - 30;
  if (!std::isfinite(xlo)) return out + Text(spec.width / 2.0, spec.height / 2.0, "no data", "middle", "empty") + "</svg>";
  const double xr = xhi > xlo ? xhi - xlo : 1, yr = yhi > ylo ? yhi - ylo : 1;
  auto px = [&](double x) { return 20 + (x - xlo) / xr * pw; };
  auto py = [&](double y) { return kTop + ph - (y - ylo) / yr * ph; };
  out += "<rect class=\"frame\" x=\"20\" y=\"" + Num(kTop) + "\" width=\"" + Num(pw) + "\" height=\"" + Num(ph) + "\"/>";
  out += Text(20 + pw / 2, spec.height - 8, spec.x_label, "middle", "axis");
  out += "<text class=\"axis\" transform=\"translate(14," + Num(kTop + ph / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         EscapeXml(spec.y_label) + "</text>";
  std::string labels;
  std::vector<std::array<double, 4>> taken;  // label boxes placed so far: x0, y0, x1, y1
  for (const ScatterPoint& p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    out += "<circle cx=\"" + Num(px(p.x)) + "\" cy=\"" + Num(py(p.y)) + "\" r=\"" + Num(p.radius) + "\" fill=\"" +
           p.color + "\">" + (p.tooltip.empty() ? "" : "<title>" + EscapeXml(p.tooltip) + "</title>") + "</circle>";
    if (p.label.empty()) continue;
    // A label that would cover one already placed is left out (its point keeps its tooltip).
    const bool left = px(p.x) > 20 + pw * 0.75;
    const double w = 5.6 * static_cast<double>(p.label.size()), x = px(p.x) + (left ? -p.radius - 3 : p.radius + 3);
    const std::array<double, 4> box{left ? x - w : x, py(p.y) - 6, left ? x : x + w, py(p.y) + 6};
    const bool overlaps = std::any_of(taken.begin(), taken.end(), [&](const std::array<double, 4>& b) {
      return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3];
    });
    if (overlaps) continue;
    taken.push_back(box);
    labels += Text(x, py(p.y) + 4, p.label, left ? "end" : "start", "plabel");
  }
  return out + labels + "</svg>";  // labels last: drawn over the points
}

}  // namespace item2vec
