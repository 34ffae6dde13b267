#include "model/similarity.h"

#include <algorithm>
#include <cmath>

namespace item2vec {

Result<Similarity> ParseSimilarity(const std::string& name) {
  if (name == "cosine") return Similarity::kCosine;
  if (name == "dot") return Similarity::kDot;
  if (name == "euclidean") return Similarity::kEuclidean;
  return Status::InvalidArgument("--metric must be cosine, dot or euclidean; got '" + name + "'");
}

const char* SimilarityName(Similarity s) {
  switch (s) {
    case Similarity::kCosine: return "cosine";
    case Similarity::kDot: return "dot";
    case Similarity::kEuclidean: return "euclidean";
  }
  return "?";
}

bool NormalisesRows(Similarity s) { return s == Similarity::kCosine; }

float ItemBias(Similarity s, const float* row, int dim) {
  if (s != Similarity::kEuclidean) return 0.0f;
  double sq = 0;
  for (int k = 0; k < dim; ++k) sq += static_cast<double>(row[k]) * row[k];
  return static_cast<float>(-sq / 2);
}

double DisplayScore(Similarity s, float score, double query_sq_norm) {
  if (s != Similarity::kEuclidean) return score;
  return std::sqrt(std::max(0.0, query_sq_norm - 2.0 * static_cast<double>(score)));
}

const char* ScoreName(Similarity s) { return s == Similarity::kEuclidean ? "distance" : SimilarityName(s); }

}  // namespace item2vec
