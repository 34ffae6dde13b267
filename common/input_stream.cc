#include "common/input_stream.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

namespace item2vec {
namespace {

constexpr std::size_t kInputBytes = 256 << 10;
constexpr std::size_t kZstdSlice = 4096;

bool EndsWith(const std::string& s, const char* suffix) {
  const std::size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

}  // namespace

Compression CompressionOf(const std::string& path) {
  if (EndsWith(path, ".gz")) return Compression::kGzip;
  if (EndsWith(path, ".zst")) return Compression::kZstd;
  return Compression::kNone;
}

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kNone: break;
  }
  return "plain";
}

struct InputStream::Decoder {
  z_stream z{};
  bool z_ready = false;
  ZSTD_DCtx* zstd = nullptr;
  ~Decoder() {
    if (z_ready) inflateEnd(&z);
    if (zstd != nullptr) ZSTD_freeDCtx(zstd);
  }
};

InputStream::InputStream() = default;
InputStream::~InputStream() { Close(); }
InputStream::InputStream(InputStream&& other) noexcept { *this = std::move(other); }

InputStream& InputStream::operator=(InputStream&& other) noexcept {
  if (this == &other) return *this;
  Close();
  path_ = std::move(other.path_);
  compression_ = other.compression_;
  fd_ = other.fd_;
  other.fd_ = -1;
  position_ = other.position_;
  file_read_ = other.file_read_;
  in_ = std::move(other.in_);
  in_pos_ = other.in_pos_;
  in_len_ = other.in_len_;
  file_eof_ = other.file_eof_;
  in_frame_ = other.in_frame_;
  decoder_ = std::move(other.decoder_);
  return *this;
}

void InputStream::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status InputStream::Open(const std::string& path) {
  Close();
  path_ = path;
  compression_ = CompressionOf(path);
  fd_ = ::open(path.c_str(), O_RDONLY);
  if (fd_ < 0 && errno == ENOENT)  // input, not output: exit 3
    return Status::NotFound("input file '" + path + "' does not exist (any more): was it moved or deleted while "
                            "the job ran? Restore it and rerun");
  if (fd_ < 0) return Status::IOError("cannot open input file '" + path + "': " + std::strerror(errno));
  position_ = 0;
  if (compression_ == Compression::kNone) return Status::Ok();
  in_.resize(kInputBytes);
  if (!decoder_) {
    decoder_ = std::make_unique<Decoder>();
    if (compression_ == Compression::kGzip) {
      if (inflateInit2(&decoder_->z, 16 + MAX_WBITS) != Z_OK) return Status::Internal("zlib inflateInit2 failed");
      decoder_->z_ready = true;
    }
  }
  if (compression_ == Compression::kGzip && !decoder_->z_ready) {
    if (inflateInit2(&decoder_->z, 16 + MAX_WBITS) != Z_OK) return Status::Internal("zlib inflateInit2 failed");
    decoder_->z_ready = true;
  }
  if (compression_ == Compression::kZstd && decoder_->zstd == nullptr) {
    decoder_->zstd = ZSTD_createDCtx();
    if (decoder_->zstd == nullptr) return Status::Internal("ZSTD_createDCtx failed");
  }
  return Restart();
}

Status InputStream::Restart() {
  if (::lseek(fd_, 0, SEEK_SET) < 0) return Status::IOError("cannot seek in '" + path_ + "': " + std::strerror(errno));
  position_ = 0;
  file_read_ = 0;
  in_pos_ = in_len_ = 0;
  file_eof_ = false;
  in_frame_ = false;
  if (compression_ == Compression::kZstd) ZSTD_DCtx_reset(decoder_->zstd, ZSTD_reset_session_only);
  return Status::Ok();
}

Status InputStream::FillInput() {
  while (true) {
    const ssize_t n = ::read(fd_, in_.data(), in_.size());
    if (n > 0) {
      in_pos_ = 0;
      in_len_ = static_cast<std::size_t>(n);
      file_read_ += n;
      return Status::Ok();
    }
    if (n == 0) {
      file_eof_ = true;
      return Status::Ok();
    }
    if (errno == EINTR) continue;
    return Status::IOError("read failed in '" + path_ + "' at compressed byte " + std::to_string(file_read_) + ": " +
                           std::strerror(errno));
  }
}

