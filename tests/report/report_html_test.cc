// Tests of the run report's page (tools/report/report_html.h) and of WriteRunReport
// (run_report.h) on small models: every section, what a missing piece looks like, escaping
// of hostile item names and titles, nothing loaded from outside the page, the file and its
// link in an output directory, and the comparison with a previous model.
#include "tools/report/report_html.h"

#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "tests/report/report_test_util.h"
#include "tools/report/run_report.h"

namespace item2vec {
namespace {

const char kTrainJson[] = R"({"settings":{"dim":2,"model":"sg","window":5,"window_mode":"sliding","negative":5,
"epochs":3,"alpha":0.025,"min_count":1,"sample":0.001,"kernel":"hogbatch","seed":1,"init_from":""},
"ranks":{"world":3,"servers":1,"workers":2},"vocab_size":4,"tokens_seen":1000,"train_seconds":2.5,
"tokens_per_second":400,"final_loss":2.25,"bytes_per_token":100,
"workers":[{"worker":0,"tokens":600,"seconds":2.5,"wait_seconds":0.5,"read_seconds":0.2,"compute_seconds":1.8,"kernel_seconds":1.5},
           {"worker":1,"tokens":300,"seconds":2.4,"wait_seconds":0.4,"read_seconds":0.2,"compute_seconds":1.8,"kernel_seconds":1.6}],
"timeline":{"gap":0.1,"workers":[{"worker":0,"seconds":[0.5,1.5,2.5],"tokens":[100,350,600],"words":[1,2,3],"loss":[null,3.1,2.2],"alpha":[0.02,0.01,0.001]},
                                 {"worker":1,"seconds":[0.5,2.4],"tokens":[80,400],"words":[1,2],"loss":[4.0,2.3],"alpha":[0.02,0.002]}]},
"rank_usage":[{"rank":0,"role":"worker","host":"h0","peak_rss_bytes":41943040,"cpu_seconds":2},
              {"rank":2,"role":"server","host":"h1","peak_rss_bytes":20971520,"cpu_seconds":1}]})";

ReportPage SmallPage() {
  ReportPage p;
  p.title = "out";
  p.model_dir = "out/model.1";
  p.generated_at = "2026-01-01 00:00:00 UTC";
  p.train = ParseJson(kTrainJson).value();
  p.head.items = {"<b>bold</b>", "b", "c", "d"};
  p.head.counts = {40, 30, 20, 10};
  p.head.dim = 2;
  p.head.rows = {1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f};
  p.head.total_items = 4;
  p.neighbours = FindHeadNeighbours(p.head, 2, {0, 1, 2, 3}, 1).value();
  p.examples = {0, 1, 3};
  p.map = PrincipalPlane(p.head, 4);
  p.names = {{"b", "Title with \"quotes\" & <tags>"}};
  return p;
}

TEST(ReportHtmlTest, EverySectionWithItsFiguresAndNothingFromOutside) {
  const std::string html = RenderReportHtml(SmallPage());
  for (const char* section : {"id=\"loss\"", "id=\"throughput\"", "id=\"time\"", "id=\"memory\"", "id=\"eval\"",
                              "id=\"examples\"", "id=\"map\"", "id=\"change\""})
    EXPECT_NE(html.find(section), std::string::npos) << section;
  EXPECT_EQ(html.find("id=\"history\""), std::string::npos);  // only with a history
  EXPECT_NE(html.find("worker 1"), std::string::npos);
  EXPECT_NE(html.find("rank 2 server @h1"), std::string::npos);
  EXPECT_NE(html.find("40.0 MiB"), std::string::npos);
  EXPECT_NE(html.find("2.2500"), std::string::npos);  // final loss
  // worker 1 at 300/2.4 = 125 tokens/s is 32% below the median (240 + 125) / 2: a straggler.
  EXPECT_NE(html.find("Slowest worker: 1"), std::string::npos);
  EXPECT_NE(html.find("straggler"), std::string::npos);
  for (const char* outside : {"src=", "href=", "url(", "@import", "<link", "<script"})
    EXPECT_EQ(html.find(outside), std::string::npos) << outside;
}

