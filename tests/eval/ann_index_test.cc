// The HNSW index: recall against the exact search on generated clustered vectors, exact
// re-scoring and exclusions, the files it writes (atomic, one graph left) and the refusal
// of an index built from another model version.
#include "model/ann_index.h"

#include <cmath>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "common/word2vec_format.h"
#include "tests/eval/eval_test_util.h"

namespace item2vec {
namespace {

using eval_testing::TempDir;

// n items in `clusters` Gaussian clusters of an 8-dimensional latent space mapped to dim.
std::vector<float> Clustered(std::size_t n, int dim, int clusters, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  const int latent = 8;
  std::vector<float> centres(static_cast<std::size_t>(clusters) * latent), proj(static_cast<std::size_t>(dim) * latent);
  for (float& c : centres) c = g(rng);
  for (float& p : proj) p = g(rng) / std::sqrt(static_cast<float>(latent));
  std::vector<float> rows(n * dim), z(latent);
  for (std::size_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng() % static_cast<std::uint32_t>(clusters));
    for (int j = 0; j < latent; ++j) z[j] = centres[static_cast<std::size_t>(c) * latent + j] + 0.35f * g(rng);
    for (int k = 0; k < dim; ++k) {
      float s = 0.05f * g(rng);
      for (int j = 0; j < latent; ++j) s += proj[static_cast<std::size_t>(k) * latent + j] * z[j];
      rows[i * dim + k] = s;
    }
  }
  return rows;
}

double RecallAt10(const ItemMatrix& m, const AnnIndex& index, std::size_t queries, int ef) {
  const std::size_t d = static_cast<std::size_t>(m.dim());
  std::vector<float> q(queries * d);
  std::vector<std::size_t> begin{0};
  std::vector<ItemId> exclude;
  for (std::size_t i = 0; i < queries; ++i) {
    const std::size_t row = i * (m.size() / queries);
    m.CopyRow(row, q.data() + i * d);
    exclude.push_back(static_cast<ItemId>(row));
    begin.push_back(exclude.size());
  }
  const QuerySet qs{q.data(), queries, nullptr, begin.data(), exclude.data()};
  SearchOptions o;
  o.top_k = 10;
  o.threads = 2;
  SearchResults exact, approx;
  EXPECT_TRUE(ExactSearch(m, qs, o, &exact).ok());
  EXPECT_TRUE(index.Search(m, qs, 10, ef, 2, &approx).ok());
  std::size_t hits = 0;
  for (std::size_t i = 0; i < queries; ++i) {
    for (int a = 0; a < 10; ++a) {
      EXPECT_NE(approx.top_items[i * 10 + a], static_cast<std::int64_t>(exclude[i]));  // excluded
      for (int e = 0; e < 10; ++e) hits += approx.top_items[i * 10 + a] == exact.top_items[i * 10 + e];
    }
    // Scores are the exact ones, best first.
    for (int a = 1; a < 10; ++a) EXPECT_GE(approx.top_scores[i * 10 + a - 1], approx.top_scores[i * 10 + a]);
  }
  return static_cast<double>(hits) / static_cast<double>(queries * 10);
}

TEST(AnnIndex, RecallOnTwentyThousandClusteredVectors) {
  const std::size_t n = 20000;
  const int d = 32;
  const std::vector<float> rows = Clustered(n, d, 200, 7);
  const ItemMatrix m = ItemMatrix::FromRows(rows.data(), n, d, Similarity::kCosine);
  AnnBuildOptions o;
  o.ef_construction = 100;
  o.threads = 2;
  Result<std::unique_ptr<AnnIndex>> index = AnnIndex::Build(m, o);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ((*index)->size(), n);
  const double recall = RecallAt10(m, **index, 500, AnnBuildOptions::kDefaultEf);
  EXPECT_GE(recall, 0.95) << "recall@10 at the default ef";
  EXPECT_GE(RecallAt10(m, **index, 500, 400), recall - 1e-9);  // a wider search is no worse
}

TEST(AnnIndex, EuclideanAndDotSpaces) {
  const std::size_t n = 4000;
  const int d = 16;
  std::vector<float> rows = Clustered(n, d, 40, 11);
  for (std::size_t i = 0; i < n; ++i)  // lengths that differ, so the three measures differ
    for (int k = 0; k < d; ++k) rows[i * d + k] *= 0.5f + static_cast<float>(i % 7) / 4;
  for (Similarity s : {Similarity::kEuclidean, Similarity::kDot}) {
    const ItemMatrix m = ItemMatrix::FromRows(rows.data(), n, d, s);
    AnnBuildOptions o;
    o.threads = 1;
    Result<std::unique_ptr<AnnIndex>> index = AnnIndex::Build(m, o);
    ASSERT_TRUE(index.ok());
    EXPECT_GE(RecallAt10(m, **index, 200, 200), s == Similarity::kDot ? 0.9 : 0.95) << SimilarityName(s);
  }
}

class AnnIndexFiles : public ::testing::Test {
 protected:
  void WriteModel(float bump) {
    std::vector<float> rows = Clustered(500, 8, 10, 3);
    rows[0] += bump;
    Word2VecWriter w;
    ASSERT_TRUE(w.Open("", vectors_, 500, 8).ok());
    for (int i = 0; i < 500; ++i) w.Add("i" + std::to_string(i), rows.data() + i * 8);
    ASSERT_TRUE(w.Commit().ok());
  }
  std::unique_ptr<LoadedModel> Load() {
    ModelPaths p;
    p.vectors = vectors_;
    p.format = VectorFormat::kBinary;
    Result<std::unique_ptr<LoadedModel>> m = LoadModel(p, Similarity::kCosine);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return std::move(*m);
  }
  std::size_t Graphs() {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      const std::string name = e.path().filename().string();
      EXPECT_EQ(name.find(".tmp."), std::string::npos) << name;  // no temporary left
      n += name.size() > 5 && name.compare(name.size() - 5, 5, ".hnsw") == 0;
    }
    return n;
  }
  TempDir dir_;
  std::string vectors_ = dir_.File("vectors.bin");
};

