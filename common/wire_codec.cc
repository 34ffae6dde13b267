#include "common/wire_codec.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "common/vector_clones.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace item2vec {
namespace {

std::uint32_t Bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
float FromBits(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}


}  // namespace

std::string_view WirePrecisionName(WirePrecision p) {
  switch (p) {
    case WirePrecision::kFp32: return "fp32";
    case WirePrecision::kBf16: return "bf16";
    case WirePrecision::kFp16: return "fp16";
    case WirePrecision::kInt8: return "int8";
    case WirePrecision::kInt4: return "int4";
    case WirePrecision::kInt4Int8: return "int4-int8";
  }
  return "?";
}

bool ParseWirePrecision(std::string_view name, WirePrecision* p) {
  for (WirePrecision w : {WirePrecision::kFp32, WirePrecision::kBf16, WirePrecision::kFp16, WirePrecision::kInt8,
                          WirePrecision::kInt4, WirePrecision::kInt4Int8})
    if (name == WirePrecisionName(w)) {
      *p = w;
      return true;
    }
  return false;
}

std::uint16_t FloatToBf16(float f) {
  std::uint32_t u = Bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest even (overflow goes to inf, as it should)
  return static_cast<std::uint16_t>(u >> 16);
}

float Bf16ToFloat(std::uint16_t h) { return FromBits(static_cast<std::uint32_t>(h) << 16); }

std::uint16_t FloatToFp16(float f) {
  std::uint32_t x = Bits(f);
  const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  x &= 0x7fffffffu;
  if (x >= 0x7f800000u) return sign | (x > 0x7f800000u ? 0x7e00 : 0x7c00);  // NaN, inf
  if (x > 0x477fe000u) return sign | 0x7bff;                                 // beyond 65504: saturate
  if (x >= 0x38800000u) {                                                     // normal half (>= 2^-14)
    x += 0xfffu + ((x >> 13) & 1u);
    return sign | static_cast<std::uint16_t>((x - 0x38000000u) >> 13);
  }
  if (x < 0x33000000u) return sign;  // below 2^-25 (2^-25 itself ties to 0)
  // Subnormal half: m * 2^-24 with m < 1024 (rounding may carry into the smallest normal).
  const std::uint32_t e = x >> 23, m = (x & 0x7fffffu) | 0x800000u, shift = 126 - e;
  const std::uint32_t rounded = (m + (1u << (shift - 1)) - 1 + ((m >> shift) & 1u)) >> shift;
  return sign | static_cast<std::uint16_t>(rounded);
}

float Fp16ToFloat(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  if (e == 0) {
    const float v = static_cast<float>(m) * 5.9604644775390625e-8f;  // m * 2^-24, exact
    return FromBits(Bits(v) | sign);
  }
  if (e == 31) return FromBits(sign | 0x7f800000u | (m << 13));
  return FromBits(sign | ((e + 112) << 23) | (m << 13));
}

