// FNV-1a and MurmurHash3's finaliser: the byte hashes of the vocabulary and of prep.
//
// Contract: pure, constexpr-friendly inline functions; thread-safe.
// - Fnv1a64(bytes, basis) is FNV-1a over the bytes from the given offset basis.
// - MurmurMix64(h, rounds) is MurmurHash3's 64-bit finaliser fmix64 (rounds = 2: xor-shift,
//   then two multiply + xor-shift rounds); rounds = 1 stops after the first multiply round.
// The two users keep their own, different parameters on purpose, and must never change them:
// - the vocabulary (HashBytes, common/vocabulary.h) starts from kVocabularyFnvBasis, a
//   mistyped FNV basis (one digit short of the standard one) with one mixing round. Its value
//   decides the vocabulary's hash table and Vocabulary::Fingerprint(), which checkpoints,
//   manifests and warm starts store and compare: changing it would refuse every existing
//   checkpoint;
// - prep's user buckets (UserHash, tools/prep/bucket_sort.h) start from the standard basis
//   with the full finaliser; the hash orders users and picks their part file, so prep's
//   output bytes depend on it.
#pragma once

#include <cstdint>
#include <string_view>

namespace item2vec {

inline constexpr std::uint64_t kFnvPrime = 1099511628211ull;             // 0x100000001b3
inline constexpr std::uint64_t kFnvOffsetBasis = 14695981039346656037ull;  // the standard 64-bit basis
inline constexpr std::uint64_t kVocabularyFnvBasis = 1469598103934665603ull;  // see above: keep as is

inline std::uint64_t Fnv1a64(std::string_view bytes, std::uint64_t basis = kFnvOffsetBasis) {
  std::uint64_t h = basis;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

inline std::uint64_t MurmurMix64(std::uint64_t h, int rounds = 2) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  if (rounds < 2) return h;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace item2vec
