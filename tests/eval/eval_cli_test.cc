// End to end: `item2vec eval` and `item2vec similar` on a small model whose answers are
// known: items 100+i and 200+i (i < 10) are planted near-identical pairs, 300+j are
// random. In 16 dimensions a random vector is far from every other, so the nearest
// neighbour of 100+i is 200+i and vice versa.
#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <gtest/gtest.h>

#include "common/word2vec_format.h"
#include "tests/eval/eval_test_util.h"

namespace item2vec {
namespace {

using eval_testing::CommandResult;
using eval_testing::ReadFile;
using eval_testing::TempDir;
using eval_testing::WriteFile;

constexpr int kDim = 16;
constexpr int kPairs = 10;
constexpr int kRandom = 30;

std::string P(int i) { return std::to_string(100 + i); }
std::string Q(int i) { return std::to_string(200 + i); }
std::string R(int j) { return std::to_string(300 + j); }

class EvalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = dir_.File("model");
    std::filesystem::create_directory(model_);
    // Row order = vocab.tsv order = descending count: random items, then p, then q.
    std::mt19937 rng(2024);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::normal_distribution<float> noise(0.0f, 0.01f);
    std::vector<std::string> items;
    std::vector<std::vector<float>> rows;
    std::vector<long> counts;
    for (int j = 0; j < kRandom; ++j) {
      items.push_back(R(j));
      counts.push_back(1000 - j);
      rows.emplace_back(kDim);
      for (float& x : rows.back()) x = g(rng);
    }
    std::vector<std::vector<float>> p_rows;
    for (int i = 0; i < kPairs; ++i) {
      items.push_back(P(i));
      counts.push_back(500 - i);
      rows.emplace_back(kDim);
      for (float& x : rows.back()) x = g(rng);
      p_rows.push_back(rows.back());
    }
    for (int i = 0; i < kPairs; ++i) {
      items.push_back(Q(i));
      counts.push_back(100 - i);
      rows.emplace_back(kDim);
      for (int k = 0; k < kDim; ++k) rows.back()[k] = p_rows[i][k] + noise(rng);
    }
    Word2VecWriter w;
    ASSERT_TRUE(w.Open(model_ + "/vectors.txt", model_ + "/vectors.bin", static_cast<std::int64_t>(items.size()), kDim)
                    .ok());
    std::string vocab;
    for (std::size_t r = 0; r < items.size(); ++r) {
      w.Add(items[r], rows[r].data());
      vocab += items[r] + "\t" + std::to_string(counts[r]) + "\n";
    }
    ASSERT_TRUE(w.Commit().ok());
    WriteFile(model_ + "/vocab.tsv", vocab);
    WriteFile(model_ + "/train.json", "{\"options\":{\"dim\":16}}\n");

    // Ten records whose answer is the planted partner, and one of each special case.
    std::string test;
    for (int i = 0; i < kPairs; ++i) test += "u" + std::to_string(i) + "\t" + Q(i) + "\t" + R(i) + " " + P(i) + "\n";
    test += "u_empty\t" + R(0) + "\t\n";          // skipped: empty history
    test += "u_oovq\t" + R(0) + "\t" + P(0) + " 999\n";  // skipped: last item unknown
    test += "u_oovt\t888\t" + P(1) + "\n";         // evaluated, a miss: target unknown
    WriteFile(dir_.File("test.tsv"), test);
  }

  CommandResult Item2vec(const std::string& args) { return eval_testing::Run(ITEM2VEC_BINARY, args, dir_.path()); }

  boost::property_tree::ptree Json(const std::string& path) {
    boost::property_tree::ptree t;
    std::istringstream in(ReadFile(path));
    boost::property_tree::read_json(in, t);
    return t;
  }

  TempDir dir_;
  std::string model_;
};