namespace {

// bf16: branch-free per value, so the compiler vectorises the loops.
inline std::uint16_t Bf16Bits(std::uint32_t u) {
  const bool nan = (u & 0x7fffffffu) > 0x7f800000u;
  const std::uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  return static_cast<std::uint16_t>(nan ? ((u >> 16) | 0x40u) : rounded);
}
ITEM2VEC_ELEMENTWISE_CLONES void EncodeBf16(const float* __restrict src, std::size_t n,
                                            std::uint16_t* __restrict dst) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = Bf16Bits(Bits(src[i]));
}
// A 32-bit integer hash with good avalanche (Chris Wellons' "lowbias32" constants); plain
// integer multiplies and shifts, so the loop below vectorises.
inline std::uint32_t Mix32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}
// Stochastic rounding on the bit pattern: adding 16 random low bits carries into bit 16 with
// probability (low 16 bits) / 2^16, i.e. the dropped fraction of an ulp; sign-magnitude makes it
// symmetric for negative values. Inf + r keeps inf's pattern (its low bits are zero).
inline std::uint16_t Bf16BitsStochastic(std::uint32_t u, std::uint32_t random) {
  const bool nan = (u & 0x7fffffffu) > 0x7f800000u;
  const std::uint32_t rounded = (u + (random & 0xffffu)) >> 16;
  return static_cast<std::uint16_t>(nan ? ((u >> 16) | 0x40u) : rounded);
}
// The loops below count in 32 bits: a size_t counter made the vectoriser form the hash inputs
// in 64-bit lanes and pack them, a third more instructions. n is one message's values (one
// batch's rows for one server times d), far below 2^32; the hash index wraps as before.
ITEM2VEC_ELEMENTWISE_CLONES void EncodeBf16StochasticLoop(const float* __restrict src, std::size_t n,
                                                          std::uint32_t salt, std::uint16_t* __restrict dst) {
  const std::uint32_t base = Mix32(salt), m = static_cast<std::uint32_t>(n);
  for (std::uint32_t i = 0; i < m; ++i) dst[i] = Bf16BitsStochastic(Bits(src[i]), Mix32(base + i));
}
ITEM2VEC_ELEMENTWISE_CLONES void EncodeBf16StochasticDeltasLoop(const float* __restrict rows,
                                                                const float* __restrict original, std::size_t n,
                                                                std::uint32_t salt, std::uint32_t first_index,
                                                                std::uint16_t* __restrict dst) {
  const std::uint32_t base = Mix32(salt) + first_index, m = static_cast<std::uint32_t>(n);
  for (std::uint32_t i = 0; i < m; ++i) dst[i] = Bf16BitsStochastic(Bits(rows[i] - original[i]), Mix32(base + i));
}
ITEM2VEC_ELEMENTWISE_CLONES void EncodeBf16StochasticPulledDeltasLoop(const float* __restrict rows,
                                                                      const std::uint16_t* __restrict pulled,
                                                                      std::size_t n, std::uint32_t salt,
                                                                      std::uint32_t first_index,
                                                                      std::uint16_t* __restrict dst) {
  const std::uint32_t base = Mix32(salt) + first_index, m = static_cast<std::uint32_t>(n);
  for (std::uint32_t i = 0; i < m; ++i) {
    const float delta = rows[i] - FromBits(static_cast<std::uint32_t>(pulled[i]) << 16);
    dst[i] = Bf16BitsStochastic(Bits(delta), Mix32(base + i));
  }
}
ITEM2VEC_ELEMENTWISE_CLONES void DecodeBf16Twice(const std::uint16_t* __restrict src, std::size_t n,
                                                 float* __restrict dst, float* __restrict copy) {
  for (std::size_t i = 0; i < n; ++i) {
    const float v = FromBits(static_cast<std::uint32_t>(src[i]) << 16);
    dst[i] = v;
    copy[i] = v;
  }
}
ITEM2VEC_ELEMENTWISE_CLONES void DecodeBf16(const std::uint16_t* __restrict src, std::size_t n,
                                            float* __restrict dst) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = FromBits(static_cast<std::uint32_t>(src[i]) << 16);
}
// v = src + residual; dst = bf16(v); residual = v - decoded, in one pass.
ITEM2VEC_ELEMENTWISE_CLONES void EncodeBf16WithFeedback(const float* __restrict src, float* __restrict residual,
                                                        std::size_t n, std::uint16_t* __restrict dst) {
  for (std::size_t i = 0; i < n; ++i) {
    const float v = src[i] + residual[i];
    const std::uint16_t h = Bf16Bits(Bits(v));
    dst[i] = h;
    residual[i] = v - FromBits(static_cast<std::uint32_t>(h) << 16);
  }
}
ITEM2VEC_ELEMENTWISE_CLONES void AddInto(const float* __restrict src, float* __restrict residual, std::size_t n,
                                         float* __restrict dst) {
  for (std::size_t i = 0; i < n; ++i) {
    dst[i] = src[i] + residual[i];
    residual[i] = 0;
  }
}

