// MatrixFile: the native, versioned, checksummed file of one embedding matrix.
//
// Contract: layout is
//   "I2VMAT\n\0" (8 bytes) | uint64 header size | Boost.Serialization binary archive of
//   MatrixHeader | rows * dim float32 (row-major, little-endian) | uint64 checksum
// where the checksum covers the float bytes (a 64-bit multiply-xorshift hash over 8-byte
// words). The model directory keeps the output matrix (the context vectors, which the
// word2vec files do not carry) in this format so a later run can warm-start from both
// matrices. MatrixFileWriter streams rows through AtomicFile (nothing under the final
// name until Commit); MatrixFileReader streams them back and reports a truncated or
// corrupted file as Status::Corruption naming the file. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "common/atomic_file.h"
#include "common/status.h"

namespace item2vec {

struct MatrixHeader {
  std::uint32_t version = 1;
  std::string name;                  // "output"
  std::uint64_t rows = 0;
  std::uint32_t dim = 0;
  std::uint64_t vocab_fingerprint = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& version; ar& name; ar& rows; ar& dim; ar& vocab_fingerprint;
  }
};

// Streaming 64-bit checksum over 8-byte words (the float payload is a multiple of 4
// bytes; a trailing half word is zero-padded).
class Checksum64 {
 public:
  void Update(const void* data, std::size_t bytes);
  std::uint64_t Finish() const;

 private:
  std::uint64_t h_ = 0x9e3779b97f4a7c15ull;
  std::uint64_t pending_ = 0;
  int pending_bytes_ = 0;
};

class MatrixFileWriter {
 public:
  Status Open(const std::string& path, const MatrixHeader& header);
  void Add(const float* row);
  Status Commit();

 private:
  AtomicFile file_;
  MatrixHeader header_;
  Checksum64 checksum_;
  std::uint64_t written_ = 0;
};

class MatrixFileReader {
 public:
  ~MatrixFileReader();
  Status Open(const std::string& path);
  const MatrixHeader& header() const { return header_; }
  // Reads the next row (dim floats). After the last row, Finish() checks the checksum.
  Status Next(float* row);
  Status Finish();

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  MatrixHeader header_;
  Checksum64 checksum_;
  std::uint64_t read_ = 0;
};

}  // namespace item2vec
