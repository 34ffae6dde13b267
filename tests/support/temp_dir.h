// Shared test-only helpers: a self-deleting temporary directory and whole-file I/O.
//
// Contract:
//  - TempDir creates a fresh, empty directory /tmp/item2vec_<tag>_XXXXXX (mkdtemp, mode
//    0700) in its constructor and throws std::runtime_error if it cannot. Its destructor
//    removes the directory and everything in it, ignoring errors. Not copyable.
//    path() is the directory; File(name) is path() + "/" + name (nothing is created).
//  - WriteFile(path, content) creates or truncates `path` and writes `content` byte for
//    byte (binary mode); throws std::runtime_error if the write fails.
//  - ReadFile(path) returns the whole file byte for byte (binary mode); a missing or
//    unreadable file reads as "" (no throw).
//  - Test-only; not thread-safe. This folder has no CMakeLists.txt on purpose (tests/
//    adds only folders that have one); include it as "tests/support/temp_dir.h" — the
//    repo root is on the include path through item2vec_common's PUBLIC include dir.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace item2vec::test_support {

// A fresh directory under /tmp, removed with everything in it when the object dies.
class TempDir {
 public:
  explicit TempDir(std::string_view tag = "test") {
    std::string tmpl = "/tmp/item2vec_";
    tmpl.append(tag.data(), tag.size());
    tmpl += "_XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace item2vec::test_support
