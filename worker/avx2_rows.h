// AVX2+FMA building blocks of the register-blocked kernels (worker/hogbatch_block.cc,
// worker/pair_block.cc): a row of d floats is walked 8 floats at a time, and its last d % 8
// floats go through the same vector code with masked loads and stores.
//
// Contract: every function here is compiled for AVX2+FMA (ITEM2VEC_AVX2) and may only run
// where the CPU has both (the callers check __builtin_cpu_supports first). Masked-off lanes
// read as 0, are never written and never fault. Header-only, internal to worker/; pure
// functions, thread-safe.
#pragma once

#include <immintrin.h>

namespace item2vec {
namespace avx2 {

#define ITEM2VEC_AVX2 __attribute__((target("avx2,fma")))

ITEM2VEC_AVX2 inline float Hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// The lanes [0, r) of 8 (r < 8).
ITEM2VEC_AVX2 inline __m256i TailMask(int r) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(r), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
template <bool kMasked>
ITEM2VEC_AVX2 inline __m256 Load(const float* p, __m256i mask) {
  if constexpr (kMasked) {
    return _mm256_maskload_ps(p, mask);
  } else {
    return _mm256_loadu_ps(p);
  }
}
template <bool kMasked>
ITEM2VEC_AVX2 inline void Store(float* p, __m256 v, __m256i mask) {
  if constexpr (kMasked) {
    _mm256_maskstore_ps(p, mask, v);
  } else {
    _mm256_storeu_ps(p, v);
  }
}

// Calls chunk(k, std::false_type{}, all-lanes mask) for every whole 8-float chunk of a row
// of d floats, then chunk(k, std::true_type{}, TailMask(d - k)) for the rest, if any.
template <typename Chunk>
ITEM2VEC_AVX2 inline void ForEachChunk(int d, Chunk&& chunk) {
  const __m256i all = _mm256_set1_epi32(-1);
  int k = 0;
  for (; k + 8 <= d; k += 8) chunk(k, std::false_type{}, all);
  if (k < d) chunk(k, std::true_type{}, TailMask(d - k));
}

}  // namespace avx2
}  // namespace item2vec
