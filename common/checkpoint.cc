#include "common/checkpoint.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/serialize.h"

namespace item2vec {
namespace {

constexpr char kMagic[8] = {'I', '2', 'V', 'C', 'K', 'P', 'T', '\n'};
constexpr std::uint64_t kMaxHeaderBytes = 1ull << 32;
constexpr const char* kPrefix = "ckpt-";

bool ParseSequence(const std::string& name, std::uint64_t* sequence) {
  if (name.rfind(kPrefix, 0) != 0 || name.size() <= std::strlen(kPrefix)) return false;
  std::uint64_t v = 0;
  for (std::size_t i = std::strlen(kPrefix); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(name[i] - '0');
  }
  *sequence = v;
  return true;
}

}  // namespace

Status CheckpointFileWriter::Open(const std::string& dir, const std::string& name, const std::string& header) {
  name_ = name;
  ITEM2VEC_RETURN_IF_ERROR(file_.Open(dir + "/" + name));
  const std::uint64_t n = header.size();
  file_.Write(kMagic, sizeof kMagic);
  file_.Write(&n, sizeof n);
  bytes_ = sizeof kMagic + sizeof n;
  Write(header.data(), header.size());
  return Status::Ok();
}

void CheckpointFileWriter::Write(const void* data, std::size_t bytes) {
  checksum_.Update(data, bytes);
  file_.Write(data, bytes);
  bytes_ += bytes;
}

Result<CheckpointFileEntry> CheckpointFileWriter::Commit() {
  const std::uint64_t sum = checksum_.Finish();
  file_.Write(&sum, sizeof sum);
  ITEM2VEC_RETURN_IF_ERROR(file_.Commit());
  return CheckpointFileEntry{name_, bytes_ + sizeof sum, sum};
}

CheckpointFileReader::~CheckpointFileReader() {
  if (file_ != nullptr) std::fclose(file_);
}

Status CheckpointFileReader::Open(const std::string& path) {
  path_ = path;
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) return Status::Corruption("cannot open '" + path + "': " + std::strerror(errno));
  char magic[8];
  std::uint64_t n = 0;
  if (std::fread(magic, 1, 8, file_) != 8 || std::memcmp(magic, kMagic, 8) != 0)
    return Status::Corruption("'" + path + "' is not an item2vec checkpoint file (bad magic)");
  if (std::fread(&n, sizeof n, 1, file_) != 1 || n > kMaxHeaderBytes)
    return Status::Corruption("'" + path + "' has a damaged header");
  header_.assign(n, '\0');
  if (std::fread(header_.data(), 1, n, file_) != n) return Status::Corruption("'" + path + "' is truncated in its header");
  checksum_.Update(header_.data(), header_.size());
  return Status::Ok();
}

Status CheckpointFileReader::Read(void* data, std::size_t bytes) {
  if (std::fread(data, 1, bytes, file_) != bytes) return Status::Corruption("'" + path_ + "' is truncated");
  checksum_.Update(data, bytes);
  return Status::Ok();
}

Status CheckpointFileReader::Skip(std::size_t bytes) {
  char buf[1 << 16];
  while (bytes > 0) {
    const std::size_t n = std::min(bytes, sizeof buf);
    ITEM2VEC_RETURN_IF_ERROR(Read(buf, n));
    bytes -= n;
  }
  return Status::Ok();
}

Status CheckpointFileReader::Finish() {
  std::uint64_t sum = 0;
  if (std::fread(&sum, sizeof sum, 1, file_) != 1) return Status::Corruption("'" + path_ + "' is truncated (no checksum)");
  if (sum != checksum_.Finish()) return Status::Corruption("'" + path_ + "' failed its checksum: the file is corrupted");
  if (std::fgetc(file_) != EOF) return Status::Corruption("'" + path_ + "' has bytes after its checksum");
  return Status::Ok();
}

