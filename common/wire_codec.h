// Wire codec: the precision that embedding rows and their deltas travel in between workers
// and servers (--wire-precision; ps/protocol.h says which messages use it).
//
// Contract:
// - fp32 is the identity (4 bytes a value; the bytes are the floats themselves). bf16 keeps
//   fp32's exponent range and 8 significant bits; fp16 has 11 significant bits but a range of
//   about 6e-8 .. 65504. Both take 2 bytes a value, little-endian, as IEEE half / bfloat16 bit
//   patterns.
// - EncodeWire rounds to nearest, ties to even. fp16 saturates finite values beyond its range to
//   +-65504 (never inf) and keeps subnormals; NaN stays NaN, inf stays inf. DecodeWire is exact
//   (every 16-bit value is a float).
// - EncodeWireWithFeedback is error feedback: it encodes v = src[i] + residual[i] and leaves in
//   residual[i] what rounding dropped (v - decoded). Over many pushes the sum of the decoded values
//   plus the final residual equals the sum of the src values (up to float addition), so small
//   deltas accumulate instead of being rounded away.
// - EncodeBf16Stochastic rounds each value to one of its two bf16 neighbours at random, up with
//   probability (dropped fraction of an ulp): E[decoded] = src exactly, so many small deltas sum
//   to their true total on average with no state kept (the lean alternative to error feedback
//   that bf16 pushes use; worker/ps_client.h). The random bits are a hash of (salt, index): the
//   same call gives the same bytes; callers vary the salt per message. NaN stays NaN, inf stays
//   inf; a value within an ulp of the largest float may round up to inf.
// - The array functions give exactly the per-value functions' results (fp16 uses the CPU's F16C
//   instructions where it has them, the same rounding). The 16-bit buffers are uint16_t arrays
//   (n values); buffers must not overlap.
// - int8 (WirePrecision::kInt8) is a per-row format: a row of d values travels as its float32
//   scale (little-endian; the row's largest |value| / 127) and then d signed bytes q, the value
//   being q * scale: d + 4 bytes a row (104 for d = 100, against 200 in bf16). Only the row
//   functions (WireRowBytes, EncodeWireRows, DecodeWireRows, EncodeIntStochastic) take it; they
//   take every precision, the float ones being their per-value functions over rows * d values.
//   EncodeWireRows rounds int8 to the nearest multiple of the scale (ties to even): the
//   error of a value is at most scale / 2 = max|row| / 254 (pulls). EncodeIntStochastic rounds
//   each value to one of its two neighbouring multiples at random, up with probability (the
//   dropped fraction of a step): E[decoded] = src (pushed deltas; the bias left is that of the
//   float sums, below 2^-16 of a step), error below one step = max|row| / 127. The random bits
//   are a hash of (salt, index in the message), as for bf16. An all-zero row has scale 0; a row
//   holding a NaN or an infinity decodes as NaN throughout (a diverged run stays visible).
// - int4 is the same with 15 steps (-7..7, scale = max|value| / 7), two values a byte (value 2k
//   in the low nibble of byte k, as step + 8): 4 + ceil(d / 2) bytes a row (54 for d = 100);
//   nearest error at most max|row| / 14. int4-int8 is a job's pair of formats, not one: pulls in
//   int4 (rounded to nearest: a worker's working copy, whose error never reaches the servers,
//   which add the delta trained against it), pushes in int8 (stochastic: the deltas that build
//   the model). PullWire / PushWire give each direction's format; the row functions take the
//   single formats only.
// - Pure functions of their arguments; no allocation; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace item2vec {

enum class WirePrecision : std::uint8_t { kFp32 = 0, kBf16 = 1, kFp16 = 2, kInt8 = 3, kInt4 = 4, kInt4Int8 = 5 };

// "fp32", "bf16", "fp16", "int8", "int4", "int4-int8".
std::string_view WirePrecisionName(WirePrecision p);
// Parses one of the names above; false for anything else.
bool ParseWirePrecision(std::string_view name, WirePrecision* p);
// The per-value formats' bytes a value (int8 is per row: use WireRowBytes).
inline std::size_t WireBytesPerValue(WirePrecision p) { return p == WirePrecision::kFp32 ? 4 : 2; }
// The format of each direction: p itself, but int4-int8 pulls int4 and pushes int8.
inline WirePrecision PullWire(WirePrecision p) { return p == WirePrecision::kInt4Int8 ? WirePrecision::kInt4 : p; }
inline WirePrecision PushWire(WirePrecision p) { return p == WirePrecision::kInt4Int8 ? WirePrecision::kInt8 : p; }
// Bytes one row of d values takes on the wire (a single format: not int4-int8).
inline std::size_t WireRowBytes(WirePrecision p, std::size_t d) {
  if (p == WirePrecision::kInt8) return d + sizeof(float);
  if (p == WirePrecision::kInt4) return (d + 1) / 2 + sizeof(float);
  return d * WireBytesPerValue(p);
}

std::uint16_t FloatToBf16(float f);
float Bf16ToFloat(std::uint16_t h);
std::uint16_t FloatToFp16(float f);
float Fp16ToFloat(std::uint16_t h);

// dst holds n * WireBytesPerValue(p) bytes: n floats for fp32, n uint16_t otherwise.
void EncodeWire(WirePrecision p, const float* src, std::size_t n, void* dst);
void DecodeWire(WirePrecision p, const void* src, std::size_t n, float* dst);
void EncodeWireWithFeedback(WirePrecision p, const float* src, float* residual, std::size_t n, void* dst);
// dst: n uint16_t bf16 patterns.
void EncodeBf16Stochastic(const float* src, std::size_t n, std::uint32_t salt, std::uint16_t* dst);
// The push path's fused passes: dst = the stochastic bf16 of rows - original (the same floats
// as common/row_ops.h SubtractRow's), original being floats or bf16 values as pulled; rows and
// original are only read. `first_index` is the position of rows[0] in its message: the random
// bits of value i are those EncodeBf16Stochastic gives position first_index + i, so a message
// encoded in pieces is the message encoded at once.
void EncodeBf16StochasticDeltas(const float* rows, const float* original, std::size_t n, std::uint32_t salt,
                                std::uint32_t first_index, std::uint16_t* dst);
void EncodeBf16StochasticPulledDeltas(const float* rows, const std::uint16_t* pulled, std::size_t n,
                                      std::uint32_t salt, std::uint32_t first_index, std::uint16_t* dst);
// Rows of d values, every precision: dst holds rows * WireRowBytes(p, d) bytes.
void EncodeWireRows(WirePrecision p, const float* src, std::size_t rows, std::size_t d, void* dst);
void DecodeWireRows(WirePrecision p, const void* src, std::size_t rows, std::size_t d, float* dst);
// int8 or int4 (p) with stochastic rounding (pushed deltas): rows * WireRowBytes(p, d) bytes.
void EncodeIntStochastic(WirePrecision p, const float* src, std::size_t rows, std::size_t d, std::uint32_t salt,
                         void* dst);
// The pull path's fused pass: DecodeWireRows into both dst and copy (rows * d floats each).
void DecodeWireTwice(WirePrecision p, const void* src, std::size_t rows, std::size_t d, float* dst, float* copy);

}  // namespace item2vec
