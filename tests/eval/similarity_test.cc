// --metric cosine|dot|euclidean on hand-computed cases: items a = (3, 4), b = (1, 0),
// c = (0, 2) and the query q = (1, 0).
//   cosine (unit rows a = (0.6, 0.8), b = (1, 0), c = (0, 1)): b 1, a 0.6, c 0
//   dot: a 3, b 1, c 0
//   euclidean: |q - b| = 0, |q - c| = sqrt(5), |q - a| = sqrt(20)
#include "model/similarity.h"

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <gtest/gtest.h>

#include "model/nearest_neighbors.h"
#include "model/search_options.h"
#include "model/user_vector.h"

namespace item2vec {
namespace {

const std::vector<float> kRows = {3, 4, 1, 0, 0, 2};
const float kQuery[2] = {1, 0};

struct Top {
  std::vector<std::int64_t> items;
  std::vector<double> shown;
};

Top Search(Similarity s, int threads = 1) {
  const ItemMatrix m = ItemMatrix::FromRows(kRows.data(), 3, 2, s);
  const QuerySet qs{kQuery, 1, nullptr, nullptr, nullptr};
  SearchOptions o;
  o.top_k = 3;
  o.threads = threads;
  SearchResults res;
  EXPECT_TRUE(ExactSearch(m, qs, o, &res).ok());
  Top t;
  for (int i = 0; i < 3; ++i) {
    t.items.push_back(res.top_items[i]);
    t.shown.push_back(DisplayScore(s, res.top_scores[i], 1.0));
    EXPECT_EQ(res.top_scores[i], m.Dot(kQuery, static_cast<std::size_t>(res.top_items[i])));  // one arithmetic
  }
  return t;
}

TEST(Similarity, CosineRanksByAngle) {
  const Top t = Search(Similarity::kCosine);
  EXPECT_EQ(t.items, (std::vector<std::int64_t>{1, 0, 2}));
  EXPECT_NEAR(t.shown[0], 1.0, 1e-7);
  EXPECT_NEAR(t.shown[1], 0.6, 1e-7);
  EXPECT_NEAR(t.shown[2], 0.0, 1e-7);
}

TEST(Similarity, DotFavoursLongVectors) {
  const Top t = Search(Similarity::kDot);
  EXPECT_EQ(t.items, (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_DOUBLE_EQ(t.shown[0], 3.0);
  EXPECT_DOUBLE_EQ(t.shown[1], 1.0);
  EXPECT_DOUBLE_EQ(t.shown[2], 0.0);
}

TEST(Similarity, EuclideanRanksByDistanceAndShowsIt) {
  const Top t = Search(Similarity::kEuclidean, 2);
  EXPECT_EQ(t.items, (std::vector<std::int64_t>{1, 2, 0}));
  EXPECT_NEAR(t.shown[0], 0.0, 1e-6);
  EXPECT_NEAR(t.shown[1], std::sqrt(5.0), 1e-6);
  EXPECT_NEAR(t.shown[2], std::sqrt(20.0), 1e-6);
  // The kernel score is q.x - |x|^2 / 2: a = 3 - 12.5.
  const ItemMatrix m = ItemMatrix::FromRows(kRows.data(), 3, 2, Similarity::kEuclidean);
  EXPECT_FLOAT_EQ(m.Dot(kQuery, 0), -9.5f);
  EXPECT_FLOAT_EQ(m.at(0, 0), 3.0f);  // raw rows are kept
}

TEST(Similarity, RankOfATargetFollowsTheMetric) {
  for (const auto& [s, rank_of_c] : std::vector<std::pair<Similarity, std::int64_t>>{
           {Similarity::kCosine, 3}, {Similarity::kDot, 3}, {Similarity::kEuclidean, 2}}) {
    const ItemMatrix m = ItemMatrix::FromRows(kRows.data(), 3, 2, s);
    const std::int64_t target = 2;
    const QuerySet qs{kQuery, 1, &target, nullptr, nullptr};
    SearchResults res;
    ASSERT_TRUE(ExactSearch(m, qs, SearchOptions{}, &res).ok());
    EXPECT_EQ(res.rank[0], rank_of_c) << SimilarityName(s);
  }
}

TEST(Similarity, ParseAndNames) {
  EXPECT_EQ(*ParseSimilarity("cosine"), Similarity::kCosine);
  EXPECT_EQ(*ParseSimilarity("dot"), Similarity::kDot);
  EXPECT_EQ(*ParseSimilarity("euclidean"), Similarity::kEuclidean);
  const Result<Similarity> bad = ParseSimilarity("l2");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cosine, dot or euclidean"), std::string::npos);
  EXPECT_STREQ(ScoreName(Similarity::kEuclidean), "distance");
  EXPECT_STREQ(ScoreName(Similarity::kDot), "dot");
}

// The user vector: the mean of the stored rows, last K, recency weights.
TEST(UserVector, MeanLastAndHalfLife) {
  const ItemMatrix m = ItemMatrix::FromRows(kRows.data(), 3, 2, Similarity::kDot);
  const std::int64_t rows[3] = {0, 1, 2};
  double sum[2];
  float out[2];
  UserVector(m, rows, 3, UserVectorOptions{}, sum, out);
  EXPECT_FLOAT_EQ(out[0], 4.0f / 3);
  EXPECT_FLOAT_EQ(out[1], 2.0f);
  UserVector(m, rows, 3, UserVectorOptions{2, 0}, sum, out);  // b and c
  EXPECT_FLOAT_EQ(out[0], 0.5f);
  EXPECT_FLOAT_EQ(out[1], 1.0f);
  UserVector(m, rows, 2, UserVectorOptions{0, 1.0}, sum, out);  // a weighs 0.5, b 1
  EXPECT_FLOAT_EQ(out[0], (0.5f * 3 + 1) / 1.5f);
  EXPECT_FLOAT_EQ(out[1], (0.5f * 4) / 1.5f);
  const ItemMatrix unit = ItemMatrix::FromRows(kRows.data(), 3, 2, Similarity::kCosine);
  UserVector(unit, rows, 1, UserVectorOptions{}, sum, out);  // cosine: unit rows
  EXPECT_FLOAT_EQ(out[0], 0.6f);
}

// The --format and --metric rows eval, similar and index share (model/search_options.h): the
// variable's value is the default, a command's note ends the help, and the option binds.
TEST(SearchOptions, RowsShowTheDefaultAndTheCommandsNoteAndBind) {
  namespace po = boost::program_options;
  std::string format = "auto", metric = "cosine";
  po::options_description d;
  AddVectorsFormatOption(&d, &format, "; NOTE-F");
  AddMetricOption(&d, &metric, ". NOTE-M");
  std::ostringstream help;
  help << d;
  EXPECT_NE(help.str().find("--format arg (=auto)"), std::string::npos) << help.str();
  EXPECT_NE(help.str().find("--metric arg (=cosine)"), std::string::npos) << help.str();
  const std::string format_help = d.find("format", false).description();
  const std::string metric_help = d.find("metric", false).description();
  EXPECT_EQ(format_help, "vectors file format: text, binary, or auto (binary when the name ends in .bin); NOTE-F");
  EXPECT_EQ(metric_help.rfind("similarity measure: 'cosine' (the default)", 0), 0u) << metric_help;
  EXPECT_NE(metric_help.find("such as k-means. NOTE-M"), std::string::npos) << metric_help;
  po::variables_map vm;
  const char* argv[] = {"x", "--metric", "dot"};
  po::store(po::parse_command_line(3, argv, d), vm);
  po::notify(vm);
  EXPECT_EQ(metric, "dot");
  EXPECT_EQ(format, "auto");
}

}  // namespace
}  // namespace item2vec
