#include "tools/prep/bucket_sort.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "common/hash.h"

namespace item2vec {
namespace {

// On-disk record: this header, then the user bytes, then the item bytes. Native byte order:
// bucket files never leave the machine that wrote them.
struct RecordHeader {
  std::uint64_t hash;
  std::int64_t time_ms;
  std::uint64_t order;
  std::uint32_t user_len;
  std::uint32_t item_len;
};
constexpr std::size_t kHeaderBytes = sizeof(RecordHeader);
static_assert(kHeaderBytes == 32, "RecordHeader must be packed into 32 bytes");

// The in-memory index of one loaded event.
struct EventRef {
  std::uint64_t hash;
  std::int64_t time_ms;
  std::uint64_t order;
  std::uint64_t offset;  // of the record header in the loaded bucket
};

constexpr std::int64_t kBytesPerLoadedEvent = sizeof(EventRef) + sizeof(TimedItem);

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

std::uint64_t UserHash(std::string_view user) {
  // FNV-1a, then the MurmurHash3 64-bit finaliser so that the high bits (which pick the
  // bucket and the part) are well mixed even for short numeric ids. Fixed: prep's output
  // order and parts depend on it (common/hash.h).
  return MurmurMix64(Fnv1a64(user, kFnvOffsetBasis), 2);
}

// One bucket: the concatenation of its files.
struct BucketSorter::Bucket {
  std::vector<std::string> paths;
  std::uint64_t min_hash = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_hash = 0;
  std::int64_t events = 0;
  std::int64_t bytes = 0;

  std::string Name() const { return paths.empty() ? std::string("(empty)") : paths.front(); }
  void RemoveFiles() const {
    for (const std::string& p : paths) std::remove(p.c_str());
  }
};

namespace {

// Reads a bucket's files one after the other.
class BucketInput {
 public:
  explicit BucketInput(const std::vector<std::string>& paths) : paths_(paths) {}
  ~BucketInput() {
    if (file_ != nullptr) std::fclose(file_);
  }
  // Reads exactly n bytes (a record never spans two files); false at the end or on error.
  bool Read(void* data, std::size_t n) {
    while (true) {
      if (file_ == nullptr) {
        if (next_ == paths_.size()) return false;
        current_ = paths_[next_++];
        file_ = std::fopen(current_.c_str(), "rb");
        if (file_ == nullptr) {
          error_ = "cannot reopen bucket file '" + current_ + "': " + ErrnoText();
          return false;
        }
      }
      const std::size_t got = std::fread(data, 1, n, file_);
      if (got == n) return true;
      if (got != 0) {
        error_ = "bucket file '" + current_ + "' is shorter than written";
        return false;
      }
      std::fclose(file_);
      file_ = nullptr;
    }
  }
  // Empty when no error occurred.
  const std::string& error() const { return error_; }

 private:
  const std::vector<std::string>& paths_;
  std::size_t next_ = 0;
  std::string current_;
  std::FILE* file_ = nullptr;
  std::string error_;
};

}  // namespace

// Writes events into `fanout` bucket files covering [lo, hi] in equal hash ranges.
class BucketSorter::BucketWriterSet {
 public:
  BucketWriterSet(BucketSorter* owner, std::uint64_t lo, std::uint64_t hi, int fanout, std::size_t buffer_bytes)
      : owner_(owner), lo_(lo), width_(static_cast<unsigned __int128>(hi - lo) + 1), buffer_bytes_(buffer_bytes) {
    writers_.resize(static_cast<std::size_t>(fanout));
    for (Writer& w : writers_) w.buffer.reserve(buffer_bytes_);
  }
  ~BucketWriterSet() {
    for (Writer& w : writers_)
      if (w.file != nullptr) std::fclose(w.file);
  }

  Status Append(const RecordHeader& header, std::string_view user, std::string_view item) {
    const std::size_t index = static_cast<std::size_t>(
        (static_cast<unsigned __int128>(header.hash - lo_) * writers_.size()) / width_);
    Writer& w = writers_[index];
    const char* h = reinterpret_cast<const char*>(&header);
    w.buffer.append(h, kHeaderBytes);
    w.buffer.append(user.data(), user.size());
    w.buffer.append(item.data(), item.size());
    w.bucket.min_hash = std::min(w.bucket.min_hash, header.hash);
    w.bucket.max_hash = std::max(w.bucket.max_hash, header.hash);
    ++w.bucket.events;
    w.bucket.bytes += static_cast<std::int64_t>(kHeaderBytes + user.size() + item.size());
    if (w.buffer.size() >= buffer_bytes_) return Flush(w);
    return Status::Ok();
  }