TEST(ReportHtmlTest, ItemNamesAndTitlesAreEscaped) {
  const std::string html = RenderReportHtml(SmallPage());
  EXPECT_EQ(html.find("<b>bold</b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("Title with &quot;quotes&quot; &amp; &lt;tags&gt; (b)"), std::string::npos);
}

TEST(ReportHtmlTest, MissingPiecesAreSaidNotDrawn) {
  ReportPage p = SmallPage();
  p.train = JsonValue();
  const std::string html = RenderReportHtml(p);
  EXPECT_NE(html.find("No train.json"), std::string::npos);
  EXPECT_NE(html.find("No hold-out given"), std::string::npos);
  EXPECT_NE(html.find("No previous model"), std::string::npos);
  ReportPage old = SmallPage();
  old.train = ParseJson(R"({"vocab_size":4,"workers":[]})").value();  // before the timeline existed
  EXPECT_NE(RenderReportHtml(old).find("has no timeline"), std::string::npos);
}

TEST(ReportHtmlTest, HistoryShowsEveryNightNewestFirst) {
  ReportPage p = SmallPage();
  p.history.push_back(ParseJson(R"({"date":"2026-04-01","decision":"published","new_hr":0.05,"k":10,"exit_code":0,
                                    "vocab_size":4,"durations":{"train":2,"total":9}})").value());
  p.history.push_back(ParseJson(R"({"date":"2026-04-02","decision":"refused","new_hr":0.03,"current_hr":0.05,
                                    "k":10,"exit_code":6,"durations":{"total":8}})").value());
  const std::string html = RenderReportHtml(p);
  const std::size_t second = html.find("2026-04-02"), first = html.find("2026-04-01");
  ASSERT_NE(second, std::string::npos);
  ASSERT_NE(first, std::string::npos);
  EXPECT_LT(second, first);
  EXPECT_NE(html.find("refused"), std::string::npos);
  EXPECT_NE(html.find("HR@10 in service"), std::string::npos);
}

TEST(WriteRunReportTest, WritesIntoThePublishedModelWithALinkAndComparesWithThePrevious) {
  testing::TempDir out;
  std::filesystem::create_directory(out.File("model.2"));
  ASSERT_EQ(::symlink("model.2", out.File("model").c_str()), 0);
  std::vector<std::vector<float>> rows = {{1, 0}, {0.9f, 0.1f}, {0, 1}, {0.1f, 0.9f}, {0.5f, 0.5f}};
  report_test::WriteModel(out.File("model.2"), {"a", "b", "c", "d", "e"}, rows);
  testing::WriteFile(out.File("model.2/train.json"), kTrainJson);
  testing::TempDir before;
  report_test::WriteModel(before.path(), {"a", "c", "b", "gone"}, {{1, 0}, {0, 1}, {0.9f, 0.1f}, {0.2f, 0.3f}});
  ReportRequest r;
  r.model = out.path();
  r.previous = before.path();
  Result<ReportResult> written = WriteRunReport(r);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->path, std::filesystem::canonical(out.File("model.2")).string() + "/report.html");
  EXPECT_EQ(std::filesystem::read_symlink(out.File("report.html")).string(), "model/report.html");
  const std::string html = testing::ReadFile(out.File("report.html"));
  EXPECT_NE(html.find("<td>4</td><td>5</td><td>+2</td><td>-1</td>"), std::string::npos);  // d, e added; gone removed
  EXPECT_NE(html.find("Neighbour overlap@10"), std::string::npos);
  EXPECT_EQ(html.find("class=\"note\""), std::string::npos);  // nothing failed
  // A previous model that cannot be read is a note, not an error; a model that cannot be read is.
  r.previous = before.File("nope");
  written = WriteRunReport(r);
  ASSERT_TRUE(written.ok());
  EXPECT_NE(testing::ReadFile(out.File("report.html")).find("Not compared with the previous model"), std::string::npos);
  r.model = before.File("nope");
  EXPECT_FALSE(WriteRunReport(r).ok());
}

}  // namespace
}  // namespace item2vec
