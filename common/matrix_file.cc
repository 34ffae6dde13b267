#include "common/matrix_file.h"

#include <cstring>

#include "common/serialize.h"

namespace item2vec {
namespace {

constexpr char kMagic[8] = {'I', '2', 'V', 'M', 'A', 'T', '\n', '\0'};

inline std::uint64_t Mix(std::uint64_t h, std::uint64_t w) {
  h ^= w * 0x9ddfea08eb382d69ull;
  h = (h << 29) | (h >> 35);
  return h * 0xc6a4a7935bd1e995ull + 0x165667b19e3779f9ull;
}

}  // namespace

void Checksum64::Update(const void* data, std::size_t bytes) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  while (bytes > 0 && pending_bytes_ != 0) {
    pending_ |= static_cast<std::uint64_t>(*p++) << (8 * pending_bytes_);
    --bytes;
    if (++pending_bytes_ == 8) {
      h_ = Mix(h_, pending_);
      pending_ = 0;
      pending_bytes_ = 0;
    }
  }
  while (bytes >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h_ = Mix(h_, w);
    p += 8;
    bytes -= 8;
  }
  while (bytes > 0) {
    pending_ |= static_cast<std::uint64_t>(*p++) << (8 * pending_bytes_);
    ++pending_bytes_;
    --bytes;
  }
}

std::uint64_t Checksum64::Finish() const {
  std::uint64_t h = pending_bytes_ ? Mix(h_, pending_) : h_;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 33);
}

Status MatrixFileWriter::Open(const std::string& path, const MatrixHeader& header) {
  header_ = header;
  ITEM2VEC_RETURN_IF_ERROR(file_.Open(path));
  const std::string bytes = ToBytes(header_);
  const std::uint64_t n = bytes.size();
  file_.Write(kMagic, sizeof kMagic);
  file_.Write(&n, sizeof n);
  file_.Write(bytes);
  return Status::Ok();
}

void MatrixFileWriter::Add(const float* row) {
  const std::size_t bytes = sizeof(float) * header_.dim;
  checksum_.Update(row, bytes);
  file_.Write(row, bytes);
  ++written_;
}

Status MatrixFileWriter::Commit() {
  if (written_ != header_.rows)
    return Status::Internal("matrix file got " + std::to_string(written_) + " rows, header says " +
                            std::to_string(header_.rows));
  const std::uint64_t sum = checksum_.Finish();
  file_.Write(&sum, sizeof sum);
  return file_.Commit();
}

MatrixFileReader::~MatrixFileReader() {
  if (file_ != nullptr) std::fclose(file_);
}

Status MatrixFileReader::Open(const std::string& path) {
  path_ = path;
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) return Status::NotFound("cannot open matrix file '" + path + "'");
  char magic[8];
  std::uint64_t n = 0;
  if (std::fread(magic, 1, 8, file_) != 8 || std::memcmp(magic, kMagic, 8) != 0)
    return Status::Corruption("'" + path + "' is not an item2vec matrix file (bad magic)");
  if (std::fread(&n, sizeof n, 1, file_) != 1 || n > (1u << 20))
    return Status::Corruption("'" + path + "' has a damaged header");
  std::string bytes(n, '\0');
  if (std::fread(bytes.data(), 1, n, file_) != n) return Status::Corruption("'" + path + "' is truncated in its header");
  Status st = FromBytes(bytes, &header_);
  if (!st.ok()) return Status::Corruption("'" + path + "' has a damaged header");
  if (header_.version != 1)
    return Status::Corruption("'" + path + "' has format version " + std::to_string(header_.version) +
                              "; this build reads version 1");
  return Status::Ok();
}

Status MatrixFileReader::Next(float* row) {
  const std::size_t bytes = sizeof(float) * header_.dim;
  if (read_ >= header_.rows || std::fread(row, 1, bytes, file_) != bytes)
    return Status::Corruption("'" + path_ + "' is truncated at row " + std::to_string(read_ + 1) + " of " +
                              std::to_string(header_.rows));
  checksum_.Update(row, bytes);
  ++read_;
  return Status::Ok();
}

Status MatrixFileReader::Finish() {
  std::uint64_t sum = 0;
  if (read_ != header_.rows || std::fread(&sum, sizeof sum, 1, file_) != 1)
    return Status::Corruption("'" + path_ + "' is truncated (no checksum)");
  if (sum != checksum_.Finish())
    return Status::Corruption("'" + path_ + "' failed its checksum: the file is corrupted");
  return Status::Ok();
}

}  // namespace item2vec
