#include "common/units.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>

namespace item2vec {

Result<std::int64_t> ParseByteSize(const std::string& text) {
  std::string s;
  for (char c : text)
    if (c != ' ') s.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (s.size() >= 3 && s.compare(s.size() - 2, 2, "IB") == 0) s.resize(s.size() - 2);
  else if (s.size() >= 2 && s.back() == 'B') s.pop_back();
  std::int64_t unit = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'K': unit = 1ll << 10; s.pop_back(); break;
      case 'M': unit = 1ll << 20; s.pop_back(); break;
      case 'G': unit = 1ll << 30; s.pop_back(); break;
      case 'T': unit = 1ll << 40; s.pop_back(); break;
      default: break;
    }
  }
  char* end = nullptr;
  const double value = s.empty() ? -1 : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !(value > 0) || value * unit > 9e18)
    return Status::InvalidArgument("'" + text + "' is not a size; use e.g. 512M, 2G or 65536");
  return static_cast<std::int64_t>(value * static_cast<double>(unit));
}

double ParseDurationSeconds(const std::string& text) {
  if (text.empty()) return -1;
  double unit = 1;
  std::string number = text;
  switch (text.back()) {
    case 's': unit = 1; number.pop_back(); break;
    case 'm': unit = 60; number.pop_back(); break;
    case 'h': unit = 3600; number.pop_back(); break;
    case 'd': unit = 86400; number.pop_back(); break;
    default: break;
  }
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(number, &used);
  } catch (const std::exception&) {
    return -1;
  }
  if (used != number.size() || !(value >= 0)) return -1;
  return value * unit;
}

std::string HumanBytes(std::uint64_t bytes) {
  char text[64];
  if (bytes < (1u << 20)) std::snprintf(text, sizeof(text), "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  else std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / 1048576.0);
  return text;
}

std::string UtcNow(const char* strftime_format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, strftime_format, &tm);
  return buf;
}

}  // namespace item2vec
