// Small, fast, seedable random generators for the hot path.
//
// Contract: Rng (xoshiro256**) is a value type, 32 bytes of state, so it can be copied
// into a checkpoint and restored bit-for-bit. SeedFor(seed, stream...) derives independent
// streams (per worker, per row) with SplitMix64, so results do not depend on how work is
// laid out over ranks. Not thread-safe: one Rng per thread.
#pragma once

#include <cstdint>

namespace item2vec {

inline std::uint64_t SplitMix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

inline std::uint64_t SeedFor(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) {
  std::uint64_t x = seed ^ (a * 0xd1b54a32d192ed03ull) ^ (b * 0x8cb92ba72f3d8dd7ull);
  SplitMix64(x);
  return SplitMix64(x);
}

class Rng {
 public:
  Rng() { Seed(1); }
  explicit Rng(std::uint64_t seed) { Seed(seed); }
  void Seed(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& w : s_) w = SplitMix64(x);
  }
  std::uint64_t Next() {
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 24 bits (float) or 53 bits (double).
  float UniformFloat() { return static_cast<float>(Next() >> 40) * (1.0f / 16777216.0f); }
  double UniformDouble() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
  // Uniform in [0, n) by multiply-shift (Lemire), no division.
  std::uint32_t Below(std::uint32_t n) {
    return static_cast<std::uint32_t>(((Next() >> 32) * static_cast<std::uint64_t>(n)) >> 32);
  }
  // Uniform in [0, n) for any 64-bit n, by a 128-bit multiply-shift (bias < n / 2^64).
  std::uint64_t Below64(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) { ar& s_; }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace item2vec
