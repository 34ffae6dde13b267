#include "tools/prep/event_weights.h"

#include <charconv>

#include "common/weighted_token.h"

namespace item2vec {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

double EventWeights::WeightOf(std::string_view type) const {
  for (const auto& [name, weight] : weights_)
    if (name == type) return weight;
  return 1.0;
}

Result<EventWeights> ParseEventWeights(const std::string& spec) {
  auto bad = [](const std::string& entry, const std::string& what) {
    return Status::InvalidArgument("--event-weights entry '" + entry + "': " + what +
                                   " (write TYPE=WEIGHT,..., e.g. purchase=3,cart=2,click=1)");
  };
  EventWeights out;
  std::size_t begin = 0;
  while (begin <= spec.size()) {
    std::size_t end = spec.find(',', begin);
    if (end == std::string::npos) end = spec.size();
    const std::string entry = Trim(spec.substr(begin, end - begin));
    begin = end + 1;
    if (entry.empty()) continue;
    const std::size_t eq = entry.rfind('=');
    if (eq == std::string::npos) return bad(entry, "no '='");
    const std::string type = Trim(entry.substr(0, eq)), value = Trim(entry.substr(eq + 1));
    if (type.empty()) return bad(entry, "no event type before '='");
    double weight = 0;
    const std::from_chars_result r = std::from_chars(value.data(), value.data() + value.size(), weight);
    if (value.empty() || r.ec != std::errc() || r.ptr != value.data() + value.size() || !ValidEventWeight(weight))
      return bad(entry, "the weight must be a number in (0, 1e6]");
    for (const auto& e : out.weights_)
      if (e.first == type) return bad(entry, "the type '" + type + "' is listed twice");
    out.weights_.emplace_back(type, weight);
  }
  if (out.weights_.empty()) return Status::InvalidArgument("--event-weights lists no TYPE=WEIGHT entry");
  return out;
}

}  // namespace item2vec