TEST_F(AnnIndexFiles, SavedAtomicallyAndRefusedWhenStale) {
  WriteModel(0);
  std::unique_ptr<LoadedModel> model = Load();
  const IndexPaths paths = IndexPathsFor(vectors_, Similarity::kCosine);
  EXPECT_EQ(paths.meta, vectors_ + ".cosine.index");
  Result<std::unique_ptr<AnnIndex>> missing = AnnIndex::Load(paths, model->matrix, ModelFingerprint(*model));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("item2vec index --model " + vectors_ + " --metric cosine"),
            std::string::npos)
      << missing.status().message();

  Result<std::unique_ptr<AnnIndex>> built = AnnIndex::Build(model->matrix, AnnBuildOptions{});
  ASSERT_TRUE(built.ok());
  // Debris of a build killed while writing its graph (no such process).
  eval_testing::WriteFile(dir_.File("vectors.bin.cosine.0123456789abcdef.hnsw.tmp.999999999"), "partial");
  ASSERT_TRUE((*built)->Save(paths, ModelFingerprint(*model), vectors_).ok());
  ASSERT_TRUE((*built)->Save(paths, ModelFingerprint(*model), vectors_).ok());  // a rebuild replaces the graph
  EXPECT_EQ(Graphs(), 1u);
  Result<std::unique_ptr<AnnIndex>> loaded = AnnIndex::Load(paths, model->matrix, ModelFingerprint(*model));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->size(), 500u);
  EXPECT_EQ((*loaded)->m(), 16);

  // Another model version in the same place: refused, naming the rebuild.
  WriteModel(0.25f);
  std::unique_ptr<LoadedModel> changed = Load();
  Result<std::unique_ptr<AnnIndex>> stale = AnnIndex::Load(paths, changed->matrix, ModelFingerprint(*changed));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), Status::Code::kDataError);
  EXPECT_NE(stale.status().message().find("stale index"), std::string::npos) << stale.status().message();
  EXPECT_NE(stale.status().message().find("fingerprint"), std::string::npos) << stale.status().message();
  EXPECT_NE(stale.status().message().find("rebuild it with `item2vec index"), std::string::npos);

  // A damaged graph (cut short) is refused before hnswlib reads it.
  for (const auto& e : std::filesystem::directory_iterator(dir_.path()))
    if (e.path().extension() == ".hnsw") std::filesystem::resize_file(e.path(), 100);
  Result<std::unique_ptr<AnnIndex>> damaged = AnnIndex::Load(paths, model->matrix, ModelFingerprint(*model));
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.status().message().find("expected"), std::string::npos) << damaged.status().message();
}

TEST(AnnIndex, BadOptions) {
  const std::vector<float> rows = Clustered(50, 4, 2, 1);
  const ItemMatrix m = ItemMatrix::FromRows(rows.data(), 50, 4);
  AnnBuildOptions o;
  o.m = 1;
  EXPECT_EQ(AnnIndex::Build(m, o).status().code(), Status::Code::kInvalidArgument);
  o = AnnBuildOptions{};
  o.ef_construction = 0;
  EXPECT_EQ(AnnIndex::Build(m, o).status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace item2vec
