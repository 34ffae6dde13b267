// InputStream: the bytes of one input file, decompressed on the fly when it is compressed.
//
// Contract:
// - CompressionOf(path) picks the format from the name: ".gz" is gzip (zlib; concatenated
//   members are read one after another, as gzip -d does), ".zst" is Zstandard (one or more
//   frames), anything else is plain. Offsets are always in the *decompressed* bytes, so a
//   reader's positions mean the same in corpus.txt and corpus.txt.gz.
// - Streamed: memory is two fixed buffers (compressed input, 256 KiB) plus the decoder's
//   state (zlib ~45 KiB; zstd up to its window, 8 MiB for the default levels); nothing is
//   ever decompressed to disk.
// - Seek(offset): plain files seek; compressed files cannot, so a seek forward decompresses
//   and discards up to the offset, and a seek backwards starts again from the beginning of
//   the file. A reader that streams a compressed file from its start (every epoch) pays
//   nothing extra; a checkpoint resume pays one decompression up to its position.
// - Read() returns the bytes read, 0 at the end of the data, or an error naming the file
//   and what is wrong: a corrupt archive names the compressed byte offset where decoding
//   failed (zstd: the 4 KiB slice it was decoding), a truncated one the size it stops at
//   (and how far it decompressed). gzip always checks a CRC; zstd only where the frame
//   has a checksum (the zstd tool's default): without one, damaged literals can pass.
// - Move-only; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace item2vec {

enum class Compression { kNone, kGzip, kZstd };

Compression CompressionOf(const std::string& path);
const char* CompressionName(Compression c);

class InputStream {
 public:
  InputStream();
  ~InputStream();
  InputStream(InputStream&& other) noexcept;
  InputStream& operator=(InputStream&& other) noexcept;
  InputStream(const InputStream&) = delete;
  InputStream& operator=(const InputStream&) = delete;

  // Opens `path` (closing what was open) with the format CompressionOf(path).
  Status Open(const std::string& path);
  void Close();
  bool is_open() const { return fd_ >= 0; }
  // Reads up to n decompressed bytes into buf.
  Result<std::size_t> Read(char* buf, std::size_t n);
  // Continues at decompressed byte `offset` (at most the data's size).
  Status Seek(std::int64_t offset);
  // Decompressed bytes delivered so far (the offset of the next byte Read returns).
  std::int64_t position() const { return position_; }
  Compression compression() const { return compression_; }

 private:
  struct Decoder;
  Status Restart();                 // reopens the file at its first byte
  Result<std::size_t> ReadCompressed(char* buf, std::size_t n);
  Status FillInput();               // refills in_ from the file

  std::string path_;
  Compression compression_ = Compression::kNone;
  int fd_ = -1;
  std::int64_t position_ = 0;       // decompressed offset
  std::int64_t file_read_ = 0;      // compressed bytes read from the file
  std::vector<char> in_;            // compressed input buffer
  std::size_t in_pos_ = 0, in_len_ = 0;
  bool file_eof_ = false;
  bool in_frame_ = false;           // inside a gzip member / zstd frame not yet finished
  std::unique_ptr<Decoder> decoder_;
};

}  // namespace item2vec
