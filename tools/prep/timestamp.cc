#include "tools/prep/timestamp.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace item2vec {
namespace {

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::int64_t kMsPerDay = 86400 * kMsPerSecond;
// |seconds| beyond this are not times (and would overflow once in milliseconds).
constexpr std::int64_t kMaxAbsSeconds = 100'000'000'000'000;  // ~3 million years

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads exactly `width` digits at *pos.
bool FixedDigits(std::string_view s, std::size_t* pos, int width, int* value) {
  if (*pos + static_cast<std::size_t>(width) > s.size()) return false;
  int v = 0;
  for (int i = 0; i < width; ++i) {
    const char c = s[*pos + static_cast<std::size_t>(i)];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<std::size_t>(width);
  *value = v;
  return true;
}

// "[-]digits[.digits]" scaled to milliseconds (unit_ms = 1000 for seconds, 1 for ms;
// fractions of a millisecond are truncated toward zero).
bool ParseNumberMs(std::string_view s, std::int64_t unit_ms, std::int64_t* ms) {
  bool negative = false;
  std::size_t pos = 0;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) negative = s[pos++] == '-';
  const std::size_t int_start = pos;
  std::int64_t whole = 0;
  while (pos < s.size() && IsDigit(s[pos])) {
    whole = whole * 10 + (s[pos] - '0');
    if (whole > kMaxAbsSeconds * 1000) return false;
    ++pos;
  }
  const bool has_int = pos > int_start;
  std::int64_t frac_ms = 0;
  bool has_frac = false;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::int64_t fraction = 0, pow10 = 1;  // fraction / pow10 of one unit
    for (int digits = 0; pos < s.size() && IsDigit(s[pos]); ++pos, ++digits) {
      has_frac = true;
      if (digits < 9) {  // later digits are far below a millisecond
        fraction = fraction * 10 + (s[pos] - '0');
        pow10 *= 10;
      }
    }
    frac_ms = fraction * unit_ms / pow10;
  }
  if (pos != s.size() || (!has_int && !has_frac)) return false;
  if (whole > kMaxAbsSeconds * 1000 / unit_ms) return false;
  const std::int64_t value = whole * unit_ms + frac_ms;
  *ms = negative ? -value : value;
  return true;
}

unsigned DaysInMonth(std::int64_t year, unsigned month) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool ParseIso8601Ms(std::string_view s, std::int64_t* ms) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!FixedDigits(s, &pos, 4, &year) || pos >= s.size() || s[pos++] != '-') return false;
  if (!FixedDigits(s, &pos, 2, &month) || pos >= s.size() || s[pos++] != '-') return false;
  if (!FixedDigits(s, &pos, 2, &day)) return false;
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, month))
    return false;
  std::int64_t total = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kMsPerDay;
  if (pos == s.size()) {
    *ms = total;
    return true;
  }
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return false;
  ++pos;
  int hour = 0, minute = 0, second = 0;
  if (!FixedDigits(s, &pos, 2, &hour) || pos >= s.size() || s[pos++] != ':') return false;
  if (!FixedDigits(s, &pos, 2, &minute)) return false;
  std::int64_t millis = 0;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!FixedDigits(s, &pos, 2, &second)) return false;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int digits = 0;
      while (pos < s.size() && IsDigit(s[pos])) {
        if (digits < 3) millis = millis * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return false;
      for (int d = digits; d < 3; ++d) millis *= 10;
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return false;  // 60: a leap second
  total += ((hour * 60 + minute) * 60 + second) * kMsPerSecond + millis;
  if (pos == s.size()) {
    *ms = total;
    return true;
  }
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
    *ms = total;
    return true;
  }
  if (s[pos] != '+' && s[pos] != '-') return false;
  const int sign = s[pos++] == '-' ? -1 : 1;
  int off_hour = 0, off_minute = 0;
  if (!FixedDigits(s, &pos, 2, &off_hour)) return false;
  if (pos < s.size() && s[pos] == ':') ++pos;
  if (pos < s.size() && !FixedDigits(s, &pos, 2, &off_minute)) return false;
  if (pos != s.size() || off_hour > 23 || off_minute > 59) return false;
  // Local time = UTC + offset, so UTC = local - offset.
  *ms = total - sign * (off_hour * 60 + off_minute) * 60 * kMsPerSecond;
  return true;
}

