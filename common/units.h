// Sizes and durations as users write them on the command line, and bytes as logs print them.
//
// Contract: pure functions, thread-safe. ParseByteSize reads "512M", "1G", "64K", "1048576"
// (binary units, case-insensitive, an optional trailing B or iB, decimals allowed: "1.5K" =
// 1536) and refuses anything else, zero and negatives with InvalidArgument. ParseDurationSeconds
// reads "90", "90s", "30m", "2h", "1d" (no suffix = seconds, decimals allowed) and returns
// < 0 for anything else. HumanBytes prints "12.3 KiB" below 1 MiB, else "45.6 MiB".
// UtcNow formats the current UTC time with strftime's format (ISO 8601 by default).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace item2vec {

Result<std::int64_t> ParseByteSize(const std::string& text);
double ParseDurationSeconds(const std::string& text);
std::string HumanBytes(std::uint64_t bytes);
std::string UtcNow(const char* strftime_format = "%Y-%m-%dT%H:%M:%SZ");

}  // namespace item2vec
