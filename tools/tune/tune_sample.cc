#include "tools/tune/tune_sample.h"

#include <algorithm>

#include "common/hash.h"

namespace item2vec {

bool KeepLine(std::uint64_t hash, std::uint64_t seed, double share) {
  const std::uint64_t h = MurmurMix64(hash ^ (seed * 0x9E3779B97F4A7C15ull));
  return static_cast<double>(h >> 11) * 0x1.0p-53 < share;
}

std::int64_t CountTokens(std::string_view line) {
  std::int64_t tokens = 0;
  bool in_token = false;
  for (char c : line) {
    const bool space = c == ' ' || c == '\t' || c == '\r';
    if (!space && !in_token) ++tokens;
    in_token = !space;
  }
  return tokens;
}

double RaisedShare(double requested, std::int64_t kept_tokens, std::int64_t total_tokens, std::int64_t min_tokens) {
  if (requested >= 1 || min_tokens <= 0 || kept_tokens >= min_tokens || total_tokens <= 0) return requested;
  return std::min(1.0, std::max(requested, static_cast<double>(min_tokens) / static_cast<double>(total_tokens)));
}

}  // namespace item2vec