bool AllDigitsNumber(std::string_view s) {
  std::size_t pos = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (pos >= s.size()) return false;
  bool any = false;
  for (; pos < s.size(); ++pos) {
    if (IsDigit(s[pos])) any = true;
    else if (s[pos] != '.') return false;
  }
  return any;
}

}  // namespace

Result<TimeFormat> ParseTimeFormat(const std::string& name) {
  if (name == "auto") return TimeFormat::kAuto;
  if (name == "seconds" || name == "unix" || name == "s") return TimeFormat::kUnixSeconds;
  if (name == "milliseconds" || name == "ms" || name == "unix-ms") return TimeFormat::kUnixMillis;
  if (name == "iso8601" || name == "iso") return TimeFormat::kIso8601;
  return Status::InvalidArgument("--time-format must be auto, seconds, milliseconds or iso8601; got '" +
                                 name + "'");
}

const char* TimeFormatName(TimeFormat format) {
  switch (format) {
    case TimeFormat::kAuto: return "auto";
    case TimeFormat::kUnixSeconds: return "seconds";
    case TimeFormat::kUnixMillis: return "milliseconds";
    case TimeFormat::kIso8601: return "iso8601";
  }
  return "auto";
}

std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool ParseTimestampMs(std::string_view text, TimeFormat format, std::int64_t* ms) {
  const std::string_view s = Trim(text);
  if (s.empty()) return false;
  switch (format) {
    case TimeFormat::kUnixSeconds: return ParseNumberMs(s, kMsPerSecond, ms);
    case TimeFormat::kUnixMillis: return ParseNumberMs(s, 1, ms);
    case TimeFormat::kIso8601: return ParseIso8601Ms(s, ms);
    case TimeFormat::kAuto:
      if (AllDigitsNumber(s)) {
        // Decide the unit on the integer part's magnitude.
        std::size_t digits = 0;
        for (char c : s) {
          if (c == '.') break;
          if (IsDigit(c) && (digits > 0 || c != '0')) ++digits;
        }
        return ParseNumberMs(s, digits >= 12 ? 1 : kMsPerSecond, ms);
      }
      return ParseIso8601Ms(s, ms);
  }
  return false;
}

Result<std::int64_t> ParseDurationMs(const std::string& text) {
  std::string_view s = Trim(text);
  std::int64_t unit = kMsPerSecond;
  if (!s.empty()) {
    switch (s.back()) {
      case 's': unit = kMsPerSecond; s.remove_suffix(1); break;
      case 'm': unit = 60 * kMsPerSecond; s.remove_suffix(1); break;
      case 'h': unit = 3600 * kMsPerSecond; s.remove_suffix(1); break;
      case 'd': unit = kMsPerDay; s.remove_suffix(1); break;
      default: break;
    }
  }
  std::int64_t ms = 0;
  if (s.empty() || s[0] == '-' || !ParseNumberMs(s, unit, &ms))
    return Status::InvalidArgument("'" + text + "' is not a duration; use a number with s, m, h or d, e.g. 30m");
  return ms;
}

std::string FormatIso8601(std::int64_t ms) {
  std::int64_t days = ms / kMsPerDay;
  std::int64_t rest = ms % kMsPerDay;
  if (rest < 0) {
    rest += kMsPerDay;
    --days;
  }
  // civil_from_days (H. Hinnant).
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = y + (m <= 2);
  const std::int64_t secs = rest / kMsPerSecond, millis = rest % kMsPerSecond;
  char buf[64];
  if (millis != 0)
    std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(year), m, d,
                  static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60), static_cast<long long>(millis));
  else
    std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(year), m, d,
                  static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60));
  return buf;
}

}  // namespace item2vec
