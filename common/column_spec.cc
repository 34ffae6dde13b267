#include "common/column_spec.h"

#include <charconv>

namespace item2vec {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<ColumnSpec> ParseColumnSpec(const std::string& text, const std::string& option) {
  ColumnSpec spec;
  spec.text = std::string(TrimSpaces(text));
  if (spec.text.empty()) return spec;
  bool digits = true;
  for (char c : spec.text) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    int position = 0;
    const auto [ptr, ec] = std::from_chars(spec.text.data(), spec.text.data() + spec.text.size(), position);
    if (ec != std::errc() || position < 1 || position > 100000)
      return Status::InvalidArgument(option + " " + spec.text + ": positions are 1-based (1 is the first column)");
    spec.position = position - 1;
  }
  return spec;
}

}  // namespace item2vec
