#include "tools/prep/event_columns.h"

#include <charconv>
#include <cmath>

#include "common/weighted_token.h"

namespace item2vec {
namespace {

std::string Shorten(std::string_view s) {
  constexpr std::size_t kMax = 60;
  if (s.size() <= kMax) return std::string(s);
  return std::string(s.substr(0, kMax)) + "...";
}

// Messages quote at most a short prefix of each field (a header may be a 1 MiB line).
std::string ListColumns(const std::vector<std::string>& header) {
  std::string out;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(i + 1) + ":'" + Shorten(header[i]) + "'";
  }
  return out;
}

}  // namespace

bool EventColumnSpecs::AnyByName() const {
  return user.by_name() || item.by_name() || time.by_name() || rating.by_name() || event.by_name() || weight.by_name();
}

Result<ColumnLayout> ResolveColumns(const EventColumnSpecs& specs, const std::vector<std::string>* header,
                                    std::size_t field_count, const std::string& file) {
  ColumnLayout layout;
  layout.expected_fields = field_count;
  struct Binding {
    const ColumnSpec* spec;
    int* index;
    const char* option;
  };
  const Binding bindings[] = {{&specs.user, &layout.user, "--user-col"},
                              {&specs.item, &layout.item, "--item-col"},
                              {&specs.time, &layout.time, "--time-col"},
                              {&specs.rating, &layout.rating, "--rating-col"},
                              {&specs.event, &layout.event, "--event-col"},
                              {&specs.weight, &layout.weight, "--weight-col"}};
  for (const Binding& b : bindings) {
    if (!b.spec->used()) continue;
    if (b.spec->position >= 0) {
      if (static_cast<std::size_t>(b.spec->position) >= field_count) {
        std::string msg = std::string(b.option) + " " + b.spec->text + ": '" + file + "' has only " +
                          std::to_string(field_count) + " column(s)";
        if (header != nullptr) msg += ": " + ListColumns(*header);
        return Status::InvalidArgument(msg);
      }
      *b.index = b.spec->position;
      continue;
    }
    if (header == nullptr)
      return Status::InvalidArgument(std::string(b.option) + " '" + b.spec->text + "' names a column, but '" + file +
                                     "' has no header row (use a 1-based position, or --header yes)");
    for (std::size_t i = 0; i < header->size(); ++i) {
      if ((*header)[i] == b.spec->text) {
        *b.index = static_cast<int>(i);
        break;
      }
    }
    if (*b.index < 0)
      return Status::InvalidArgument(std::string(b.option) + " '" + b.spec->text + "': no such column in '" + file +
                                     "'; its header has " + ListColumns(*header));
  }
  return layout;
}

bool LooksLikeHeader(const EventColumnSpecs& specs, const DelimitedRecord& first, TimeFormat time_format) {
  if (specs.AnyByName()) return true;
  if (specs.time.used()) {
    const std::size_t i = static_cast<std::size_t>(specs.time.position);
    std::int64_t ms = 0;
    return i >= first.size() || !ParseTimestampMs(first[i], time_format, &ms);
  }
  if (specs.rating.used()) {
    const std::size_t i = static_cast<std::size_t>(specs.rating.position);
    double value = 0;
    return i >= first.size() || !ParseFiniteDouble(first[i], &value);
  }
  return false;
}

const char* RowRejectName(RowReject reason) {
  switch (reason) {
    case RowReject::kWrongColumnCount: return "wrong_column_count";
    case RowReject::kMissingField: return "missing_field";
    case RowReject::kBadTimestamp: return "bad_timestamp";
    case RowReject::kBadRating: return "bad_rating";
    case RowReject::kUnterminatedQuote: return "unterminated_quote";
    case RowReject::kRecordTooLong: return "record_too_long";
    case RowReject::kBadWeight: return "bad_weight";
    case RowReject::kNumReasons: break;
  }
  return "unknown";
}

