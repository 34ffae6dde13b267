// Weighted tokens: how a sequence carries an event's weight, `ITEM*W`.
//
// Contract:
// - A token is weighted when it has a '*' with at least one byte before it and the rest
//   after its last '*' starts with a digit and is wholly a decimal number (std::from_chars:
//   "3", "0.5", "2.25", "1e+06"): the item is the bytes before that '*', the weight that
//   number. Any other token (no '*', or a suffix such as "*x", "*", "*-1") is an item whole,
//   with weight 1, so sequences without weights read exactly as before.
// - A weighted token whose weight is 0, not finite, or above kMaxEventWeight is an error
//   (kDataError naming the token); the caller adds where it was.
// - prep writes `ITEM` alone for weight 1 and `ITEM*W` otherwise (FormatWeightedToken), so an
//   unweighted log gives the same sequences as before the weights existed. The price: an
//   item id that itself ends in '*' and a number reads as weighted everywhere sequences are
//   read (train, walk, eval's popularity); prep with --event-weights writes such an item
//   with its weight ("a*3*1"), so it survives.
// Pure functions; thread-safe; nothing allocates but FormatWeightedToken's append.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace item2vec {

inline constexpr double kMaxEventWeight = 1e6;

enum class TokenWeight { kPlain, kWeighted, kBad };

// Splits `token` into *item and *weight. kPlain: *item = token, *weight = 1. kBad: the
// suffix is a number out of (0, kMaxEventWeight]; *item and *weight as for kWeighted.
TokenWeight SplitWeightedToken(std::string_view token, std::string_view* item, double* weight);

// The item of a token (the token itself when it is not weighted, or badly weighted).
std::string_view TokenItem(std::string_view token);

// Why a kBad token is bad, for an error message: names the token and what to do.
std::string BadWeightMessage(std::string_view token);

// Appends `item`, then "*W" (W in the shortest form that reads back equal) unless weight == 1
// and the item alone reads as itself (an item such as "a*3" always gets its "*W").
void FormatWeightedToken(std::string_view item, double weight, std::string* out);

// A weight given by a user (prep's --event-weights values): a number in (0, kMaxEventWeight].
bool ValidEventWeight(double weight);

}  // namespace item2vec
