// Timestamps and durations as they appear in event logs, converted to milliseconds.
//
// Contract:
// - ParseTimestampMs turns one field into milliseconds since the Unix epoch (UTC). Formats:
//   kUnixSeconds   integer or decimal seconds ("964982703", "1538390400.25"),
//   kUnixMillis    integer milliseconds ("1538390400250"),
//   kIso8601       "2018-09-24", "2018-09-24T10:00:00Z", "2018-09-24 10:00:00.5+02:00",
//                  "2018-09-24T10:00+0200"; no offset means UTC,
//   kAuto          digits are Unix seconds, or milliseconds when the absolute value is at
//                  least 1e11 (1e11 s is the year 5138, 1e11 ms is 1973); anything else is
//                  tried as ISO-8601.
//   Leading and trailing spaces are ignored. Returns false (no allocation, no exception)
//   when the text is not a valid time in that format; the out value is then unspecified.
// - ParseDurationMs parses "90", "90s", "30m", "2h", "1.5d" (no suffix = seconds).
// - Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace item2vec {

enum class TimeFormat { kAuto, kUnixSeconds, kUnixMillis, kIso8601 };

// "auto", "seconds", "milliseconds" (or "ms"), "iso8601".
Result<TimeFormat> ParseTimeFormat(const std::string& name);
const char* TimeFormatName(TimeFormat format);

bool ParseTimestampMs(std::string_view text, TimeFormat format, std::int64_t* ms);

Result<std::int64_t> ParseDurationMs(const std::string& text);

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day);

// "2018-09-24T10:00:00.250Z" (milliseconds only when non-zero); for messages and logs.
std::string FormatIso8601(std::int64_t ms);

}  // namespace item2vec