bool ParseFiniteDouble(std::string_view text, double* value) {
  std::string_view s = TrimSpaces(text);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *value);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(*value);
}

bool ExtractEvent(const DelimitedRecord& record, const ColumnLayout& layout, TimeFormat time_format,
                  ParsedEvent* event, RowReject* reason) {
  if (record.unterminated_quote()) {
    *reason = RowReject::kUnterminatedQuote;
    return false;
  }
  if (record.too_long()) {
    *reason = RowReject::kRecordTooLong;
    return false;
  }
  if (record.size() != layout.expected_fields) {
    *reason = RowReject::kWrongColumnCount;
    return false;
  }
  event->user = record[static_cast<std::size_t>(layout.user)];
  event->item = record[static_cast<std::size_t>(layout.item)];
  event->event_type = layout.event >= 0 ? TrimSpaces(record[static_cast<std::size_t>(layout.event)]) : std::string_view();
  if (event->user.empty() || event->item.empty() || (layout.event >= 0 && event->event_type.empty()) ||
      (layout.time >= 0 && TrimSpaces(record[static_cast<std::size_t>(layout.time)]).empty()) ||
      (layout.rating >= 0 && TrimSpaces(record[static_cast<std::size_t>(layout.rating)]).empty()) ||
      (layout.weight >= 0 && TrimSpaces(record[static_cast<std::size_t>(layout.weight)]).empty())) {
    *reason = RowReject::kMissingField;
    return false;
  }
  event->time_ms = 0;
  if (layout.time >= 0 && !ParseTimestampMs(record[static_cast<std::size_t>(layout.time)], time_format, &event->time_ms)) {
    *reason = RowReject::kBadTimestamp;
    return false;
  }
  event->rating = 0;
  if (layout.rating >= 0 && !ParseFiniteDouble(record[static_cast<std::size_t>(layout.rating)], &event->rating)) {
    *reason = RowReject::kBadRating;
    return false;
  }
  event->weight = 1;
  if (layout.weight >= 0 && !(ParseFiniteDouble(record[static_cast<std::size_t>(layout.weight)], &event->weight) &&
                              ValidEventWeight(event->weight))) {
    *reason = RowReject::kBadWeight;
    return false;
  }
  return true;
}

std::string DescribeReject(const DelimitedRecord& record, const ColumnLayout& layout, RowReject reason) {
  auto field = [&](int index) {
    return index >= 0 && static_cast<std::size_t>(index) < record.size()
               ? "'" + Shorten(record[static_cast<std::size_t>(index)]) + "'"
               : std::string("(none)");
  };
  switch (reason) {
    case RowReject::kWrongColumnCount:
      return "expected " + std::to_string(layout.expected_fields) + " fields, found " + std::to_string(record.size());
    case RowReject::kMissingField:
      return "an empty field (user " + field(layout.user) + ", item " + field(layout.item) +
             (layout.time >= 0 ? ", time " + field(layout.time) : "") +
             (layout.rating >= 0 ? ", rating " + field(layout.rating) : "") +
             (layout.event >= 0 ? ", event " + field(layout.event) : "") +
             (layout.weight >= 0 ? ", weight " + field(layout.weight) : "") + ")";
    case RowReject::kBadTimestamp:
      return "time " + field(layout.time) + " is not Unix seconds, Unix milliseconds or ISO-8601";
    case RowReject::kBadRating:
      return "rating " + field(layout.rating) + " is not a number";
    case RowReject::kUnterminatedQuote:
      return "a quoted field is not closed before the end of the file (or within 1 MiB), starting " +
             field(0);
    case RowReject::kRecordTooLong:
      return "the line is longer than 1 MiB: " + field(0);
    case RowReject::kBadWeight:
      return "weight " + field(layout.weight) + " is not a number in (0, 1e6]: give every event a positive weight";
    case RowReject::kNumReasons: break;
  }
  return "unknown";
}

}  // namespace item2vec
