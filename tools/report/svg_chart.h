// SVG charts for the run report: line charts, horizontal (stacked) bar charts and scatter
// plots, each an inline <svg> element drawn from plain numbers: no script, no font file, no
// external resource, so the page works offline and in any browser.
//
// Contract: every chart function returns one complete "<svg ...>...</svg>" string with a
// fixed viewBox (it scales with the page) and a role="img" aria-label of its title. All text
// the caller gives (titles, series names, labels, tooltips) is XML-escaped here. Non-finite
// values are skipped: a line breaks at them, a bar or point with one is left out. Axes cover
// the data (from 0 when asked) with "nice" ticks (1, 2 or 5 times a power of ten). Series
// colours are the caller's (PaletteColor gives a fixed, colour-blind-friendly set). Pure
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/text_escape.h"  // EscapeXml, which the charts' callers use too

namespace item2vec {

// Colour i of a fixed palette of 10 (cycling).
const char* PaletteColor(std::size_t i);

// A number in a few significant digits for labels: 1234567 -> "1.23M", 0.0251 -> "0.0251".
std::string CompactNumber(double value);

struct Series {
  std::string name;
  std::string color;
  std::vector<double> x, y;  // same length
  bool markers = false;      // a dot at every point (few points, e.g. one per night)
};

struct LineChartSpec {
  std::string title, x_label, y_label;
  bool y_from_zero = false;  // the y axis starts at 0 (rates, sizes)
  bool x_whole = false;      // x ticks on whole numbers only (runs, nights)
  int width = 560, height = 250;
};

std::string LineChart(const LineChartSpec& spec, const std::vector<Series>& series);

// Horizontal bars, one row per BarRow, each row a stack of segments (one value per segment).
struct BarSegment {
  std::string name;
  std::string color;
};
struct BarRow {
  std::string label;          // left of the bar
  std::vector<double> values; // one per segment, >= 0
  std::string note;           // right of the bar (e.g. the total)
};
struct BarChartSpec {
  std::string title, value_label;
  std::vector<BarSegment> segments;  // a legend is drawn when there are several
  int width = 560;
  int row_height = 22;
};

std::string BarChart(const BarChartSpec& spec, const std::vector<BarRow>& rows);

struct ScatterPoint {
  double x = 0, y = 0;
  double radius = 2;
  std::string color;
  std::string tooltip;  // shown on hover (<title>)
  std::string label;    // drawn next to the point when not empty and not over a label already
                        // drawn (points earlier in the list win)
};
struct ScatterSpec {
  std::string title, x_label, y_label;
  int width = 900, height = 600;
};

std::string ScatterPlot(const ScatterSpec& spec, const std::vector<ScatterPoint>& points);

}  // namespace item2vec
