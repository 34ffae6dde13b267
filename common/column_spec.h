// ColumnSpec: a column of a delimited file as a user names it on the command line, by
// 1-based position ("2") or by header name ("movieId"), for prep's event columns and the
// title columns of `similar --names`.
//
// Contract: ParseColumnSpec trims spaces and tabs; all digits = a position (1-based in,
// 0-based stored; 0 or above 100000 is kInvalidArgument naming the option); anything else
// a header name; empty = the column is not used. TrimSpaces is the trimming used. Pure.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace item2vec {

struct ColumnSpec {
  std::string text;    // as the user gave it; empty = column not used
  int position = -1;   // 0-based when given by position, else -1
  bool used() const { return !text.empty(); }
  bool by_name() const { return used() && position < 0; }
};

// option names the flag in messages, e.g. "--user-col".
Result<ColumnSpec> ParseColumnSpec(const std::string& text, const std::string& option);

// s without leading and trailing spaces and tabs.
std::string_view TrimSpaces(std::string_view s);

}  // namespace item2vec
