// Helpers for the prep tests: the temp dir and whole-file I/O of tests/support/temp_dir.h,
// plus running the built item2vec binary. Test-only; not thread-safe.
#pragma once

#include <sys/wait.h>

#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace item2vec::prep_testing {

using test_support::ReadFile;
using test_support::TempDir;
using test_support::WriteFile;

inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

// Runs a shell command; returns its exit code (or -1 when it did not exit normally).
inline int RunShell(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// Extracts an integer field `"key":123` from compact JSON (first occurrence).
inline long long JsonInt(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  const std::size_t at = json.find(needle);
  if (at == std::string::npos) throw std::runtime_error("no key " + key + " in " + json);
  return std::stoll(json.substr(at + needle.size()));
}

}  // namespace item2vec::prep_testing
