// Tests of tools/report/svg_chart.h: escaping, gaps at non-finite values, nice axes, empty
// data, stacked bars and label collisions.
#include "tools/report/svg_chart.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

std::size_t Count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(SvgChartTest, EscapesEveryTextAndIsOneSvgElement) {
  Series s{"<script>&\"'", "#123456", {0, 1}, {1, 2}};
  const std::string svg = LineChart({"a<b>", "x&y", "y\"q"}, {s});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;&amp;&quot;&#39;"), std::string::npos);
  EXPECT_NE(svg.find("a&lt;b&gt;"), std::string::npos);
  EXPECT_EQ(EscapeXml(std::string("a\x01z", 3)), "a z");  // no control bytes in XML
}

TEST(SvgChartTest, ALineBreaksAtNonFiniteValues) {
  Series s{"w", "#000", {0, 1, 2, 3, 4}, {1, 2, NAN, 3, 4}};
  const std::string svg = LineChart({"t", "x", "y"}, {s});
  const std::size_t d = svg.find(" d=\"");
  ASSERT_NE(d, std::string::npos);
  const std::string path = svg.substr(d, svg.find('"', d + 4) - d);
  EXPECT_EQ(Count(path, "M"), 2u);  // two pieces: before and after the gap
  EXPECT_EQ(Count(path, "L"), 2u);
  EXPECT_EQ(path.find("nan"), std::string::npos);
}

TEST(SvgChartTest, NoDataSaysSo) {
  EXPECT_NE(LineChart({"t", "x", "y"}, {}).find("no data"), std::string::npos);
  EXPECT_NE(LineChart({"t", "x", "y"}, {{"w", "#000", {1}, {NAN}}}).find("no data"), std::string::npos);
  EXPECT_NE(BarChart({"t", "v", {{"a", "#000"}}}, {}).find("no data"), std::string::npos);
  EXPECT_NE(ScatterPlot({"t", "", ""}, {}).find("no data"), std::string::npos);
}

TEST(SvgChartTest, AxisTicksAreNiceAndCoverTheData) {
  const std::string svg = LineChart({"t", "x", "y", true}, {{"w", "#000", {0, 7.3}, {0.013, 0.0251}}});
  // y from 0 to 0.03 in steps of 0.01, x from 0 to 8 in steps of 2.
  EXPECT_NE(svg.find(">0.03<"), std::string::npos);
  EXPECT_NE(svg.find(">0.01<"), std::string::npos);
  EXPECT_EQ(svg.find(">0.04<"), std::string::npos);
  EXPECT_NE(svg.find(">8<"), std::string::npos);
  EXPECT_NE(svg.find(">6<"), std::string::npos);
  EXPECT_EQ(CompactNumber(1234567), "1.23M");
  EXPECT_EQ(CompactNumber(2396), "2396");
  EXPECT_EQ(CompactNumber(0.0251), "0.0251");
  EXPECT_EQ(CompactNumber(NAN), "-");
}

TEST(SvgChartTest, StackedBarsHaveOneRectPerPositiveSegmentAndALegend) {
  BarChartSpec spec{"t", "s", {{"a", "#111111"}, {"b", "#222222"}, {"c", "#333333"}}};
  const std::string svg = BarChart(spec, {{"row 1", {1, 0, 2}, "3 s"}, {"row 2", {1, 1, NAN}, "2 s"}});
  EXPECT_EQ(Count(svg, "fill=\"#111111\""), 3u);  // two bars + the legend
  EXPECT_EQ(Count(svg, "fill=\"#222222\""), 2u);  // row 2 + legend (row 1's zero is not drawn)
  EXPECT_EQ(Count(svg, "fill=\"#333333\""), 2u);  // row 1 + legend (row 2's NaN is not drawn)
  EXPECT_NE(svg.find(">3 s<"), std::string::npos);
}

TEST(SvgChartTest, ScatterLabelsDoNotOverlap) {
  std::vector<ScatterPoint> points;
  for (int i = 0; i < 3; ++i) points.push_back({0.5, 0.5, 2, "#000", "tip " + std::to_string(i), "label " + std::to_string(i)});
  points.push_back({0, 0, 2, "#000", "", "far"});
  points.push_back({1, 1, 2, "#000", "", ""});
  const std::string svg = ScatterPlot({"t", "", ""}, points);
  EXPECT_EQ(Count(svg, "<circle"), 5u);
  EXPECT_NE(svg.find(">label 0<"), std::string::npos);  // the first of the three wins
  EXPECT_EQ(svg.find(">label 1<"), std::string::npos);
  EXPECT_NE(svg.find(">far<"), std::string::npos);
  EXPECT_NE(svg.find("<title>tip 2</title>"), std::string::npos);  // every point keeps its tooltip
}

}  // namespace
}  // namespace item2vec
