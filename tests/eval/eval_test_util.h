// Helpers for the eval tests: the temp dir and whole-file I/O of tests/support/temp_dir.h,
// plus running the item2vec binary. Test-only; not thread-safe.
#pragma once

#include <sys/wait.h>

#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "tests/support/temp_dir.h"

namespace item2vec::eval_testing {

using test_support::ReadFile;
using test_support::TempDir;
using test_support::WriteFile;

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs `binary args` through the shell; stderr goes to a file in dir.
inline CommandResult Run(const std::string& binary, const std::string& args, const std::string& dir) {
  const std::string err_path = dir + "/stderr.txt";
  const std::string cmd = "'" + binary + "' " + args + " 2> '" + err_path + "'";
  CommandResult r;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed");
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = ReadFile(err_path);
  return r;
}

}  // namespace item2vec::eval_testing
