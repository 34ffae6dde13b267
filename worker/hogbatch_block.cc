#include "worker/hogbatch_block.h"

#include <algorithm>
#include <type_traits>

#include "common/prefetch.h"
#include "worker/avx2_rows.h"

namespace item2vec {
namespace {

using avx2::Hsum;
using avx2::Load;
using avx2::Store;
using avx2::TailMask;

constexpr int kBlockTargets = 6;  // 6 target chunks + 6 accumulators + 3 temporaries = 15 ymm

// s[i * lds + j] = c[i] . t[j] for NC contexts and NT targets.
template <int NC, int NT>
ITEM2VEC_AVX2 inline void Scores(const float* const* c, const float* const* t, int d, float* s, int lds) {
  __m256 acc[NC][NT];
  for (int i = 0; i < NC; ++i)
    for (int j = 0; j < NT; ++j) acc[i][j] = _mm256_setzero_ps();
  auto chunk = [&](int k, auto masked, __m256i mask) ITEM2VEC_AVX2 {
    constexpr bool kMasked = decltype(masked)::value;
    __m256 cv[NC];
    for (int i = 0; i < NC; ++i) cv[i] = Load<kMasked>(c[i] + k, mask);
    for (int j = 0; j < NT; ++j) {
      const __m256 tv = Load<kMasked>(t[j] + k, mask);
      for (int i = 0; i < NC; ++i) acc[i][j] = _mm256_fmadd_ps(cv[i], tv, acc[i][j]);
    }
  };
  avx2::ForEachChunk(d, chunk);
  for (int i = 0; i < NC; ++i)
    for (int j = 0; j < NT; ++j) s[i * lds + j] = Hsum(acc[i][j]);
}

template <int NC>
ITEM2VEC_AVX2 inline void ScoresBlock(const float* const* c, const float* const* t, int nt, int d, float* s, int lds) {
  switch (nt) {
    case 1: Scores<NC, 1>(c, t, d, s, lds); break;
    case 2: Scores<NC, 2>(c, t, d, s, lds); break;
    case 3: Scores<NC, 3>(c, t, d, s, lds); break;
    case 4: Scores<NC, 4>(c, t, d, s, lds); break;
    case 5: Scores<NC, 5>(c, t, d, s, lds); break;
    default: Scores<NC, 6>(c, t, d, s, lds); break;
  }
}

// For NT targets t[0..NT) with gradients g[j * ldg + q], from the rows as they are:
// dc[j] (+)= sum_q g[j][q] t[q] (set when `first`, else added) and dt[q] = sum_j g[j][q] c[j].
// kWriteBack (the group's targets are all in this one block): instead of keeping the deltas,
// each 8-float chunk is added to the rows as soon as every read of that chunk is done (the
// contexts' chunk deltas wait in dc[j*8..j*8+8)); each add reloads its row, so a slot that
// occurs twice gets both deltas, exactly as the two-pass order (then AddTo) would.
template <int NT, bool kWriteBack>
ITEM2VEC_AVX2 inline void Deltas(const float* const* c, int m, const float* const* t, const float* g, int ldg, int d,
                                 bool first, float* dc, float* dt) {
  auto chunk = [&](int k, auto masked, __m256i mask) ITEM2VEC_AVX2 {
    constexpr bool kMasked = decltype(masked)::value;
    __m256 tv[NT], at[NT];
    for (int q = 0; q < NT; ++q) {
      tv[q] = Load<kMasked>(t[q] + k, mask);
      at[q] = _mm256_setzero_ps();
    }
    for (int j = 0; j < m; ++j) {
      const __m256 cv = Load<kMasked>(c[j] + k, mask);
      float* out = kWriteBack ? dc + static_cast<std::size_t>(j) * 8 : dc + static_cast<std::size_t>(j) * d + k;
      __m256 acc = (kWriteBack || first) ? _mm256_setzero_ps() : Load<kMasked>(out, mask);
      const float* gj = g + j * ldg;
      for (int q = 0; q < NT; ++q) {
        const __m256 gv = _mm256_broadcast_ss(gj + q);
        acc = _mm256_fmadd_ps(gv, tv[q], acc);
        at[q] = _mm256_fmadd_ps(gv, cv, at[q]);
      }
      if constexpr (kWriteBack) {
        _mm256_storeu_ps(out, acc);
      } else {
        Store<kMasked>(out, acc, mask);
      }
    }
    if constexpr (kWriteBack) {
      for (int q = 0; q < NT; ++q) {
        float* row = const_cast<float*>(t[q]) + k;
        Store<kMasked>(row, _mm256_add_ps(Load<kMasked>(row, mask), at[q]), mask);
      }
      for (int j = 0; j < m; ++j) {
        float* row = const_cast<float*>(c[j]) + k;
        Store<kMasked>(row, _mm256_add_ps(Load<kMasked>(row, mask), _mm256_loadu_ps(dc + j * 8)), mask);
      }
    } else {
      for (int q = 0; q < NT; ++q) Store<kMasked>(dt + static_cast<std::size_t>(q) * d + k, at[q], mask);
    }
  };
  avx2::ForEachChunk(d, chunk);
}

template <bool kWriteBack>
ITEM2VEC_AVX2 inline void DeltasBlock(const float* const* c, int m, const float* const* t, int nt, const float* g,
                                      int ldg, int d, bool first, float* dc, float* dt) {
  switch (nt) {
    case 1: Deltas<1, kWriteBack>(c, m, t, g, ldg, d, first, dc, dt); break;
    case 2: Deltas<2, kWriteBack>(c, m, t, g, ldg, d, first, dc, dt); break;
    case 3: Deltas<3, kWriteBack>(c, m, t, g, ldg, d, first, dc, dt); break;
    case 4: Deltas<4, kWriteBack>(c, m, t, g, ldg, d, first, dc, dt); break;
    case 5: Deltas<5, kWriteBack>(c, m, t, g, ldg, d, first, dc, dt); break;
    default: Deltas<6, kWriteBack>(c, m, t, g, ldg, d, first, dc, dt); break;
  }
}

// row += delta (read-modify-write: a slot that occurs twice gets both deltas).
ITEM2VEC_AVX2 inline void AddTo(float* row, const float* delta, int d) {
  int k = 0;
  for (; k + 8 <= d; k += 8)
    _mm256_storeu_ps(row + k, _mm256_add_ps(_mm256_loadu_ps(row + k), _mm256_loadu_ps(delta + k)));
  if (k < d) {
    const __m256i mask = TailMask(d - k);
    _mm256_maskstore_ps(row + k, mask, _mm256_add_ps(_mm256_maskload_ps(row + k, mask), _mm256_maskload_ps(delta + k, mask)));
  }
}

inline void Prefetch(const float* row, int d) { PrefetchForWrite(row, static_cast<std::size_t>(d) * sizeof(float)); }

}  // namespace

bool HogBatchBlockedAvailable() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

std::size_t HogBatchScratchFloats(int max_contexts, int negative, int dim) {
  const std::size_t m = static_cast<std::size_t>(max_contexts), k = static_cast<std::size_t>(negative) + 1;
  // dc and dt (m + k rows of dim), or dc's 8-float chunks when the deltas are written back.
  return m * k + (m + k) * static_cast<std::size_t>(std::max(dim, 8));
}

ITEM2VEC_AVX2 double HogBatchBlocked(float* rows, const Group* groups, std::size_t num_groups,
                                     const std::uint32_t* contexts, const std::uint32_t* negatives, int dim,
                                     int negative, const SigmoidTable& sigmoid, float* scratch,
                                     const float** pointers) {
  const int d = dim, K = negative + 1;
  const std::size_t sd = static_cast<std::size_t>(d);
  double loss = 0;
  const float** trow = pointers;  // K target rows, then the group's context rows
  const float** crow = pointers + K;
  for (std::size_t gi = 0; gi < num_groups; ++gi) {
    const Group& g = groups[gi];
    const int m = static_cast<int>(g.ctx_end - g.ctx_begin);
    const std::uint32_t* ctx = contexts + g.ctx_begin;
    const std::uint32_t* neg = negatives + g.neg_begin;
    if (gi + 1 < num_groups) {  // the next group's rows are random slots of the batch
      const Group& n = groups[gi + 1];
      Prefetch(rows + n.centre * sd, d);
      for (std::uint32_t j = n.ctx_begin; j < n.ctx_end; ++j) Prefetch(rows + contexts[j] * sd, d);
      for (int q = 0; q < negative; ++q) Prefetch(rows + negatives[n.neg_begin + q] * sd, d);
    }
    trow[0] = rows + g.centre * sd;
    for (int q = 0; q < negative; ++q) trow[q + 1] = rows + neg[q] * sd;
    for (int j = 0; j < m; ++j) crow[j] = rows + ctx[j] * sd;
    float* grad = scratch;                                         // m x K
    float* dc = grad + static_cast<std::size_t>(m) * K;            // m x d
    float* dt = dc + static_cast<std::size_t>(m) * sd;             // K x d
    // Scores, in blocks of 2 contexts x up to 6 targets.
    for (int t0 = 0; t0 < K; t0 += kBlockTargets) {
      const int nt = std::min(kBlockTargets, K - t0);
      int j = 0;
      for (; j + 2 <= m; j += 2) ScoresBlock<2>(crow + j, trow + t0, nt, d, grad + j * K + t0, K);
      if (j < m) ScoresBlock<1>(crow + j, trow + t0, nt, d, grad + j * K + t0, K);
    }
    // Gradients (word2vec.c's clipping); a negative equal to the centre does nothing.
    for (int j = 0; j < m; ++j) {
      float* gj = grad + j * K;
      const float f0 = gj[0];
      gj[0] = sigmoid.Gradient(f0, 1.0f, g.alpha);
      loss -= sigmoid.LogSigmoid(f0);
      for (int q = 1; q < K; ++q) {
        if (neg[q - 1] == g.centre) {
          gj[q] = 0;
          continue;
        }
        const float f = gj[q];
        gj[q] = sigmoid.Gradient(f, 0.0f, g.alpha);
        loss -= sigmoid.LogSigmoid(-f);
      }
    }
    // Both deltas from the old rows: added chunk by chunk when one block holds every target,
    // else kept whole and added after the last block.
    if (K <= kBlockTargets) {
      DeltasBlock<true>(crow, m, trow, K, grad, K, d, true, dc, dt);
      continue;
    }
    for (int t0 = 0; t0 < K; t0 += kBlockTargets) {
      const int nt = std::min(kBlockTargets, K - t0);
      DeltasBlock<false>(crow, m, trow + t0, nt, grad + t0, K, d, t0 == 0, dc, dt + static_cast<std::size_t>(t0) * sd);
    }
    for (int q = 0; q < K; ++q) AddTo(const_cast<float*>(trow[q]), dt + static_cast<std::size_t>(q) * sd, d);
    for (int j = 0; j < m; ++j) AddTo(const_cast<float*>(crow[j]), dc + static_cast<std::size_t>(j) * sd, d);
  }
  return loss;
}

}  // namespace item2vec
