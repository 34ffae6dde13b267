// Similarity measures of `--metric cosine|dot|euclidean` (similar, eval, index): how item
// rows are stored for the search and how a kernel score becomes the value users see.
//
// Contract (the one scoring definition every search uses; ItemMatrix applies it):
// - cosine: rows are normalised to unit L2 norm (a zero row stays zero), bias 0;
//   score = q . x, shown as is (the cosine when q is a unit vector).
// - dot: rows are kept as trained, bias 0; score = q . x, shown as is. A longer vector
//   scores higher against every query, so frequent items (whose vectors grow longer
//   in SGNS) are favoured.
// - euclidean: rows kept as trained, bias(x) = -|x|^2 / 2; score = q . x - |x|^2 / 2,
//   which orders items exactly as ascending |q - x| (|q - x|^2 = |q|^2 - 2 score); shown
//   as the distance sqrt(max(0, |q|^2 - 2 score)), smaller = closer.
// Higher scores always come first. Pure functions; thread-safe.
#pragma once

#include <string>

#include "common/status.h"

namespace item2vec {

enum class Similarity { kCosine, kDot, kEuclidean };

// "cosine", "dot" or "euclidean".
Result<Similarity> ParseSimilarity(const std::string& name);
const char* SimilarityName(Similarity s);

// Whether rows are normalised, and the per-item bias added to q . x (see the contract).
bool NormalisesRows(Similarity s);
float ItemBias(Similarity s, const float* row, int dim);

// The value shown for a score: the score itself, or the euclidean distance for
// euclidean given |q|^2 (query_sq_norm, unused otherwise).
double DisplayScore(Similarity s, float score, double query_sq_norm);

// The column name of the shown value: "cosine", "dot" or "distance".
const char* ScoreName(Similarity s);

}  // namespace item2vec
