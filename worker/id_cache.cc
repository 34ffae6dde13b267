#include "worker/id_cache.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace item2vec {
namespace {

// The fixed part of a record, followed by num_ids ItemIds.
struct RecordHeader {
  std::uint32_t num_ids;
  std::uint32_t raw_tokens;
  std::uint32_t lines;            // ReaderStats deltas
  std::uint32_t split_lines;
  std::uint32_t long_items;
  std::uint32_t range;            // ReaderPosition after the sentence
  std::int64_t offset;
  std::uint32_t mid_line;
  std::uint32_t reserved;
};
static_assert(sizeof(RecordHeader) == 40, "record header layout");

}  // namespace

ReaderStats StatsDelta(const ReaderStats& before, const ReaderStats& after) {
  ReaderStats delta;
  delta.lines = after.lines - before.lines;
  delta.split_lines = after.split_lines - before.split_lines;
  delta.long_items = after.long_items - before.long_items;
  return delta;
}

Result<std::unique_ptr<IdCache>> IdCache::Create(const std::string& dir, const std::string& label,
                                                 std::int64_t max_bytes) {
  std::string pattern = dir + "/item2vec-ids-" + label + "-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = mkstemp(name.data());
  if (fd < 0)
    return Status::IOError("cannot create the id cache in '" + dir + "': " + std::strerror(errno) +
                           " (set --id-cache-dir to a writable local directory, or --id-cache 0 to read text every epoch)");
  unlink(name.data());  // the descriptor keeps it; nothing is left behind whatever happens
  std::FILE* file = fdopen(fd, "w+b");
  if (file == nullptr) {
    close(fd);
    return Status::IOError(std::string("cannot open the id cache: ") + std::strerror(errno));
  }
  return std::unique_ptr<IdCache>(new IdCache(file, max_bytes));
}

IdCache::IdCache(std::FILE* file, std::int64_t max_bytes) : file_(file), max_bytes_(max_bytes), buf_(kBufferBytes) {}

IdCache::~IdCache() { std::fclose(file_); }

void IdCache::Fail(const std::string& why) {
  if (failure_.empty()) failure_ = why;
  buf_.clear();
  buf_.shrink_to_fit();
  if (ftruncate(fileno(file_), 0) != 0) {
    // The space comes back when the descriptor closes at the latest.
  }
}

void IdCache::Append(const ItemId* ids, std::uint32_t num_ids, std::uint32_t raw_tokens, const ReaderStats& d,
                     const ReaderPosition& after) {
  if (Failed()) return;
  const std::size_t need = sizeof(RecordHeader) + num_ids * sizeof(ItemId);
  if (bytes_ + static_cast<std::int64_t>(need) > max_bytes_) {
    Fail("the shard needs more than the --id-cache budget of " + std::to_string(max_bytes_ >> 20) + " MiB");
    return;
  }
  const RecordHeader h{num_ids,
                       raw_tokens,
                       static_cast<std::uint32_t>(d.lines),
                       static_cast<std::uint32_t>(d.split_lines),
                       static_cast<std::uint32_t>(d.long_items),
                       static_cast<std::uint32_t>(after.range),
                       after.offset,
                       after.mid_line ? 1u : 0u,
                       0};
  auto put = [&](const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0 && !Failed()) {
      const std::size_t take = std::min(n, buf_.size() - len_);
      std::memcpy(buf_.data() + len_, p, take);
      len_ += take;
      p += take;
      n -= take;
      if (len_ == buf_.size()) {
        if (std::fwrite(buf_.data(), 1, len_, file_) != len_) Fail(std::string("writing it failed: ") + std::strerror(errno));
        len_ = 0;
      }
    }
  };
  put(&h, sizeof h);
  put(ids, num_ids * sizeof(ItemId));
  bytes_ += static_cast<std::int64_t>(need);
  ++records_;
}

bool IdCache::FinishWrite() {
  if (!Failed() && len_ > 0 && std::fwrite(buf_.data(), 1, len_, file_) != len_)
    Fail(std::string("writing it failed: ") + std::strerror(errno));
  len_ = 0;
  if (!Failed() && std::fflush(file_) != 0) Fail(std::string("writing it failed: ") + std::strerror(errno));
  return !Failed();
}

void IdCache::Rewind() {
  pos_ = len_ = 0;
  read_bytes_ = 0;
  if (!Failed() && std::fseek(file_, 0, SEEK_SET) != 0) Fail(std::string("seeking in it failed: ") + std::strerror(errno));
}

bool IdCache::Read(void* into, std::size_t n) {
  char* p = static_cast<char*>(into);
  while (n > 0) {
    if (pos_ == len_) {
      pos_ = 0;
      len_ = std::fread(buf_.data(), 1, buf_.size(), file_);
      if (len_ == 0) {
        Fail("it ended early (read error or changed underneath)");
        return false;
      }
    }
    const std::size_t take = std::min(n, len_ - pos_);
    std::memcpy(p, buf_.data() + pos_, take);
    pos_ += take;
    p += take;
    n -= take;
  }
  return true;
}

bool IdCache::Next(CachedSentence* s) {
  if (Failed() || read_bytes_ >= bytes_) return false;
  RecordHeader h;
  if (!Read(&h, sizeof h)) return false;
  ids_.resize(h.num_ids);
  if (h.num_ids > 0 && !Read(ids_.data(), h.num_ids * sizeof(ItemId))) return false;
  read_bytes_ += static_cast<std::int64_t>(sizeof h + h.num_ids * sizeof(ItemId));
  s->ids = ids_.data();
  s->num_ids = h.num_ids;
  s->raw_tokens = h.raw_tokens;
  s->stats_delta = ReaderStats{};
  s->stats_delta.lines = h.lines;
  s->stats_delta.tokens = h.raw_tokens;
  s->stats_delta.split_lines = h.split_lines;
  s->stats_delta.long_items = h.long_items;
  s->after = ReaderPosition{h.range, h.offset, h.mid_line != 0};
  return true;
}

}  // namespace item2vec
