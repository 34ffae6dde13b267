// Helpers shared by the unit tests: the temp dir and whole-file I/O of
// tests/support/temp_dir.h, plus directory queries. Test-only; not thread-safe.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "tests/support/temp_dir.h"

namespace item2vec::testing {

using test_support::ReadFile;
using test_support::TempDir;
using test_support::WriteFile;

inline bool Exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

// Names of the entries of a directory, sorted.
inline std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace item2vec::testing
