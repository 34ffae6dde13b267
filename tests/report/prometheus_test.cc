// Tests of tools/report/prometheus.h: the exposition text (grouping, escaping, exact values,
// invalid names), the textfile merge that keeps the last success's figures, the atomic write
// and URL redaction. (The push itself is tested against a real Pushgateway: metrics_test.sh.)
#include "tools/report/prometheus.h"

#include <cmath>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace item2vec {
namespace {

TEST(PrometheusTest, TextGroupsSamplesUnderOneHeaderAndEscapesLabels) {
  MetricsText m;
  ASSERT_TRUE(m.Add("a_total", "first", 1).ok());
  ASSERT_TRUE(m.Add("b", "second\nline", 0.1, {{"k", "10"}, {"path", "a\"b\\c\nd"}}).ok());
  ASSERT_TRUE(m.Add("a_total", "first", 2.5, {{"role", "server"}}).ok());
  ASSERT_TRUE(m.Add("c", "nan", NAN).ok());
  ASSERT_TRUE(m.Add("d", "inf", -INFINITY).ok());
  EXPECT_EQ(m.str(),
            "# HELP a_total first\n# TYPE a_total gauge\na_total 1\na_total{role=\"server\"} 2.5\n"
            "# HELP b second line\n# TYPE b gauge\nb{k=\"10\",path=\"a\\\"b\\\\c\\nd\"} 0.10000000000000001\n"
            "# HELP c nan\n# TYPE c gauge\nc NaN\n# HELP d inf\n# TYPE d gauge\nd -Inf\n");
  EXPECT_FALSE(m.Add("1bad", "x", 1).ok());
  EXPECT_FALSE(m.Add("ok", "x", 1, {{"bad-label", "v"}}).ok());
}

TEST(PrometheusTest, MergeKeepsTheFamiliesTheUpdateDoesNotHave) {
  const std::string base =
      "# HELP x_exit_code e\n# TYPE x_exit_code gauge\nx_exit_code 0\n"
      "# HELP x_last_success_timestamp_seconds s\n# TYPE x_last_success_timestamp_seconds gauge\n"
      "x_last_success_timestamp_seconds 100\n# HELP x_hit_rate h\n# TYPE x_hit_rate gauge\nx_hit_rate{k=\"10\"} 0.05\n";
  const std::string update = "# HELP x_exit_code e\n# TYPE x_exit_code gauge\nx_exit_code 3\n";
  const std::string merged = MergeMetricsText(base, update);
  EXPECT_NE(merged.find("x_exit_code 3\n"), std::string::npos);
  EXPECT_EQ(merged.find("x_exit_code 0"), std::string::npos);
  EXPECT_NE(merged.find("x_last_success_timestamp_seconds 100\n"), std::string::npos);
  EXPECT_NE(merged.find("x_hit_rate{k=\"10\"} 0.05\n"), std::string::npos);
  EXPECT_EQ(merged.find("# TYPE x_exit_code"), merged.rfind("# TYPE x_exit_code"));  // one header
}

TEST(PrometheusTest, TextfileIsReplacedOrMerged) {
  testing::TempDir dir;
  const std::string path = dir.File("item2vec.prom");
  MetricsText ok;
  ok.Add("x_exit_code", "e", 0);
  ok.Add("x_last_success_timestamp_seconds", "s", 100);
  ASSERT_TRUE(WriteMetricsTextfile(path, ok.str(), MetricsMode::kReplace).ok());
  MetricsText failed;
  failed.Add("x_exit_code", "e", 4);
  ASSERT_TRUE(WriteMetricsTextfile(path, failed.str(), MetricsMode::kMerge).ok());
  const std::string after = testing::ReadFile(path);
  EXPECT_NE(after.find("x_exit_code 4\n"), std::string::npos);
  EXPECT_NE(after.find("x_last_success_timestamp_seconds 100\n"), std::string::npos);
  ASSERT_TRUE(WriteMetricsTextfile(path, ok.str(), MetricsMode::kReplace).ok());
  EXPECT_EQ(testing::ReadFile(path), ok.str());
  EXPECT_FALSE(WriteMetricsTextfile(dir.File("no/such/dir/x.prom"), ok.str(), MetricsMode::kReplace).ok());
}

TEST(PrometheusTest, PushErrorsNameTheTargetWithoutItsPassword) {
  EXPECT_EQ(RedactUrl("http://user:secret@host:9091/base"), "http://***@host:9091/base");
  EXPECT_EQ(RedactUrl("http://host:9091"), "http://host:9091");
  EXPECT_FALSE(PushMetrics("http://127.0.0.1:9", "bad job", "", MetricsMode::kReplace).ok());
  // Nothing listens on port 9 (discard) of loopback in the test machines: a clear I/O error.
  Status st = PushMetrics("http://user:secret@127.0.0.1:9", "j", "x 1\n", MetricsMode::kReplace, 2000);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kIOError);
  EXPECT_NE(st.message().find("http://***@127.0.0.1:9/metrics/job/j"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace item2vec