Status VerifyCheckpointFile(const std::string& dir, const CheckpointFileEntry& entry) {
  const std::string path = dir + "/" + entry.name;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::Corruption("'" + path + "' is missing: " + ec.message());
  if (size != entry.bytes)
    return Status::Corruption("'" + path + "' is " + std::to_string(size) + " bytes, the manifest says " +
                              std::to_string(entry.bytes) + " (truncated or overwritten)");
  CheckpointFileReader reader;
  ITEM2VEC_RETURN_IF_ERROR(reader.Open(path));
  const std::uint64_t header_end = 16 + reader.header().size();
  if (entry.bytes < header_end + 8) return Status::Corruption("'" + path + "' is truncated");
  ITEM2VEC_RETURN_IF_ERROR(reader.Skip(entry.bytes - header_end - 8));
  ITEM2VEC_RETURN_IF_ERROR(reader.Finish());
  // The trailer matched the content; it must also be the one the manifest recorded.
  std::FILE* f = std::fopen(path.c_str(), "rb");
  std::uint64_t sum = 0;
  const bool read = f != nullptr && std::fseek(f, static_cast<long>(entry.bytes - 8), SEEK_SET) == 0 &&
                    std::fread(&sum, sizeof sum, 1, f) == 1;
  if (f != nullptr) std::fclose(f);
  if (!read || sum != entry.checksum)
    return Status::Corruption("'" + path + "' is not the file the manifest recorded (checksum differs)");
  return Status::Ok();
}

std::string CheckpointPath(const std::string& checkpoint_dir, std::uint64_t sequence) {
  char name[32];
  std::snprintf(name, sizeof name, "%s%08llu", kPrefix, static_cast<unsigned long long>(sequence));
  return checkpoint_dir + "/" + name;
}

Status ListCheckpoints(const std::string& checkpoint_dir, std::vector<std::uint64_t>* all,
                       std::vector<std::uint64_t>* complete) {
  all->clear();
  complete->clear();
  std::error_code ec;
  if (!std::filesystem::exists(checkpoint_dir, ec)) return Status::Ok();
  std::filesystem::directory_iterator it(checkpoint_dir, ec);
  if (ec) return Status::IOError("cannot list checkpoint directory '" + checkpoint_dir + "': " + ec.message());
  for (const auto& entry : it) {
    std::uint64_t seq = 0;
    if (!entry.is_directory(ec) || !ParseSequence(entry.path().filename().string(), &seq)) continue;
    all->push_back(seq);
    if (std::filesystem::exists(entry.path() / kManifestName, ec)) complete->push_back(seq);
  }
  std::sort(all->begin(), all->end());
  std::sort(complete->begin(), complete->end());
  return Status::Ok();
}

Status WriteManifest(const std::string& checkpoint_path, const CheckpointManifest& manifest) {
  CheckpointFileWriter w;
  ITEM2VEC_RETURN_IF_ERROR(w.Open(checkpoint_path, kManifestName, ToBytes(manifest)));
  return w.Commit().status();
}

Result<CheckpointManifest> ReadManifest(const std::string& checkpoint_path) {
  CheckpointFileReader r;
  ITEM2VEC_RETURN_IF_ERROR(r.Open(checkpoint_path + "/" + kManifestName));
  ITEM2VEC_RETURN_IF_ERROR(r.Finish());
  CheckpointManifest m;
  if (!FromBytes(r.header(), &m).ok())
    return Status::Corruption("'" + r.path() + "' cannot be decoded (written by another version?)");
  if (m.format_version != 1)
    return Status::Corruption("'" + r.path() + "' has format version " + std::to_string(m.format_version) +
                              "; this build reads version 1");
  return m;
}

std::string WorkerFileName(int worker) { return "worker-" + std::to_string(worker) + ".bin"; }
std::string ShardFileName(int server) { return "server-" + std::to_string(server) + ".bin"; }
std::string VocabularyFileName() { return "vocab.bin"; }

