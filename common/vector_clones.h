// Function multi-versioning for the element-wise loops of the hot path (GCC/Clang
// target_clones: the loader picks the AVX2 copy on CPUs that have it, the baseline x86-64 copy
// otherwise; other architectures get the plain function).
//
// Contract: ITEM2VEC_ELEMENTWISE_CLONES adds AVX2 only, never FMA, so a loop of independent
// element operations (a[i] += s * b[i], conversions, copies) gives bit-identical results in both
// copies: the compiler cannot contract a multiply and an add into one rounding. Use it only on
// loops without reductions (a vectorised sum reorders additions). Kernels whose results may
// differ between CPUs use their own clones with FMA (worker/sgns_kernel.cc).
#pragma once

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ITEM2VEC_ELEMENTWISE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ITEM2VEC_ELEMENTWISE_CLONES
#endif
