#include "common/weighted_token.h"

#include <charconv>
#include <cmath>

namespace item2vec {

TokenWeight SplitWeightedToken(std::string_view token, std::string_view* item, double* weight) {
  *item = token;
  *weight = 1.0;
  const std::size_t star = token.rfind('*');
  if (star == std::string_view::npos || star == 0 || star + 1 >= token.size()) return TokenWeight::kPlain;
  const char* first = token.data() + star + 1;
  const char* last = token.data() + token.size();
  if (*first < '0' || *first > '9') return TokenWeight::kPlain;
  double w = 0;
  const std::from_chars_result r = std::from_chars(first, last, w);
  if (r.ptr != last) return TokenWeight::kPlain;  // "a*3x": not a number, the item is the whole token
  *item = token.substr(0, star);
  *weight = w;
  return ValidEventWeight(w) && r.ec == std::errc() ? TokenWeight::kWeighted : TokenWeight::kBad;
}

std::string_view TokenItem(std::string_view token) {
  std::string_view item;
  double weight;
  SplitWeightedToken(token, &item, &weight);
  return item;
}

std::string BadWeightMessage(std::string_view token) {
  return "the token '" + std::string(token.substr(0, 80)) + "' has a weight outside (0, 1e6] (ITEM*W, " +
         "docs/commands/prep.md): give events a positive weight, or write the item without '*W' for weight 1";
}

void FormatWeightedToken(std::string_view item, double weight, std::string* out) {
  out->append(item);
  if (weight == 1.0 && TokenItem(item) == item) return;  // "a*3" of weight 1 is written "a*3*1"
  char buf[32];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, weight);
  out->push_back('*');
  out->append(buf, r.ptr);
}

bool ValidEventWeight(double weight) { return std::isfinite(weight) && weight > 0 && weight <= kMaxEventWeight; }

}  // namespace item2vec