std::string CheckpointFilesMissing(const CheckpointManifest& m) {
  std::vector<std::string> needed;
  if (m.num_workers > 0) needed.push_back(VocabularyFileName());
  for (int w = 0; w < m.num_workers; ++w) needed.push_back(WorkerFileName(w));
  for (int s = 0; s < m.num_servers; ++s) needed.push_back(ShardFileName(s));
  std::string missing;
  for (const std::string& name : needed) {
    bool listed = false;
    for (const CheckpointFileEntry& f : m.files) listed = listed || f.name == name;
    if (!listed) missing += (missing.empty() ? "" : ", ") + name;
  }
  return missing;
}

Result<CheckpointManifest> VerifyCheckpoint(const std::string& checkpoint_path) {
  Result<CheckpointManifest> m = ReadManifest(checkpoint_path);
  if (!m.ok()) return m.status();
  if (const std::string missing = CheckpointFilesMissing(*m); !missing.empty())
    return Status::Corruption("'" + checkpoint_path + "' is incomplete: its MANIFEST lists no " + missing + " (" +
                              std::to_string(m->num_workers) + " workers, " + std::to_string(m->num_servers) +
                              " servers), so it cannot be resumed");
  for (const CheckpointFileEntry& f : m->files) ITEM2VEC_RETURN_IF_ERROR(VerifyCheckpointFile(checkpoint_path, f));
  return m;
}

Result<CheckpointManifest> FindNewestValidCheckpoint(const std::string& checkpoint_dir,
                                                     std::vector<std::string>* rejected) {
  std::vector<std::uint64_t> all, complete;
  ITEM2VEC_RETURN_IF_ERROR(ListCheckpoints(checkpoint_dir, &all, &complete));
  for (auto it = complete.rbegin(); it != complete.rend(); ++it) {
    const std::string path = CheckpointPath(checkpoint_dir, *it);
    Result<CheckpointManifest> m = VerifyCheckpoint(path);
    if (m.ok()) return m;
    rejected->push_back(path + ": " + m.status().message());
  }
  return Status::NotFound("no complete checkpoint in '" + checkpoint_dir + "'");
}

Status PruneCheckpoints(const std::string& checkpoint_dir, int keep) {
  std::vector<std::uint64_t> all, complete;
  ITEM2VEC_RETURN_IF_ERROR(ListCheckpoints(checkpoint_dir, &all, &complete));
  if (complete.empty()) return Status::Ok();
  const std::uint64_t newest = complete.back();
  const std::uint64_t oldest_kept =
      complete.size() > static_cast<std::size_t>(keep) ? complete[complete.size() - static_cast<std::size_t>(keep)] : 0;
  for (std::uint64_t seq : all) {
    const bool is_complete = std::binary_search(complete.begin(), complete.end(), seq);
    if ((is_complete && seq < oldest_kept) || (!is_complete && seq < newest)) {
      std::error_code ec;
      std::filesystem::remove_all(CheckpointPath(checkpoint_dir, seq), ec);
      if (ec) return Status::IOError("cannot remove old checkpoint '" + CheckpointPath(checkpoint_dir, seq) + "': " + ec.message());
    }
  }
  return Status::Ok();
}

Status RemoveCheckpoints(const std::string& checkpoint_dir) {
  std::vector<std::uint64_t> all, complete;
  ITEM2VEC_RETURN_IF_ERROR(ListCheckpoints(checkpoint_dir, &all, &complete));
  for (std::uint64_t seq : all) {
    std::error_code ec;
    std::filesystem::remove_all(CheckpointPath(checkpoint_dir, seq), ec);
    if (ec) return Status::IOError("cannot remove checkpoint '" + CheckpointPath(checkpoint_dir, seq) + "': " + ec.message());
  }
  std::error_code ec;
  std::filesystem::remove(checkpoint_dir, ec);  // only if now empty; an error is harmless
  return Status::Ok();
}

}  // namespace item2vec