// int8 / int4 rows (see the header): the scale, then the quantised values. IntScale returns the
// scale of a row quantised to +-levels steps and leaves in *inv the factor that maps a value to
// steps (0 for an all-zero or non-finite row, whose scale is 0 or NaN). The max and the "and"
// are exact in any order, so the clones agree.
inline float IntScale(const float* __restrict src, std::size_t d, float levels, float* inv) {
  // On |value|'s bit pattern: integers order non-negative floats as the floats do, inf and NaN
  // above every finite value, and an integer max vectorises.
  std::uint32_t top = 0;
  for (std::size_t i = 0; i < d; ++i) {
    const std::uint32_t a = Bits(src[i]) & 0x7fffffffu;
    top = a > top ? a : top;
  }
  const float most = FromBits(top);
  if (top >= 0x7f800000u) {  // inf or NaN
    *inv = 0;
    return std::numeric_limits<float>::quiet_NaN();
  }
  *inv = most > 0 ? levels / most : 0.0f;
  return most / levels;
}
inline std::int8_t ClampStep(float steps, float levels = 127.0f) {
  const float c = steps < -levels ? -levels : (steps > levels ? levels : steps);
  return static_cast<std::int8_t>(static_cast<int>(c));  // c is a whole number here
}
// Round to nearest, ties to even, for |x| < 2^22 (steps are within +-128): adding and taking
// away 1.5 * 2^23 leaves no fraction bits. Plain adds, so it vectorises without SSE4.1.
inline float NearestStep(float x) {
  constexpr float kMagic = 12582912.0f;
  return (x + kMagic) - kMagic;
}
// floor(y) for -128 < y < 2^31 - 128, branch-free: truncation is floor once y + 128 > 0 (a
// branch on the sign mispredicted half the time and cost ten times the loop).
inline float FloorStep(float y) { return static_cast<float>(static_cast<int>(y + 128.0f) - 128); }
// u uniform in [0, 1) from 24 hash bits: floor(x + u) goes up with probability frac(x).
// (Through int: a signed conversion vectorises, an unsigned one does not.)
inline float Uniform(std::uint32_t random) {
  return static_cast<float>(static_cast<std::int32_t>(random >> 8)) * (1.0f / 16777216.0f);
}
ITEM2VEC_ELEMENTWISE_CLONES void EncodeInt8Row(const float* __restrict src, std::size_t d,
                                               unsigned char* __restrict dst) {
  float inv;
  const float scale = IntScale(src, d, 127.0f, &inv);
  std::memcpy(dst, &scale, sizeof scale);
  auto* q = reinterpret_cast<std::int8_t*>(dst + sizeof scale);
  for (std::size_t i = 0; i < d; ++i) q[i] = ClampStep(NearestStep(src[i] * inv));
}
ITEM2VEC_ELEMENTWISE_CLONES void EncodeInt8RowStochastic(const float* __restrict src, std::size_t d,
                                                         std::uint32_t base, unsigned char* __restrict dst) {
  float inv;
  const float scale = IntScale(src, d, 127.0f, &inv);
  std::memcpy(dst, &scale, sizeof scale);
  auto* q = reinterpret_cast<std::int8_t*>(dst + sizeof scale);
  const auto m = static_cast<std::uint32_t>(d);
  for (std::uint32_t i = 0; i < m; ++i) q[i] = ClampStep(FloorStep(src[i] * inv + Uniform(Mix32(base + i))));
}
ITEM2VEC_ELEMENTWISE_CLONES void DecodeInt8Row(const unsigned char* __restrict src, std::size_t d,
                                               float* __restrict dst) {
  float scale;
  std::memcpy(&scale, src, sizeof scale);
  const auto* q = reinterpret_cast<const std::int8_t*>(src + sizeof scale);
  for (std::size_t i = 0; i < d; ++i) dst[i] = static_cast<float>(q[i]) * scale;
}
// int4: steps -7..7 stored as step + 8, two a byte, value 2k in the low nibble of byte k. The
// loops go a byte (two values) at a time, branch-free, so they vectorise; an odd d's last value
// is done apart.
inline unsigned char Nibble(float step) { return static_cast<unsigned char>(ClampStep(step, 7.0f) + 8); }
ITEM2VEC_ELEMENTWISE_CLONES void EncodeInt4Row(const float* __restrict src, std::size_t d, bool stochastic,
                                               std::uint32_t base, unsigned char* __restrict dst) {
  float inv;
  const float scale = IntScale(src, d, 7.0f, &inv);
  std::memcpy(dst, &scale, sizeof scale);
  unsigned char* q = dst + sizeof scale;
  const auto pairs = static_cast<std::uint32_t>(d / 2);
  if (stochastic) {
    for (std::uint32_t k = 0; k < pairs; ++k) {
      const float lo = FloorStep(src[2 * k] * inv + Uniform(Mix32(base + 2 * k)));
      const float hi = FloorStep(src[2 * k + 1] * inv + Uniform(Mix32(base + 2 * k + 1)));
      q[k] = static_cast<unsigned char>(Nibble(lo) | (Nibble(hi) << 4));
    }
  } else {
    for (std::uint32_t k = 0; k < pairs; ++k)
      q[k] = static_cast<unsigned char>(Nibble(NearestStep(src[2 * k] * inv)) |
                                        (Nibble(NearestStep(src[2 * k + 1] * inv)) << 4));
  }
  if (d % 2 != 0) {
    const float x = src[d - 1] * inv;
    const auto last = static_cast<std::uint32_t>(d - 1);
    q[pairs] = Nibble(stochastic ? FloorStep(x + Uniform(Mix32(base + last))) : NearestStep(x));
  }
}
ITEM2VEC_ELEMENTWISE_CLONES void DecodeInt4Row(const unsigned char* __restrict src, std::size_t d,
                                               float* __restrict dst) {
  float scale;
  std::memcpy(&scale, src, sizeof scale);
  const unsigned char* q = src + sizeof scale;
  const std::size_t pairs = d / 2;
  for (std::size_t k = 0; k < pairs; ++k) {
    dst[2 * k] = static_cast<float>(static_cast<int>(q[k] & 15u) - 8) * scale;
    dst[2 * k + 1] = static_cast<float>(static_cast<int>(q[k] >> 4) - 8) * scale;
  }
  if (d % 2 != 0) dst[d - 1] = static_cast<float>(static_cast<int>(q[pairs] & 15u) - 8) * scale;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// fp16 with the F16C instructions where the CPU has them (round to nearest even, like the
// scalar code; values are clamped to +-65504 first so they saturate instead of becoming inf).
__attribute__((target("avx,f16c"))) void EncodeFp16F16c(const float* __restrict src, std::size_t n,
                                                          std::uint16_t* __restrict dst) {
  std::size_t i = 0;
  const __m256 hi = _mm256_set1_ps(65504.0f), lo = _mm256_set1_ps(-65504.0f);
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(src + i);
    // max/min return the second operand for NaN; keep NaN lanes as they are.
    const __m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
    const __m256 c = _mm256_blendv_ps(_mm256_max_ps(_mm256_min_ps(v, hi), lo), v, nan);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm256_cvtps_ph(c, _MM_FROUND_TO_NEAREST_INT));
  }
  for (; i < n; ++i) dst[i] = FloatToFp16(src[i]);
}
__attribute__((target("avx,f16c"))) void DecodeFp16F16c(const std::uint16_t* __restrict src, std::size_t n,
                                                          float* __restrict dst) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
  for (; i < n; ++i) dst[i] = Fp16ToFloat(src[i]);
}
bool HaveF16c() {
  static const bool have = __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
  return have;
}
#else
bool HaveF16c() { return false; }
void EncodeFp16F16c(const float*, std::size_t, std::uint16_t*) {}
void DecodeFp16F16c(const std::uint16_t*, std::size_t, float*) {}
#endif