  // Flushes and closes every file; buckets come out in hash order, empty ones included.
  Status Close(std::vector<Bucket>* buckets) {
    for (Writer& w : writers_) {
      ITEM2VEC_RETURN_IF_ERROR(Flush(w));
      if (w.file != nullptr) {
        const bool ok = std::fclose(w.file) == 0;
        w.file = nullptr;
        if (!ok) return Status::IOError("closing bucket file '" + w.bucket.paths[0] + "': " + ErrnoText());
      }
      buckets->push_back(std::move(w.bucket));
    }
    writers_.clear();
    return Status::Ok();
  }

 private:
  struct Writer {
    std::FILE* file = nullptr;
    std::string buffer;
    Bucket bucket;
  };

  Status Flush(Writer& w) {
    if (w.buffer.empty()) return Status::Ok();
    if (w.file == nullptr) {  // files are created lazily: empty buckets cost nothing
      w.bucket.paths.assign(1, owner_->NewBucketPath());
      w.file = std::fopen(w.bucket.paths[0].c_str(), "wb");
      if (w.file == nullptr) return Status::IOError("cannot create bucket file '" + w.bucket.paths[0] + "': " + ErrnoText());
      std::setvbuf(w.file, nullptr, _IONBF, 0);  // our own buffer is the buffer
      ++owner_->stats_.bucket_files;
    }
    if (std::fwrite(w.buffer.data(), 1, w.buffer.size(), w.file) != w.buffer.size())
      return Status::IOError("writing bucket file '" + w.bucket.paths[0] + "' failed: " + ErrnoText() +
                             " (is the disk under --output full?)");
    owner_->stats_.spilled_bytes += static_cast<std::int64_t>(w.buffer.size());
    w.buffer.clear();
    return Status::Ok();
  }

