// Event columns: which fields of a delimited row are the user, item, time, rating and
// event type, and the conversion of one row into an event (or a reason to reject it).
//
// Contract:
// - A ColumnSpec names a column by 1-based position ("3") or by header name ("movieId");
//   names are matched exactly (case-sensitive) after trimming spaces from header fields.
// - ResolveColumns maps the specs of one file onto field indices, given that file's header
//   (if it has one). An unknown name or an out-of-range position is kInvalidArgument and
//   the message lists the header's columns.
// - ExtractEvent checks one data row: field count equal to the file's first row, non-empty
//   user/item/time/event/weight fields, a parsable time, a finite rating and a weight in
//   (0, 1e6] (common/weighted_token.h). It allocates nothing
//   and returns the reason on failure. Views point into the record.
// - Pure functions over their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/column_spec.h"
#include "common/delimited_reader.h"
#include "tools/prep/timestamp.h"
#include "common/status.h"

namespace item2vec {

struct EventColumnSpecs {
  ColumnSpec user, item, time, rating, event, weight;
  bool AnyByName() const;
};

struct ColumnLayout {
  int user = -1, item = -1, time = -1, rating = -1, event = -1, weight = -1;  // field indices; -1 unused
  std::size_t expected_fields = 0;  // every row must have this many fields
};

// header: the file's header fields, or nullptr when the file has none (then names fail).
// field_count: fields of the file's first record (header or data).
Result<ColumnLayout> ResolveColumns(const EventColumnSpecs& specs, const std::vector<std::string>* header,
                                    std::size_t field_count, const std::string& file);

// "auto" header detection for a file whose first record is `first`: a header when a column
// is given by name, or when that record's time (or, without time, rating) field does not
// parse. Without either column, positional specs mean no header.
bool LooksLikeHeader(const EventColumnSpecs& specs, const DelimitedRecord& first, TimeFormat time_format);

enum class RowReject : int {
  kWrongColumnCount = 0,
  kMissingField,
  kBadTimestamp,
  kBadRating,
  kUnterminatedQuote,
  kRecordTooLong,
  kBadWeight,  // --weight-col: not a number in (0, 1e6]
  kNumReasons
};
constexpr int kNumRowRejects = static_cast<int>(RowReject::kNumReasons);
// Stable snake_case names used in summary.json and messages.
const char* RowRejectName(RowReject reason);

struct ParsedEvent {
  std::string_view user, item, event_type;
  std::int64_t time_ms = 0;  // 0 when there is no time column
  double rating = 0;         // 0 when there is no rating column
  double weight = 1;         // 1 when there is no weight column
};

// True when the row is a usable event; otherwise sets *reason.
bool ExtractEvent(const DelimitedRecord& record, const ColumnLayout& layout, TimeFormat time_format,
                  ParsedEvent* event, RowReject* reason);

// A one-line explanation of why `record` was rejected, for warnings and --strict errors.
std::string DescribeReject(const DelimitedRecord& record, const ColumnLayout& layout, RowReject reason);

// Parses a decimal number with optional surrounding spaces; false if not finite.
bool ParseFiniteDouble(std::string_view text, double* value);

}  // namespace item2vec