// A programming error, never an input's: an integer wire encoded or decoded without its row
// length would leave the buffer untouched and send garbage, so it stops the rank instead.
[[noreturn]] void NeedsRows(const char* function, WirePrecision p) {
  const std::string_view name = WirePrecisionName(p);
  std::fprintf(stderr, "item2vec: internal error: %s called with the %.*s wire, which has a scale per row; "
               "use %sRows\n", function, static_cast<int>(name.size()), name.data(), function);
  std::abort();
}

// The element-wise codecs of the 16-bit wires, both directions; fp16 through F16C where the
// CPU has it.
struct HalfCodec {
  void (*encode)(const float*, std::size_t, std::uint16_t*);
  void (*decode)(const std::uint16_t*, std::size_t, float*);
};
void EncodeFp16Scalar(const float* src, std::size_t n, std::uint16_t* dst) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = FloatToFp16(src[i]);
}
void DecodeFp16Scalar(const std::uint16_t* src, std::size_t n, float* dst) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = Fp16ToFloat(src[i]);
}

// The codec of a 16-bit wire p; `caller` (EncodeWire, DecodeWire) names the programming error
// of an integer wire (a scale per row: only the *Rows functions know the rows).
HalfCodec HalfCodecOf(WirePrecision p, const char* caller) {
  switch (p) {
    case WirePrecision::kBf16:
      return {EncodeBf16, DecodeBf16};
    case WirePrecision::kFp16:
      if (HaveF16c()) return {EncodeFp16F16c, DecodeFp16F16c};
      return {EncodeFp16Scalar, DecodeFp16Scalar};
    case WirePrecision::kInt8:
    case WirePrecision::kInt4:
    case WirePrecision::kInt4Int8:
      NeedsRows(caller, p);
    case WirePrecision::kFp32:
      break;
  }
  std::abort();  // fp32 is copied by the callers
}

}  // namespace

void EncodeWire(WirePrecision p, const float* src, std::size_t n, void* dst) {
  if (p == WirePrecision::kFp32) {
    std::memcpy(dst, src, n * sizeof(float));
    return;
  }
  HalfCodecOf(p, "EncodeWire").encode(src, n, static_cast<std::uint16_t*>(dst));
}

