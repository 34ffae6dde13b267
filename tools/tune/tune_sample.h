// TuneSample: how large a share of the training lines a `tune --sample` search trains on,
// and which lines it keeps.
//
// Contract:
// - A sample is a share of the lines chosen by a seeded hash (KeepLine): a line kept at share
//   S is kept at every larger share, so a raised sample holds the requested one.
// - The floor on the sample's size: a sample of fewer than min_tokens tokens (items) is not
//   a smaller copy of the corpus but another training regime: each item gets a share of the
//   updates it gets on the full input, and the settings that rank first there (few epochs,
//   low learning rates) are not the ones that rank first on the full input (docs/commands/
//   tune.md, "--sample"). RaisedShare raises the share so that the sample holds about
//   min_tokens tokens: min(1, min_tokens / total_tokens) when the requested share kept
//   fewer (share 1: every trial trains on the full input); otherwise the requested share.
//   min_tokens = 0 turns the floor off.
#pragma once

#include <cstdint>
#include <string_view>

namespace item2vec {

// What a --sample search trained on (trials.json's "sample_*" fields).
struct TuneSampleStats {
  double requested = 1;  // --sample
  double share = 1;      // the share trained on: requested, or raised to the floor
  bool raised = false;
  std::int64_t min_tokens = 0;     // --sample-min-tokens
  std::int64_t input_tokens = 0;   // tokens of the full training input (0: not counted, no --sample)
  std::int64_t sample_tokens = 0;  // of those, in the sample
};

// Whether the line with this content hash is in the share `share` of a sample seeded `seed`.
bool KeepLine(std::uint64_t hash, std::uint64_t seed, double share);

// The whitespace-separated tokens (items) of one training line.
std::int64_t CountTokens(std::string_view line);

// The share to sample: `requested`, raised to min(1, min_tokens / total_tokens) when the
// requested share kept fewer than min_tokens of the total_tokens.
double RaisedShare(double requested, std::int64_t kept_tokens, std::int64_t total_tokens, std::int64_t min_tokens);

}  // namespace item2vec