  BucketSorter* owner_;
  std::uint64_t lo_;
  unsigned __int128 width_;
  std::size_t buffer_bytes_;
  std::vector<Writer> writers_;
};

namespace {

std::size_t WriterBufferBytes(std::int64_t memory_bytes, int fanout) {
  const std::int64_t share = memory_bytes / 4 / std::max(1, fanout);
  return static_cast<std::size_t>(std::clamp<std::int64_t>(share, 256, 1 << 20));
}

}  // namespace

int BucketSorter::AutoFanout(const BucketSortOptions& options) {
  const std::int64_t memory = std::max<std::int64_t>(options.memory_bytes, 4096);
  // A compact log row (~25 bytes) costs ~100 bytes to sort (32-byte record header plus a
  // 48-byte index entry): aim for buckets that fit; recursion catches any underestimate.
  const std::int64_t estimate = options.expected_input_bytes * 4;
  const std::int64_t wanted = (estimate + memory - 1) / memory;
  return static_cast<int>(std::clamp<std::int64_t>(wanted, 1, std::max(2, options.max_fanout)));
}

BucketSorter::BucketSorter(BucketSortOptions options) : options_(std::move(options)) {
  options_.memory_bytes = std::max<std::int64_t>(options_.memory_bytes, 4096);
  options_.max_fanout = std::max(2, options_.max_fanout);
  const int fanout = options_.fanout > 0 ? options_.fanout : AutoFanout(options_);
  top_fanout_ = fanout;
  top_ = std::make_unique<BucketWriterSet>(this, 0, std::numeric_limits<std::uint64_t>::max(), fanout,
                                           WriterBufferBytes(options_.memory_bytes, fanout));
}

BucketSorter::~BucketSorter() {
  top_.reset();  // closes files before they are removed
  for (const std::string& path : live_files_) std::remove(path.c_str());
}

std::string BucketSorter::NewBucketPath() {
  std::string path = options_.temp_dir + "/bucket-" + std::to_string(next_file_id_++);
  live_files_.push_back(path);
  return path;
}

std::int64_t BucketSorter::LoadCost(const Bucket& bucket) const {
  return bucket.bytes + bucket.events * kBytesPerLoadedEvent;
}

Status BucketSorter::Add(std::string_view user, std::string_view item, std::int64_t time_ms) {
  return Add(user, item, time_ms, static_cast<std::uint64_t>(stats_.events));
}

Status BucketSorter::Add(std::string_view user, std::string_view item, std::int64_t time_ms, std::uint64_t order) {
  if (top_ == nullptr) return Status::Internal("BucketSorter::Add after Finish or Close");
  RecordHeader header{UserHash(user), time_ms, order, static_cast<std::uint32_t>(user.size()),
                      static_cast<std::uint32_t>(item.size())};
  ++stats_.events;
  return top_->Append(header, user, item);
}

Status BucketSorter::Finish(const UserVisitor& visit) {
  std::vector<BucketFile> buckets;
  ITEM2VEC_RETURN_IF_ERROR(Close(&buckets));
  for (const BucketFile& bucket : buckets)  // ours again: the destructor removes what an error leaves
    if (bucket.events > 0) live_files_.push_back(bucket.path);
  for (const BucketFile& bucket : buckets)
    if (bucket.events > 0) ITEM2VEC_RETURN_IF_ERROR(SortFiles({bucket}, visit));
  return Status::Ok();
}

Status BucketSorter::Close(std::vector<BucketFile>* buckets) {
  if (top_ == nullptr) return Status::Internal("BucketSorter::Finish or Close called twice");
  std::vector<Bucket> closed;
  Status st = top_->Close(&closed);
  top_.reset();
  ITEM2VEC_RETURN_IF_ERROR(st);
  live_files_.clear();  // only top-level files exist yet; the caller owns them now
  buckets->clear();
  for (const Bucket& b : closed) {
    BucketFile f;
    if (!b.paths.empty()) f.path = b.paths.front();
    f.min_hash = b.min_hash;
    f.max_hash = b.max_hash;
    f.events = b.events;
    f.bytes = b.bytes;
    buckets->push_back(std::move(f));
  }
  return Status::Ok();
}

Status BucketSorter::SortFiles(const std::vector<BucketFile>& pieces, const UserVisitor& visit) {
  if (top_ != nullptr) return Status::Internal("BucketSorter::SortFiles before Close");
  Bucket bucket;
  for (const BucketFile& piece : pieces) {
    if (piece.events == 0) continue;
    bucket.paths.push_back(piece.path);
    bucket.min_hash = std::min(bucket.min_hash, piece.min_hash);
    bucket.max_hash = std::max(bucket.max_hash, piece.max_hash);
    bucket.events += piece.events;
    bucket.bytes += piece.bytes;
  }
  return Process(bucket, 0, visit);
}

Status BucketSorter::Process(Bucket& bucket, int depth, const UserVisitor& visit) {
  if (bucket.events == 0) return Status::Ok();
  Status st;
  if (LoadCost(bucket) <= options_.memory_bytes) {
    st = LoadAndVisit(bucket, visit);
    bucket.RemoveFiles();
    return st;
  }
  std::vector<Bucket> children;
  st = Split(bucket, depth, &children);
  bucket.RemoveFiles();
  ITEM2VEC_RETURN_IF_ERROR(st);
  for (Bucket& child : children) ITEM2VEC_RETURN_IF_ERROR(Process(child, depth + 1, visit));
  return Status::Ok();
}

Status BucketSorter::Split(Bucket& bucket, int depth, std::vector<Bucket>* children) {
  BucketInput in(bucket.paths);
  std::string payload;
  RecordHeader header{};
  if (bucket.min_hash == bucket.max_hash) {
    // One hash, so (barring a 64-bit collision) one user: splitting cannot help.
    if (in.Read(&header, kHeaderBytes)) {
      payload.resize(header.user_len);
      if (!in.Read(payload.data(), payload.size())) payload = "?";
    }
    return Status::DataError("user '" + payload + "' alone has " + std::to_string(bucket.events) + " events (" +
                             std::to_string(LoadCost(bucket) >> 10) + " KiB to sort), more than --memory allows (" +
                             std::to_string(options_.memory_bytes >> 10) + " KiB); raise --memory");
  }
  ++stats_.resplits;
  stats_.max_depth = std::max(stats_.max_depth, depth + 1);
  const std::int64_t wanted = 2 * ((LoadCost(bucket) + options_.memory_bytes - 1) / options_.memory_bytes);
  const int fanout = static_cast<int>(std::clamp<std::int64_t>(wanted, 2, options_.max_fanout));
  BucketWriterSet writers(this, bucket.min_hash, bucket.max_hash, fanout,
                          WriterBufferBytes(options_.memory_bytes, fanout));
  Status st;
  for (std::int64_t i = 0; i < bucket.events && st.ok(); ++i) {
    if (!in.Read(&header, kHeaderBytes)) {
      st = Status::IOError(in.error().empty() ? "bucket '" + bucket.Name() + "' is shorter than written" : in.error());
      break;
    }
    payload.resize(static_cast<std::size_t>(header.user_len) + header.item_len);
    if (!in.Read(payload.data(), payload.size())) {
      st = Status::IOError(in.error().empty() ? "bucket '" + bucket.Name() + "' is shorter than written" : in.error());
      break;
    }
    const std::string_view both(payload);
    st = writers.Append(header, both.substr(0, header.user_len), both.substr(header.user_len));
  }
  if (st.ok()) st = writers.Close(children);
  return st;
}

Status BucketSorter::LoadAndVisit(Bucket& bucket, const UserVisitor& visit) {
  ++stats_.buckets_loaded;
  stats_.largest_load_bytes = std::max(stats_.largest_load_bytes, LoadCost(bucket));
  std::string data(static_cast<std::size_t>(bucket.bytes), '\0');
  std::size_t filled = 0;
  for (const std::string& path : bucket.paths) {
    std::FILE* in = std::fopen(path.c_str(), "rb");
    if (in == nullptr) return Status::IOError("cannot reopen bucket file '" + path + "': " + ErrnoText());
    const std::size_t got = std::fread(data.data() + filled, 1, data.size() - filled, in);
    const bool longer = std::fgetc(in) != EOF;
    std::fclose(in);
    if (longer) return Status::IOError("bucket file '" + path + "' is longer than written");
    filled += got;
  }
  if (filled != data.size()) return Status::IOError("bucket '" + bucket.Name() + "' is shorter than written");

  std::vector<EventRef> refs;
  refs.reserve(static_cast<std::size_t>(bucket.events));
  for (std::size_t offset = 0; offset < data.size();) {
    RecordHeader header;
    std::memcpy(&header, data.data() + offset, kHeaderBytes);
    refs.push_back({header.hash, header.time_ms, header.order, offset});
    offset += kHeaderBytes + header.user_len + header.item_len;
  }
  auto user_of = [&data](const EventRef& ref) {
    std::uint32_t len;
    std::memcpy(&len, data.data() + ref.offset + offsetof(RecordHeader, user_len), sizeof(len));
    return std::string_view(data.data() + ref.offset + kHeaderBytes, len);
  };
  auto item_of = [&data](const EventRef& ref) {
    std::uint32_t user_len, item_len;
    std::memcpy(&user_len, data.data() + ref.offset + offsetof(RecordHeader, user_len), sizeof(user_len));
    std::memcpy(&item_len, data.data() + ref.offset + offsetof(RecordHeader, item_len), sizeof(item_len));
    return std::string_view(data.data() + ref.offset + kHeaderBytes + user_len, item_len);
  };
  std::sort(refs.begin(), refs.end(), [&](const EventRef& a, const EventRef& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    const int c = user_of(a).compare(user_of(b));
    if (c != 0) return c < 0;
    if (a.time_ms != b.time_ms) return a.time_ms < b.time_ms;
    return a.order < b.order;
  });
  std::vector<TimedItem> events;
  for (std::size_t begin = 0; begin < refs.size();) {
    const std::string_view user = user_of(refs[begin]);
    std::size_t end = begin + 1;
    while (end < refs.size() && refs[end].hash == refs[begin].hash && user_of(refs[end]) == user) ++end;
    events.clear();
    for (std::size_t i = begin; i < end; ++i) events.push_back({item_of(refs[i]), refs[i].time_ms});
    ITEM2VEC_RETURN_IF_ERROR(visit(user, refs[begin].hash, events));
    begin = end;
  }
  return Status::Ok();
}

}  // namespace item2vec
