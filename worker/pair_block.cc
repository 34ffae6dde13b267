#include "worker/pair_block.h"

#include <algorithm>
#include <type_traits>

#include "common/prefetch.h"
#include "worker/avx2_rows.h"

namespace item2vec {
namespace {

using avx2::Hsum;
using avx2::Load;
using avx2::Store;

constexpr int kBlockTargets = 8;  // 8 accumulators + the context chunk + a temporary

// s[q] = c . t[q] for NT targets, in one pass over c. (Two accumulators a target, to
// shorten the FMA chain the gradients wait on, measured slower: register pressure.)
template <int NT>
ITEM2VEC_AVX2 inline void ScoresOf(const float* c, const float* const* t, int d, float* s) {
  __m256 acc[NT];
  for (int q = 0; q < NT; ++q) acc[q] = _mm256_setzero_ps();
  avx2::ForEachChunk(d, [&](int k, auto masked, __m256i mask) ITEM2VEC_AVX2 {
    constexpr bool kMasked = decltype(masked)::value;
    const __m256 cv = Load<kMasked>(c + k, mask);
    for (int q = 0; q < NT; ++q) acc[q] = _mm256_fmadd_ps(cv, Load<kMasked>(t[q] + k, mask), acc[q]);
  });
  for (int q = 0; q < NT; ++q) s[q] = Hsum(acc[q]);
}

ITEM2VEC_AVX2 void Scores(const float* c, const float* const* t, int n, int d, float* s) {
  for (int q0 = 0; q0 < n; q0 += kBlockTargets) {
    const float* const* tb = t + q0;
    switch (std::min(kBlockTargets, n - q0)) {
      case 1: ScoresOf<1>(c, tb, d, s + q0); break;
      case 2: ScoresOf<2>(c, tb, d, s + q0); break;
      case 3: ScoresOf<3>(c, tb, d, s + q0); break;
      case 4: ScoresOf<4>(c, tb, d, s + q0); break;
      case 5: ScoresOf<5>(c, tb, d, s + q0); break;
      case 6: ScoresOf<6>(c, tb, d, s + q0); break;
      case 7: ScoresOf<7>(c, tb, d, s + q0); break;
      default: ScoresOf<8>(c, tb, d, s + q0); break;
    }
  }
}

// t[q] += g[q] c and c's delta sum_q g[q] t[q] (old t), chunk by chunk. The delta goes into
// `cdelta` (added to it unless `first`), or, when `last`, onto c itself: only the last
// block writes c, so every block reads the old c.
template <int NT>
ITEM2VEC_AVX2 inline void UpdateOf(float* c, float* const* t, const float* g, int d, float* cdelta, bool first,
                                   bool last) {
  __m256 gv[NT];
  for (int q = 0; q < NT; ++q) gv[q] = _mm256_set1_ps(g[q]);
  avx2::ForEachChunk(d, [&](int k, auto masked, __m256i mask) ITEM2VEC_AVX2 {
    constexpr bool kMasked = decltype(masked)::value;
    const __m256 cv = Load<kMasked>(c + k, mask);
    __m256 acc = first ? _mm256_setzero_ps() : Load<kMasked>(cdelta + k, mask);
    for (int q = 0; q < NT; ++q) {
      const __m256 tv = Load<kMasked>(t[q] + k, mask);
      acc = _mm256_fmadd_ps(gv[q], tv, acc);
      Store<kMasked>(t[q] + k, _mm256_fmadd_ps(gv[q], cv, tv), mask);
    }
    if (last) {
      Store<kMasked>(c + k, _mm256_add_ps(cv, acc), mask);
    } else {
      Store<kMasked>(cdelta + k, acc, mask);
    }
  });
}

ITEM2VEC_AVX2 void Update(float* c, float* const* t, const float* g, int n, int d, float* cdelta) {
  for (int q0 = 0; q0 < n; q0 += kBlockTargets) {
    const bool first = q0 == 0, last = q0 + kBlockTargets >= n;
    float* const* tb = t + q0;
    const float* gb = g + q0;
    switch (std::min(kBlockTargets, n - q0)) {
      case 1: UpdateOf<1>(c, tb, gb, d, cdelta, first, last); break;
      case 2: UpdateOf<2>(c, tb, gb, d, cdelta, first, last); break;
      case 3: UpdateOf<3>(c, tb, gb, d, cdelta, first, last); break;
      case 4: UpdateOf<4>(c, tb, gb, d, cdelta, first, last); break;
      case 5: UpdateOf<5>(c, tb, gb, d, cdelta, first, last); break;
      case 6: UpdateOf<6>(c, tb, gb, d, cdelta, first, last); break;
      case 7: UpdateOf<7>(c, tb, gb, d, cdelta, first, last); break;
      default: UpdateOf<8>(c, tb, gb, d, cdelta, first, last); break;
    }
  }
}

// word2vec.c's order for a pair whose targets repeat a row: each score sees the updates of
// the targets before it. t[0] is the centre (label 1), the others negatives (label 0).
ITEM2VEC_AVX2 double Sequential(float* c, float* const* t, int n, int d, float alpha, const SigmoidTable& sigmoid,
                                float* neu1e) {
  double loss = 0;
  for (int q = 0; q < n; ++q) {
    float f;
    ScoresOf<1>(c, t + q, d, &f);
    const float g = sigmoid.Gradient(f, q == 0 ? 1.0f : 0.0f, alpha);
    loss -= sigmoid.LogSigmoid(q == 0 ? f : -f);
    UpdateOf<1>(c, t + q, &g, d, neu1e, q == 0, /*last=*/false);
  }
  avx2::ForEachChunk(d, [&](int k, auto masked, __m256i mask) ITEM2VEC_AVX2 {
    constexpr bool kMasked = decltype(masked)::value;
    Store<kMasked>(c + k, _mm256_add_ps(Load<kMasked>(c + k, mask), Load<kMasked>(neu1e + k, mask)), mask);
  });
  return loss;
}

// One pair with distinct targets t[0..n) (t[0] the centre): all scores, then both updates.
ITEM2VEC_AVX2 inline double Pair(float* c, float* const* t, int n, int d, float alpha, const SigmoidTable& sigmoid,
                                 float* score, float* grad, float* cdelta) {
  Scores(c, t, n, d, score);
  double loss = 0;
  grad[0] = sigmoid.Gradient(score[0], 1.0f, alpha);
  loss -= sigmoid.LogSigmoid(score[0]);
  for (int q = 1; q < n; ++q) {
    grad[q] = sigmoid.Gradient(score[q], 0.0f, alpha);
    loss -= sigmoid.LogSigmoid(-score[q]);
  }
  Update(c, t, grad, n, d, cdelta);
  return loss;
}

// The targets of a pair into t: the centre, then the negatives that are not the centre.
// Returns their count; *repeated says whether a row occurs twice.
inline int Targets(float* rows, std::size_t sd, std::uint32_t centre, const std::uint32_t* neg, int negative,
                   float** t, bool* repeated) {
  int n = 0;
  *repeated = false;
  t[n++] = rows + centre * sd;
  for (int q = 0; q < negative; ++q) {
    if (neg[q] == centre) continue;
    float* row = rows + neg[q] * sd;
    for (int r = 1; r < n; ++r) *repeated |= t[r] == row;
    t[n++] = row;
  }
  return n;
}

inline void Prefetch(const float* row, int d) { PrefetchForWrite(row, static_cast<std::size_t>(d) * sizeof(float)); }

}  // namespace

std::size_t PairScratchFloats(int negative, int dim) {
  return static_cast<std::size_t>(std::max(dim, 8)) + 2 * (static_cast<std::size_t>(negative) + 1);
}

ITEM2VEC_AVX2 double PairsBlocked(float* rows, const Group* groups, std::size_t num_groups,
                                  const std::uint32_t* contexts, const std::uint32_t* negatives, int dim,
                                  int negative, bool shared, const SigmoidTable& sigmoid, float* scratch,
                                  float** t) {
  const int d = dim;
  const std::size_t sd = static_cast<std::size_t>(d);
  float* const cdelta = scratch;  // a context's delta or word2vec.c's neu1e
  float* const score = scratch + std::max(d, 8);
  float* const grad = score + negative + 1;
  double loss = 0;
  for (std::size_t gi = 0; gi < num_groups; ++gi) {
    const Group& g = groups[gi];
    // The next group's rows are random slots of the batch (its context rows are mostly
    // neighbours of this group's and cached already).
    if (gi + 1 < num_groups) {
      const Group& next = groups[gi + 1];
      Prefetch(rows + next.centre * sd, d);
      for (int q = 0; q < negative; ++q) Prefetch(rows + negatives[next.neg_begin + q] * sd, d);
    }
    const std::uint32_t* neg = negatives + g.neg_begin;
    bool repeated = false;
    int n = shared ? Targets(rows, sd, g.centre, neg, negative, t, &repeated) : 0;
    for (std::uint32_t j = g.ctx_begin; j < g.ctx_end; ++j) {
      if (!shared) {  // this pair's own negatives, and the next pair's fetched
        n = Targets(rows, sd, g.centre, neg, negative, t, &repeated);
        neg += negative;
        if (j + 1 < g.ctx_end)
          for (int q = 0; q < negative; ++q) Prefetch(rows + neg[q] * sd, d);
      }
      float* const c = rows + contexts[j] * sd;
      loss += repeated ? Sequential(c, t, n, d, g.alpha, sigmoid, cdelta)
                       : Pair(c, t, n, d, g.alpha, sigmoid, score, grad, cdelta);
    }
  }
  return loss;
}

}  // namespace item2vec