Result<std::size_t> InputStream::Read(char* buf, std::size_t n) {
  if (compression_ != Compression::kNone) {
    Result<std::size_t> r = ReadCompressed(buf, n);
    if (r.ok()) position_ += static_cast<std::int64_t>(*r);
    return r;
  }
  while (true) {
    const ssize_t got = ::read(fd_, buf, n);
    if (got >= 0) {
      position_ += got;
      return static_cast<std::size_t>(got);
    }
    if (errno == EINTR) continue;
    return Status::IOError("read failed in '" + path_ + "' at byte " + std::to_string(position_) + ": " +
                           std::strerror(errno));
  }
}

Result<std::size_t> InputStream::ReadCompressed(char* buf, std::size_t n) {
  const char* name = CompressionName(compression_);
  std::size_t produced = 0;
  while (produced == 0 && n > 0) {
    if (in_pos_ == in_len_ && !file_eof_) ITEM2VEC_RETURN_IF_ERROR(FillInput());
    if (in_pos_ == in_len_) {
      if (!in_frame_) return std::size_t{0};
      return Status::Corruption("truncated " + std::string(name) + " file '" + path_ + "': it ends at byte " +
                               std::to_string(file_read_) + " inside a compressed stream, after " +
                               std::to_string(position_) + " decompressed bytes; the archive is incomplete "
                               "(write it again, or check it with " + name + " -t)");
    }
    // Compressed offset of in_[in_pos_], for error messages.
    const std::int64_t at = file_read_ - static_cast<std::int64_t>(in_len_ - in_pos_);
    std::size_t consumed = 0;
    if (compression_ == Compression::kGzip) {
      z_stream& z = decoder_->z;
      if (!in_frame_) {
        inflateReset(&z);  // a new gzip member starts here
        in_frame_ = true;
      }
      z.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
      z.avail_in = static_cast<uInt>(in_len_ - in_pos_);
      z.next_out = reinterpret_cast<Bytef*>(buf + produced);
      z.avail_out = static_cast<uInt>(n - produced);
      const int r = inflate(&z, Z_NO_FLUSH);
      consumed = (in_len_ - in_pos_) - z.avail_in;
      produced = n - z.avail_out;
      if (r == Z_STREAM_END) {
        in_frame_ = false;
      } else if (r != Z_OK && r != Z_BUF_ERROR) {
        return Status::Corruption("corrupt gzip data in '" + path_ + "' at compressed byte " +
                                 std::to_string(at + static_cast<std::int64_t>(consumed)) + " (after " +
                                 std::to_string(position_ + static_cast<std::int64_t>(produced)) +
                                 " decompressed bytes): " + (z.msg != nullptr ? z.msg : "inflate error") +
                                 "; the archive is damaged (check it with gzip -t)");
      }
    } else {
      // Fed in slices of kZstdSlice bytes so that an error can be placed within one.
      ZSTD_inBuffer in{in_.data() + in_pos_, std::min(in_len_ - in_pos_, kZstdSlice), 0};
      ZSTD_outBuffer out{buf + produced, n - produced, 0};
      const std::size_t r = ZSTD_decompressStream(decoder_->zstd, &out, &in);
      if (ZSTD_isError(r))
        return Status::Corruption("corrupt zstd data in '" + path_ + "' at compressed bytes " +
                                 std::to_string(at) + ".." + std::to_string(at + static_cast<std::int64_t>(in.size)) +
                                 " (after " +
                                 std::to_string(position_ + static_cast<std::int64_t>(produced)) +
                                 " decompressed bytes): " + ZSTD_getErrorName(r) +
                                 "; the archive is damaged (check it with zstd -t)");
      consumed = in.pos;
      produced += out.pos;
      in_frame_ = r != 0;  // 0: a frame is complete and flushed
    }
    in_pos_ += consumed;
  }
  return produced;
}

Status InputStream::Seek(std::int64_t offset) {
  if (compression_ == Compression::kNone) {
    if (::lseek(fd_, offset, SEEK_SET) < 0)
      return Status::IOError("cannot seek in '" + path_ + "': " + std::strerror(errno));
    position_ = offset;
    return Status::Ok();
  }
  if (offset < position_) ITEM2VEC_RETURN_IF_ERROR(Restart());
  std::vector<char> scratch(std::min<std::int64_t>(offset - position_, 1 << 20) + 1);
  while (position_ < offset) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(offset - position_, static_cast<std::int64_t>(scratch.size())));
    Result<std::size_t> got = Read(scratch.data(), want);
    if (!got.ok()) return got.status();
    if (*got == 0)
      return Status::DataError("'" + path_ + "' holds only " + std::to_string(position_) +
                               " decompressed bytes, less than the position " + std::to_string(offset) +
                               " to continue from (did the file change?)");
  }
  return Status::Ok();
}

}  // namespace item2vec