void DecodeWire(WirePrecision p, const void* src, std::size_t n, float* dst) {
  if (p == WirePrecision::kFp32) {
    std::memcpy(dst, src, n * sizeof(float));
    return;
  }
  HalfCodecOf(p, "DecodeWire").decode(static_cast<const std::uint16_t*>(src), n, dst);
}

void EncodeBf16Stochastic(const float* src, std::size_t n, std::uint32_t salt, std::uint16_t* dst) {
  EncodeBf16StochasticLoop(src, n, salt, dst);
}

void EncodeBf16StochasticDeltas(const float* rows, const float* original, std::size_t n, std::uint32_t salt,
                                std::uint32_t first_index, std::uint16_t* dst) {
  EncodeBf16StochasticDeltasLoop(rows, original, n, salt, first_index, dst);
}

void EncodeBf16StochasticPulledDeltas(const float* rows, const std::uint16_t* pulled, std::size_t n,
                                      std::uint32_t salt, std::uint32_t first_index, std::uint16_t* dst) {
  EncodeBf16StochasticPulledDeltasLoop(rows, pulled, n, salt, first_index, dst);
}

void EncodeWireRows(WirePrecision p, const float* src, std::size_t rows, std::size_t d, void* dst) {
  auto* out = static_cast<unsigned char*>(dst);
  const std::size_t row_bytes = WireRowBytes(p, d);
  if (p == WirePrecision::kInt8) {
    for (std::size_t r = 0; r < rows; ++r) EncodeInt8Row(src + r * d, d, out + r * row_bytes);
  } else if (p == WirePrecision::kInt4) {
    for (std::size_t r = 0; r < rows; ++r) EncodeInt4Row(src + r * d, d, false, 0, out + r * row_bytes);
  } else {
    EncodeWire(p, src, rows * d, dst);
  }
}

void DecodeWireRows(WirePrecision p, const void* src, std::size_t rows, std::size_t d, float* dst) {
  const auto* in = static_cast<const unsigned char*>(src);
  const std::size_t row_bytes = WireRowBytes(p, d);
  if (p == WirePrecision::kInt8) {
    for (std::size_t r = 0; r < rows; ++r) DecodeInt8Row(in + r * row_bytes, d, dst + r * d);
  } else if (p == WirePrecision::kInt4) {
    for (std::size_t r = 0; r < rows; ++r) DecodeInt4Row(in + r * row_bytes, d, dst + r * d);
  } else {
    DecodeWire(p, src, rows * d, dst);
  }
}

void EncodeIntStochastic(WirePrecision p, const float* src, std::size_t rows, std::size_t d, std::uint32_t salt,
                         void* dst) {
  const std::uint32_t base = Mix32(salt);
  auto* out = static_cast<unsigned char*>(dst);
  const std::size_t row_bytes = WireRowBytes(p, d);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::uint32_t at = base + static_cast<std::uint32_t>(r * d);
    if (p == WirePrecision::kInt4) {
      EncodeInt4Row(src + r * d, d, true, at, out + r * row_bytes);
    } else {
      EncodeInt8RowStochastic(src + r * d, d, at, out + r * row_bytes);
    }
  }
}

void DecodeWireTwice(WirePrecision p, const void* src, std::size_t rows, std::size_t d, float* dst, float* copy) {
  if (p == WirePrecision::kBf16) {
    DecodeBf16Twice(static_cast<const std::uint16_t*>(src), rows * d, dst, copy);
    return;
  }
  DecodeWireRows(p, src, rows, d, dst);
  std::memcpy(copy, dst, rows * d * sizeof(float));
}

void EncodeWireWithFeedback(WirePrecision p, const float* src, float* residual, std::size_t n, void* dst) {
  if (p == WirePrecision::kFp32) {
    AddInto(src, residual, n, static_cast<float*>(dst));
    return;
  }
  if (p == WirePrecision::kBf16) {
    EncodeBf16WithFeedback(src, residual, n, static_cast<std::uint16_t*>(dst));
    return;
  }
  // In chunks on the stack: v = src + residual, encode, residual = v - decoded.
  constexpr std::size_t kChunk = 256;
  float v[kChunk], back[kChunk];
  auto* out = static_cast<std::uint16_t*>(dst);
  for (std::size_t at = 0; at < n; at += kChunk) {
    const std::size_t m = n - at < kChunk ? n - at : kChunk;
    for (std::size_t i = 0; i < m; ++i) v[i] = src[at + i] + residual[at + i];
    EncodeWire(p, v, m, out + at);
    DecodeWire(p, out + at, m, back);
    for (std::size_t i = 0; i < m; ++i) residual[at + i] = v[i] - back[i];
  }
}

}  // namespace item2vec
