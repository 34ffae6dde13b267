#include "common/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include <unistd.h>

namespace item2vec {

bool IsAtomicTempName(const std::string& name, std::string* base) {
  const std::size_t at = name.rfind(".tmp.");
  if (at == std::string::npos || at == 0 || at + 5 == name.size()) return false;
  for (std::size_t i = at + 5; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  if (base != nullptr) *base = name.substr(0, at);
  return true;
}

Result<int> RemoveAtomicTemps(const std::string& dir, const std::function<bool(const std::string&)>& ours) {
  std::error_code ec;
  std::vector<std::filesystem::path> temps;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string base;
    if (IsAtomicTempName(entry.path().filename().string(), &base) && ours(base) && !entry.is_directory(ec))
      temps.push_back(entry.path());
  }
  if (ec) return Status::IOError("cannot list '" + dir + "': " + ec.message());
  for (const auto& p : temps) {
    std::filesystem::remove(p, ec);
    if (ec) return Status::IOError("cannot remove '" + p.string() + "', left by an earlier run: " + ec.message());
  }
  return static_cast<int>(temps.size());
}

AtomicFile::~AtomicFile() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::remove(temp_path_.c_str());
  }
}

Status AtomicFile::Open(const std::string& path) {
  path_ = path;
  temp_path_ = path + ".tmp." + std::to_string(::getpid());
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr)
    return Status::IOError("cannot create '" + temp_path_ + "': " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  failed_ = false;
  return Status::Ok();
}

void AtomicFile::Write(const void* data, std::size_t bytes) {
  if (failed_ || bytes == 0) return;
  if (std::fwrite(data, 1, bytes, file_) != bytes) failed_ = true;
}

Status AtomicFile::Commit() {
  if (file_ == nullptr) return Status::Internal("AtomicFile::Commit without Open");
  bool ok = !failed_ && std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int err = errno;
  ok = (std::fclose(file_) == 0) && ok;
  file_ = nullptr;
  if (!ok) {
    std::remove(temp_path_.c_str());
    return Status::IOError("writing '" + path_ + "' failed: " + std::strerror(err) +
                           " (disk full or quota exceeded?)");
  }
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int rerr = errno;
    std::remove(temp_path_.c_str());
    return Status::IOError("cannot rename '" + temp_path_ + "' to '" + path_ + "': " + std::strerror(rerr));
  }
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  AtomicFile f;
  ITEM2VEC_RETURN_IF_ERROR(f.Open(path));
  f.Write(content);
  return f.Commit();
}

Status EnsureWritableDirectory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create output directory '" + dir + "': " + ec.message());
  if (!std::filesystem::is_directory(dir, ec))
    return Status::IOError("output path '" + dir + "' exists and is not a directory");
  const std::string probe = dir + "/.item2vec-write-test." + std::to_string(::getpid());
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (f == nullptr)
    return Status::IOError("output directory '" + dir + "' is not writable: " + std::strerror(errno));
  std::fclose(f);
  std::remove(probe.c_str());
  return Status::Ok();
}

}  // namespace item2vec
