// AtomicFile: write a file under a temporary name, rename it into place on Commit().
//
// Contract: the final path never holds a half-written file. Until Commit() succeeds the
// data lives in "<path>.tmp.<pid>"; the destructor removes that temporary if Commit() was
// not reached (an error, an exception, a return). Commit() flushes, fsyncs and renames;
// rename is atomic within one file system. Not thread-safe.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace item2vec {

class AtomicFile {
 public:
  AtomicFile() = default;
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  Status Open(const std::string& path);
  // Buffered writes; errors are sticky and reported by Commit().
  void Write(const void* data, std::size_t bytes);
  void Write(std::string_view s) { Write(s.data(), s.size()); }
  Status Commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_, temp_path_;
  std::FILE* file_ = nullptr;
  bool failed_ = false;
};

// Whether a file name is an AtomicFile temporary, "NAME.tmp.PID" (PID all digits); with
// *base, the NAME it stands for.
bool IsAtomicTempName(const std::string& name, std::string* base = nullptr);

// Removes DIR/NAME.tmp.PID files (a killed writer's) whose NAME ours(NAME) accepts; returns
// how many. For a tool that owns those names in DIR, at the start of its next run.
Result<int> RemoveAtomicTemps(const std::string& dir, const std::function<bool(const std::string&)>& ours);

// Writes a whole small file atomically.
Status WriteFileAtomically(const std::string& path, std::string_view content);

// Creates the directory (and parents) and checks a file can be created in it.
Status EnsureWritableDirectory(const std::string& dir);

}  // namespace item2vec