TEST_F(EvalCliTest, EvalFindsPlantedPairsAndBeatsPopularity) {
  const CommandResult r =
      Item2vec("eval --model " + model_ + " --test " + dir_.File("test.tsv") + " --json " + dir_.File("out.json") +
               " --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("HR@10"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("popularity"), std::string::npos) << r.out;
  const auto j = Json(dir_.File("out.json"));
  EXPECT_EQ(j.get<int>("records.read"), 13);
  EXPECT_EQ(j.get<int>("records.evaluated"), 11);
  EXPECT_EQ(j.get<int>("records.skipped_empty_history"), 1);
  EXPECT_EQ(j.get<int>("records.skipped_query_oov"), 1);
  EXPECT_EQ(j.get<int>("records.target_oov"), 1);
  EXPECT_EQ(j.get<int>("items"), kPairs * 2 + kRandom);
  // Model: the ten planted partners at rank 1, the unknown target a miss.
  EXPECT_NEAR(j.get<double>("results.model.hr.1"), 10.0 / 11, 1e-9);
  EXPECT_NEAR(j.get<double>("results.model.ndcg.20"), 10.0 / 11, 1e-9);
  EXPECT_NEAR(j.get<double>("results.model.mrr"), 10.0 / 11, 1e-9);
  // Popularity: q_i is at place 40 + i of 50; the query p_i ahead of it is excluded.
  double mrr = 0;
  for (int i = 0; i < kPairs; ++i) mrr += 1.0 / (40 + i);
  EXPECT_NEAR(j.get<double>("results.popularity.mrr"), mrr / 11, 1e-9);
  EXPECT_EQ(j.get<double>("results.popularity.hr.20"), 0.0);
}

TEST_F(EvalCliTest, ExcludeHistoryMeanQueryAndTextVectorsFile) {
  std::string test;
  for (int i = 0; i < kPairs; ++i) test += "u" + std::to_string(i) + "\t" + Q(i) + "\t" + P(i) + " 999\n";
  test += "again\t" + Q(0) + "\t" + Q(0) + " " + P(0) + "\n";  // next item already in history
  WriteFile(dir_.File("t2.tsv"), test);
  // last: the last item (999) is unknown in ten records.
  CommandResult r = Item2vec("eval --model " + model_ + " --test " + dir_.File("t2.tsv") + " --json " +
                             dir_.File("a.json") + " --exclude-history");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = Json(dir_.File("a.json"));
  EXPECT_EQ(j.get<int>("records.skipped_query_oov"), 10);
  EXPECT_EQ(j.get<int>("records.evaluated"), 1);
  EXPECT_EQ(j.get<int>("records.target_excluded"), 1);
  EXPECT_EQ(j.get<double>("results.model.hr.20"), 0.0);
  // Without --exclude-history the repeated item is found (p0's partner is q0).
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("t2.tsv") + " --json " + dir_.File("b.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(dir_.File("b.json")).get<double>("results.model.hr.1"), 1.0);
  // mean:2 uses the last two items that are in the model: p_i alone here.
  r = Item2vec("eval --model " + model_ + "/vectors.txt --test " + dir_.File("t2.tsv") + " --json " +
               dir_.File("c.json") + " --query mean:2 --k 1,3 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = Json(dir_.File("c.json"));
  EXPECT_EQ(j.get<int>("records.evaluated"), 11);
  EXPECT_NEAR(j.get<double>("results.model.hr.1"), 10.0 / 11, 1e-9);  // "again" queries q0 + p0 themselves
  EXPECT_EQ(j.get<std::string>("results.popularity"), "null");  // a bare vectors file has no counts
  EXPECT_NE(r.out.find("skipped: no item counts"), std::string::npos) << r.out;
}

TEST_F(EvalCliTest, EvalErrors) {
  CommandResult r = Item2vec("eval --model " + model_ + " --test " + dir_.File("missing.tsv"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("missing.tsv"), std::string::npos) << r.err;

  WriteFile(dir_.File("bad.tsv"), "u1\t" + Q(0) + "\t" + P(0) + "\nu2 " + Q(1) + " " + P(1) + "\n");
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("bad.tsv"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("bad.tsv:2: no tab"), std::string::npos) << r.err;

  r = Item2vec("eval --model " + dir_.File("nomodel") + " --test " + dir_.File("test.tsv"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;

  WriteFile(model_ + "/train.json", "{\"options\":{\"dim\":32}}\n");
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("test.tsv"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("dimension mismatch"), std::string::npos) << r.err;

  // A text file read as binary gives garbage values, reported as such.
  r = Item2vec("eval --model " + model_ + "/vectors.txt --format binary --test " + dir_.File("test.tsv"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("--format text"), std::string::npos) << r.err;

  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("test.tsv") + " --query mean:0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--query"), std::string::npos) << r.err;
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("test.tsv") + " --bogus");
  EXPECT_EQ(r.exit_code, 2);
  r = Item2vec("eval --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--exclude-history"), std::string::npos);
}

TEST_F(EvalCliTest, SimilarPrintsPartnersWithTitles) {
  std::string csv = "movieId,title,genres\r\n";
  for (int i = 0; i < kPairs; ++i) {
    csv += P(i) + ",\"Movie " + P(i) + ", The\",Drama\r\n";
    csv += Q(i) + ",\"Sequel \"\"" + Q(i) + "\"\"\",Drama\r\n";
  }
  WriteFile(dir_.File("names.csv"), csv);
  CommandResult r = Item2vec("similar --model " + model_ + " --item " + P(3) + " --item 555 --item " + Q(7) +
                             " -k 3 --names " + dir_.File("names.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("item '555' is not in the model"), std::string::npos) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> all;
  while (std::getline(lines, line)) all.push_back(line);
  ASSERT_EQ(all.size(), 10u) << r.out;  // 2 x (header + 3 neighbours + blank)
  EXPECT_EQ(all[0], "# " + P(3) + "\tMovie " + P(3) + ", The");
  EXPECT_EQ(all[1].substr(0, 6), "1\t" + Q(3) + "\t") << all[1];
  EXPECT_NE(all[1].find("\tSequel \"" + Q(3) + "\""), std::string::npos) << all[1];
  const double cosine = std::stod(all[1].substr(6));
  EXPECT_GT(cosine, 0.99);
  EXPECT_LE(cosine, 1.0 + 1e-6);
  EXPECT_EQ(all[2].substr(0, 2), "2\t");
  EXPECT_EQ(all[5], "# " + Q(7) + "\tSequel \"" + Q(7) + "\"");
  EXPECT_EQ(all[6].substr(0, 6), "1\t" + P(7) + "\t") << all[6];
  for (int i = 1; i <= 3; ++i)  // the query itself is never its own neighbour
    EXPECT_EQ(all[i].find("\t" + P(3) + "\t"), std::string::npos) << all[i];
  for (int i = 6; i <= 8; ++i) EXPECT_EQ(all[i].find("\t" + Q(7) + "\t"), std::string::npos) << all[i];
}

TEST_F(EvalCliTest, SimilarOnTextVectorsFileAndUnknownItems) {
  WriteFile(dir_.File("items.txt"), "# queries\n" + Q(2) + "\n\n");
  CommandResult r = Item2vec("similar --model " + model_ + "/vectors.txt --items-file " + dir_.File("items.txt") + " -k 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# " + Q(2) + "\n1\t" + P(2) + "\t0.99", 0), 0u) << r.out;
  EXPECT_EQ(r.out.find("\n2\t"), std::string::npos) << r.out;  // -k 1
  r = Item2vec("similar --model " + model_ + " --item nope --item 12345");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("item 'nope' is not in the model"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("none of the 2 item(s)"), std::string::npos) << r.err;
  r = Item2vec("similar --model " + model_);
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(EvalCliTest, EvalOfNothingExitsThreeWithTheCountsAndStillWritesThem) {
  WriteFile(dir_.File("empty.tsv"), "");
  CommandResult r = Item2vec("eval --model " + model_ + " --test " + dir_.File("empty.tsv") + " --json " +
                             dir_.File("e.json"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("no test record could be evaluated: 0 read"), std::string::npos) << r.err;
  EXPECT_EQ(Json(dir_.File("e.json")).get<int>("records.evaluated"), 0);
  // Every query item unknown: read, but none evaluated.
  WriteFile(dir_.File("unknown.tsv"), "u1\t" + Q(0) + "\t777 778\nu2\t" + Q(1) + "\t779\nu3\t" + Q(1) + "\t\n");
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("unknown.tsv") + " --json " + dir_.File("u.json"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("3 read, 1 with an empty history, 2 whose query items are all outside the model's 50 items"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Json(dir_.File("u.json")).get<int>("records.read"), 3);
}

TEST_F(EvalCliTest, HugeKIsCappedAtTheModelSize) {
  CommandResult r = Item2vec("similar --model " + model_ + " --item " + P(1) + " -k 100000000");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("-k 100000000 is more than the model's 49 other items; listing all of them"), std::string::npos)
      << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int neighbours = 0;
  while (std::getline(lines, line)) neighbours += !line.empty() && line[0] != '#';
  EXPECT_EQ(neighbours, 49) << r.out;
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("test.tsv") + " --k 10,1000000 --json " +
               dir_.File("k.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("--k 1000000 is more than the model's 50 items"), std::string::npos) << r.err;
  const auto j = Json(dir_.File("k.json"));
  EXPECT_NEAR(j.get<double>("results.model.hr.1000000"), 10.0 / 11, 1e-9);  // every in-model target
}

TEST_F(EvalCliTest, ReadsTheModelAModelLinkPointsTo) {
  // The layout item2vec train writes: DIR/model -> model.3, DIR/vectors.bin -> model/vectors.bin.
  const std::string out = dir_.File("out");
  std::filesystem::create_directories(out);
  std::filesystem::rename(model_, out + "/model.3");
  std::filesystem::create_directory_symlink("model.3", out + "/model");
  for (const char* f : {"vectors.txt", "vectors.bin", "vocab.tsv", "train.json"})
    std::filesystem::create_symlink(std::string("model/") + f, out + "/" + f);
  CommandResult r = Item2vec("eval --model " + out + " --test " + dir_.File("test.tsv") + " --json " + dir_.File("l.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(out + "/model.3/vectors.bin"), std::string::npos) << r.err;
  EXPECT_EQ(Json(dir_.File("l.json")).get<int>("records.evaluated"), 11);
}

}  // namespace
}  // namespace item2vec

namespace item2vec {
namespace {

// --metric on the hand-computed model a = (3, 4), b = (1, 0), c = (0, 2), query b:
// cosine a 0.6, c 0; dot a 3, c 0; euclidean c sqrt(5), a sqrt(20).
TEST_F(EvalCliTest, SimilarMetricsOnAHandComputedModel) {
  WriteFile(dir_.File("abc.txt"), "3 2\na 3 4\nb 1 0\nc 0 2\n");
  const auto similar = [&](const std::string& metric) {
    return Item2vec("similar --model " + dir_.File("abc.txt") + " --item b -k 2 --metric " + metric);
  };
  CommandResult r = similar("cosine");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "# b\n1\ta\t0.600000\n2\tc\t0.000000\n\n");
  r = similar("dot");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "# b\n1\ta\t3.000000\n2\tc\t0.000000\n\n");
  r = similar("euclidean");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "# b\n1\tc\t2.236068\n2\ta\t4.472136\n\n");
  r = similar("manhattan");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--metric must be cosine, dot or euclidean"), std::string::npos) << r.err;
  // eval ranks by the metric too: from b, dot puts a first, euclidean c.
  WriteFile(dir_.File("abc.tsv"), "u\ta\tb\n");
  r = Item2vec("eval --model " + dir_.File("abc.txt") + " --test " + dir_.File("abc.tsv") + " --metric dot --json " +
               dir_.File("dot.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(dir_.File("dot.json")).get<double>("results.model.hr.1"), 1.0);
  EXPECT_EQ(Json(dir_.File("dot.json")).get<std::string>("metric"), "dot");
  r = Item2vec("eval --model " + dir_.File("abc.txt") + " --test " + dir_.File("abc.tsv") +
               " --metric euclidean --json " + dir_.File("l2.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(dir_.File("l2.json")).get<double>("results.model.mrr"), 0.5);
}

TEST_F(EvalCliTest, IndexServesSimilarAndEvalAndIsRefusedOnceTheModelChanges) {
  CommandResult r = Item2vec("index --model " + model_ + " --check 50 --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, model_ + "/vectors.bin.cosine.index\n");
  EXPECT_NE(r.err.find("recall@10 against the exact search at --ef 40: 1 "), std::string::npos) << r.err;
  const std::string query = " --item " + P(3) + " --item " + Q(5) + " -k 5";
  const CommandResult exact = Item2vec("similar --model " + model_ + query);
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  r = Item2vec("similar --model " + model_ + query + " --index --ef 20");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, exact.out);  // 50 items: the graph finds the exact answer
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("test.tsv") + " --index --json " + dir_.File("i.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = Json(dir_.File("i.json"));
  EXPECT_EQ(j.get<std::string>("search"), "hnsw ef=40");
  EXPECT_EQ(j.get<std::string>("mrr"), "cut_at_20");
  EXPECT_NEAR(j.get<double>("results.model.hr.1"), 10.0 / 11, 1e-9);
  // No euclidean index was built.
  r = Item2vec("similar --model " + model_ + query + " --metric euclidean --index");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no euclidean index"), std::string::npos) << r.err;
  // The vectors change in place (one row): the index is stale.
  Result<Embeddings> e = ReadWord2Vec(model_ + "/vectors.bin", VectorFormat::kBinary);
  ASSERT_TRUE(e.ok());
  e->data[0] += 0.5f;
  Word2VecWriter w;
  ASSERT_TRUE(w.Open("", model_ + "/vectors.bin", static_cast<std::int64_t>(e->items.size()), e->dim).ok());
  for (std::size_t i = 0; i < e->items.size(); ++i) w.Add(e->items[i], e->data.data() + i * e->dim);
  ASSERT_TRUE(w.Commit().ok());
  r = Item2vec("similar --model " + model_ + query + " --index");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("stale index"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("item2vec index --model " + model_ + "/vectors.bin --metric cosine"), std::string::npos) << r.err;
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("test.tsv") + " --index");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(Item2vec("index --model " + model_ + " --m 1").exit_code, 2);
}

TEST_F(EvalCliTest, QueryUserNextToLastOnTheSameRecords) {
  std::string test;
  for (int i = 0; i < kPairs; ++i) test += "u" + std::to_string(i) + "\t" + Q(i) + "\t" + P(i) + "\n";
  test += "two\t" + Q(1) + "\t" + P(1) + " 999\n";  // last unknown: skipped for every query
  WriteFile(dir_.File("u.tsv"), test);
  CommandResult r = Item2vec("eval --model " + model_ + " --test " + dir_.File("u.tsv") + " --query last,user --json " +
                             dir_.File("u.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\nlast "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nuser "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\npopularity "), std::string::npos) << r.out;
  auto j = Json(dir_.File("u.json"));
  EXPECT_EQ(j.get<int>("records.evaluated"), 10);
  EXPECT_EQ(j.get<int>("records.skipped_query_oov"), 1);
  // One-item histories: the user vector is that item's direction, so both find the partner.
  EXPECT_EQ(j.get<double>("results.queries.last.hr.1"), 1.0);
  EXPECT_EQ(j.get<double>("results.queries.user.hr.1"), 1.0);
  EXPECT_EQ(j.get<double>("results.model.hr.1"), 1.0);  // the first query
  // Alone, user also evaluates the record whose last item is unknown (P(1) is known).
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("u.tsv") + " --query user --json " + dir_.File("v.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(dir_.File("v.json")).get<int>("records.evaluated"), 11);
  EXPECT_EQ(Json(dir_.File("v.json")).get<double>("results.model.hr.1"), 1.0);
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("u.tsv") + " --query last,last");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("twice"), std::string::npos) << r.err;
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("u.tsv") + " --query users");
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(EvalCliTest, SimilarNamesFromAPipeSeparatedHeaderlessLatin1File) {
  std::string items;
  for (int i = 0; i < kPairs; ++i) items += P(i) + "|Cit\xE9 " + P(i) + "|01-Jan-1995||x|0\n" + Q(i) + "|Q " + Q(i) + "|x\n";
  WriteFile(dir_.File("u.item"), items);
  CommandResult r =
      Item2vec("similar --model " + model_ + " --item " + Q(4) + " -k 1 --names " + dir_.File("u.item") + " --name-columns 1,2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# " + Q(4) + "\tQ " + Q(4) + "\n1\t" + P(4) + "\t0.99", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\tCit\xC3\xA9 " + P(4) + "\n"), std::string::npos) << r.out;
  // Named columns need a header: refused with what to do.
  r = Item2vec("similar --model " + model_ + " --item " + Q(4) + " --names " + dir_.File("u.item") +
               " --name-header no");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("1-based"), std::string::npos) << r.err;
}

// Issue 26 item 1: a vectors file whose header promises far more rows (or a far larger
// dim) than it holds is bad input (exit 3, naming the file) in every tool that reads
// vectors, never a crash on a huge allocation.
TEST_F(EvalCliTest, LyingVectorsHeaderIsBadInputInEveryTool) {
  const std::string one_row = "a 1 2 3\n";
  WriteFile(dir_.File("rows.txt"), "100000000000 3\n" + one_row);
  WriteFile(dir_.File("dim.txt"), "3 4611686018427387904\n" + one_row);
  WriteFile(dir_.File("rows.bin"), "100000000000 3\na " + std::string(12, '\0') + "\n");
  WriteFile(dir_.File("t.tsv"), "u\ta\ta\n");
  for (const std::string v : {"rows.txt", "dim.txt", "rows.bin"}) {
    const std::string m = " --model " + dir_.File(v);
    for (const std::string& command :
         {"similar" + m + " --item a", "eval" + m + " --test " + dir_.File("t.tsv"), "index" + m,
          "embed-users" + m + " --sequences " + dir_.File("t.tsv") + " --output " + dir_.File("u.vec"),
          "publish" + m + " --redis 127.0.0.1:1"}) {
      const CommandResult r = Item2vec(command);
      EXPECT_EQ(r.exit_code, 3) << command << "\n" << r.err;
      EXPECT_NE(r.err.find(dir_.File(v) + "' "), std::string::npos) << command << "\n" << r.err;
      EXPECT_NE(r.err.find("line 1"), std::string::npos) << command << "\n" << r.err;
    }
  }
}

// Issue 26 items 10, 14 and 16: embed-users reads what eval reads through the same
// reader (a line eval refuses is refused), takes a directory of part files as train does,
// writes one vector per user, and has nothing to write = bad input.
TEST_F(EvalCliTest, EmbedUsersOneVectorPerUserSameReaderAsEvalAndDirectories) {
  const std::string out = dir_.File("users.vec");
  // prep --holdout last:2 writes two records per user, the second history extending the first.
  WriteFile(dir_.File("two.tsv"), "u1\t" + P(1) + "\t" + P(0) + "\n" + "u1\t" + Q(1) + "\t" + P(0) + " " + P(1) +
                                      "\n" + "u2\t" + P(2) + "\t" + Q(2) + "\n" + "u2\t" + P(3) + "\t" + Q(2) + " " +
                                      P(2) + "\n");
  CommandResult r = Item2vec("embed-users --model " + model_ + " --sequences " + dir_.File("two.tsv") + " --output " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Result<Embeddings> users = ReadWord2Vec(out, VectorFormat::kText);
  ASSERT_TRUE(users.ok()) << users.status().ToString();
  ASSERT_EQ(users->items, (std::vector<std::string>{"u1", "u2"}));
  // u1's vector is the one of its longer history (P0, P1), the same as a file holding only it.
  WriteFile(dir_.File("long.tsv"), "u1\t" + Q(1) + "\t" + P(0) + " " + P(1) + "\n");
  r = Item2vec("embed-users --model " + model_ + " --sequences " + dir_.File("long.tsv") + " --output " +
               dir_.File("long.vec"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Result<Embeddings> alone = ReadWord2Vec(dir_.File("long.vec"), VectorFormat::kText);
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(std::vector<float>(users->row(0), users->row(0) + kDim), alone->data);

  // The lines eval refuses (an empty user would become the key PREFIX:V:u:).
  WriteFile(dir_.File("bad.tsv"), "u1\t" + Q(0) + "\t" + P(0) + "\n\t" + Q(1) + "\t" + P(1) + "\n");
  r = Item2vec("embed-users --model " + model_ + " --sequences " + dir_.File("bad.tsv") + " --output " + out);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("bad.tsv:2: empty user"), std::string::npos) << r.err;
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("bad.tsv"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("bad.tsv:2: empty user"), std::string::npos) << r.err;

  // A directory of sequence part files, as prep writes DIR/train: users numbered over both.
  std::filesystem::create_directories(dir_.File("train"));
  WriteFile(dir_.File("train/part-00000"), P(0) + " " + P(1) + "\n" + Q(2) + "\n");
  WriteFile(dir_.File("train/part-00001"), P(3) + " " + Q(3) + "\n");
  r = Item2vec("embed-users --model " + model_ + " --sequences " + dir_.File("train") + " --output " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  users = ReadWord2Vec(out, VectorFormat::kText);
  ASSERT_TRUE(users.ok()) << users.status().ToString();
  EXPECT_EQ(users->items, (std::vector<std::string>{"1", "2", "3"}));

  // No user with a known item: exit 3 (as eval with no evaluable record), nothing written.
  std::filesystem::remove(out);
  WriteFile(dir_.File("unknown.tsv"), "u1\t" + Q(0) + "\t999 998\n");
  r = Item2vec("embed-users --model " + model_ + " --sequences " + dir_.File("unknown.tsv") + " --output " + out);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("no user vector to write"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// Issue 26 item 16: option limits are stated and checked before any model is read, and
// an input that is not a file is an input error.
TEST_F(EvalCliTest, LimitsAreStatedAndCheckedFirstAndADirectoryOfNamesIsBadInput) {
  CommandResult r = Item2vec("eval --model " + model_ + " --test " + dir_.File("test.tsv") + " --k 100000000");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("1000000"), std::string::npos) << r.err;
  r = Item2vec("eval --model " + model_ + " --test " + dir_.File("test.tsv") + " --k 1e8");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("1000000"), std::string::npos) << r.err;
  // --m 0 is refused before the model is looked at (a missing one here).
  r = Item2vec("index --model " + dir_.File("no-such-model") + " --m 0");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--m must be between 2 and 512"), std::string::npos) << r.err;
  r = Item2vec("index --model " + dir_.File("no-such-model") + " --ef-construction 0");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // --names given a directory: exit 3 (input), not 4 (output I/O).
  r = Item2vec("similar --model " + model_ + " --item " + P(1) + " --names " + dir_.path());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(dir_.path()), std::string::npos) << r.err;
}

}  // namespace
}  // namespace item2vec
