#include "tools/publish/publisher.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/units.h"
#include "common/word2vec_format.h"
#include "model/item_index.h"
#include "model/model_loader.h"
#include "tools/publish/publish_lock.h"
#include "tools/publish/redis_client.h"
#include "tools/publish/table_versions.h"

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// FNV-1a 64 of a file's bytes as 16 hex digits; "none" when the file is absent.
std::string FileHash(const std::string& path) {
  if (path.empty()) return "none";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "none";
  std::uint64_t h = 1469598103934665603ull;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buf[i]);
      h *= 1099511628211ull;
    }
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

// Streams one table (items or users) into the pipeline, with progress.
class TableWriter {
 public:
  TableWriter(RedisClient* redis, PublishLock* lock, const PublishOptions& o, bool text, std::int64_t total,
              std::ostream* progress)
      : redis_(redis), lock_(lock), batch_(o.batch), text_(text), total_(total), progress_(progress) {}

  Status Write(const std::string& key_prefix, const Embeddings& e) {
    for (std::size_t i = 0; i < e.items.size(); ++i) {
      key_.assign(key_prefix).append(e.items[i]);
      EncodeVector(e.row(i), e.dim, text_, &value_);
      ITEM2VEC_RETURN_IF_ERROR(redis_->Append({"SET", key_, value_}));
      ++written_;
      if (redis_->pending() >= 2 * batch_) ITEM2VEC_RETURN_IF_ERROR(redis_->ReadReplies(batch_));
      if ((written_ & 1023) == 0) {
        ITEM2VEC_RETURN_IF_ERROR(lock_->KeepAlive());
        Progress(false);
      }
    }
    return Status::Ok();
  }
  Status Finish() {
    ITEM2VEC_RETURN_IF_ERROR(redis_->ReadReplies(redis_->pending()));
    Progress(true);
    return Status::Ok();
  }
  std::int64_t written() const { return written_; }
  double seconds() const { return SecondsSince(start_); }

 private:
  void Progress(bool last) {
    if (progress_ == nullptr) return;
    const double s = SecondsSince(start_);
    if (!last && s - last_report_ < 2.0) return;
    if (last && last_report_ == 0) return;  // a small table: the summary line is enough
    last_report_ = s;
    const double rate = s > 0 ? static_cast<double>(written_) / s : 0;
    const double eta = rate > 0 ? static_cast<double>(total_ - written_) / rate : 0;
    char line[160];
    std::snprintf(line, sizeof line, "item2vec publish: %lld/%lld keys, %.0f keys/s, ETA %.0fs\n",
                  static_cast<long long>(written_), static_cast<long long>(total_), rate, eta);
    *progress_ << line << std::flush;
  }

  RedisClient* redis_;
  PublishLock* lock_;
  std::int64_t batch_;
  bool text_;
  std::int64_t total_, written_ = 0;
  std::ostream* progress_;
  Clock::time_point start_ = Clock::now();
  double last_report_ = 0;
  std::string key_, value_;
};

// One field of INFO SECTION ("" when absent).
Result<std::string> InfoField(RedisClient* redis, const std::string& section, const std::string& field) {
  Result<RedisReply> info = redis->Command({"INFO", section});
  if (!info.ok()) return info.status().WithContext("INFO " + section);
  const std::string& text = info->str;
  const std::string key = field + ":";
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.compare(0, key.size(), key) == 0) return line.substr(key.size());
    at = end + 1;
  }
  return std::string();
}

// INFO stats' evicted_keys, or -1 when the server does not say.
std::int64_t EvictedKeys(RedisClient* redis) {
  Result<std::string> n = InfoField(redis, "stats", "evicted_keys");
  return n.ok() && !n->empty() ? std::strtoll(n->c_str(), nullptr, 10) : -1;
}

// Why a key just written can be missing: eviction when the server counted some since the
// publish began, else someone or something deleted it.
std::string WhyMissing(RedisClient* redis, std::int64_t evicted_before, const std::string& policy) {
  const std::int64_t now = EvictedKeys(redis);
  if (evicted_before >= 0 && now > evicted_before)
    return " (the server evicted " + std::to_string(now - evicted_before) + " keys during this publish, "
           "maxmemory-policy " + policy + ": it is out of memory; raise maxmemory or free space)";
  return " (deleted by another client, or the server lost it)";
}

// Reads back up to `sample` keys spread evenly over the table and compares the bytes.
Status CheckSample(RedisClient* redis, const std::string& key_prefix, const Embeddings& e, bool text, int sample,
                   std::int64_t evicted_before, const std::string& policy, std::int64_t* checked) {
  const std::size_t n = e.items.size();
  if (n == 0 || sample <= 0) return Status::Ok();
  const std::size_t count = std::min<std::size_t>(n, static_cast<std::size_t>(sample));
  std::vector<std::size_t> rows;
  for (std::size_t j = 0; j < count; ++j) rows.push_back(count == 1 ? 0 : j * (n - 1) / (count - 1));
  std::string key, expected;
  for (std::size_t r : rows) {
    key.assign(key_prefix).append(e.items[r]);
    ITEM2VEC_RETURN_IF_ERROR(redis->Append({"GET", key}));
  }
  for (std::size_t r : rows) {
    Result<RedisReply> got = redis->ReadReply();
    if (!got.ok()) return got.status().WithContext("reading back the sample");
    EncodeVector(e.row(r), e.dim, text, &expected);
    if (got->type == RedisReply::Type::kNil) {
      return Status::IOError(redis->name() + ": read-back check failed: " + key_prefix + e.items[r] +
                             " is missing" + WhyMissing(redis, evicted_before, policy));
    }
    if (got->type != RedisReply::Type::kString || got->str != expected)
      return Status::IOError(redis->name() + ": read-back check failed: " + key_prefix + e.items[r] +
                             " differs from what was written");
    ++*checked;
  }
  return Status::Ok();
}

// Versions that failed runs left: meta "writing" and not current, and keys of versions
// without meta. Only the lock holder runs this, so no live publisher is writing them.
Status RemovePartials(RedisClient* redis, const PublishOptions& o, std::int64_t current, const KeepAlive& keep_alive,
                      PublishReport* report) {
  Result<std::vector<TableVersion>> versions = ListVersions(redis, o.prefix, keep_alive);
  if (!versions.ok()) return versions.status();
  for (const TableVersion& v : *versions) {
    if (v.version == current || v.state == "complete") continue;
    ITEM2VEC_RETURN_IF_ERROR(DeleteVersion(redis, o.prefix, v.version, &report->keys_deleted, keep_alive));
    report->removed_partial.push_back(v.version);
  }
  Result<std::vector<std::int64_t>> orphans = ListVersionsWithoutMeta(redis, o.prefix, keep_alive);
  if (!orphans.ok()) return orphans.status();
  for (std::int64_t v : *orphans) {
    if (v == current) continue;
    ITEM2VEC_RETURN_IF_ERROR(DeleteVersion(redis, o.prefix, v, &report->keys_deleted, keep_alive));
    report->removed_partial.push_back(v);
  }
  std::sort(report->removed_partial.begin(), report->removed_partial.end());
  return Status::Ok();
}

Status Prune(RedisClient* redis, const PublishOptions& o, std::int64_t current, const KeepAlive& keep_alive,
             PublishReport* report) {
  Result<std::vector<TableVersion>> versions = ListVersions(redis, o.prefix, keep_alive);
  if (!versions.ok()) return versions.status();
  std::vector<std::int64_t> complete;
  for (const TableVersion& v : *versions)
    if (v.state == "complete" && v.version != current) complete.push_back(v.version);
  // Newest first; the live version takes one of the `keep` places.
  std::sort(complete.rbegin(), complete.rend());
  for (std::size_t i = static_cast<std::size_t>(o.keep - 1); i < complete.size(); ++i) {
    ITEM2VEC_RETURN_IF_ERROR(DeleteVersion(redis, o.prefix, complete[i], &report->keys_deleted, keep_alive));
    report->pruned.push_back(complete[i]);
  }
  return Status::Ok();
}

// The flip, forward only and only while this publisher holds the prefix: WATCH the lock
// and PREFIX:current, check both, then MULTI / HSET meta state complete / SET current /
// EXEC. EXEC does nothing when either key changed after the WATCH.
Status MakeLive(RedisClient* redis, const PublishLock& lock, const std::string& prefix, std::int64_t version) {
  const std::string v = std::to_string(version), what = "making version " + v + " live";
  ITEM2VEC_RETURN_IF_ERROR(redis->Command({"WATCH", LockKey(prefix), CurrentKey(prefix)}).status().WithContext(what));
  Result<RedisReply> holder = redis->Command({"GET", LockKey(prefix)});
  if (!holder.ok()) return holder.status().WithContext(what);
  if (holder->str != lock.record()) {
    (void)redis->Command({"UNWATCH"});
    return Status::IOError(redis->name() + ": this publish lost " + LockKey(prefix) + " before " + what +
                           " (another publisher may hold the prefix); " + CurrentKey(prefix) + " is untouched");
  }
  Result<std::int64_t> current = CurrentVersion(redis, prefix);
  if (!current.ok()) return current.status();
  if (*current >= version) {
    (void)redis->Command({"UNWATCH"});
    return Status::IOError(redis->name() + ": " + CurrentKey(prefix) + " is already " + std::to_string(*current) +
                           ", newer than this publish's version " + v + ": not flipping it backwards");
  }
  ITEM2VEC_RETURN_IF_ERROR(redis->Append({"MULTI"}));
  ITEM2VEC_RETURN_IF_ERROR(redis->Append({"HSET", MetaKey(prefix, version), "state", "complete"}));
  ITEM2VEC_RETURN_IF_ERROR(redis->Append({"SET", CurrentKey(prefix), v}));
  ITEM2VEC_RETURN_IF_ERROR(redis->Append({"EXEC"}));
  ITEM2VEC_RETURN_IF_ERROR(redis->ReadReplies(3).WithContext(what));
  Result<RedisReply> exec = redis->ReadReply();
  if (!exec.ok()) return exec.status().WithContext(what);
  if (exec->type == RedisReply::Type::kNil)
    return Status::IOError(redis->name() + ": " + LockKey(prefix) + " or " + CurrentKey(prefix) +
                           " changed while " + what + "; the transaction was not applied and " + CurrentKey(prefix) +
                           " is untouched");
  if (exec->type != RedisReply::Type::kArray || exec->elements.size() != 2)
    return Status::IOError(redis->name() + ": the transaction " + what + " was not applied");
  for (const RedisReply& e : exec->elements)
    if (e.type == RedisReply::Type::kError)
      return Status::IOError(redis->name() + " answered inside the transaction " + what + ": " + e.str);
  return Status::Ok();
}

// Releases the lock on every way out of Publish.
struct LockRelease {
  PublishLock* lock;
  ~LockRelease() { lock->Release(); }
};

}  // namespace

// A server that evicts keys of any kind under memory pressure can drop parts of the live
// table and PREFIX:current itself: refused. noeviction and the volatile-* policies (they
// evict only keys with an expiry, which the table's keys never have) are fine.
Status CheckNoEviction(RedisClient* redis, std::string* policy) {
  Result<std::string> p = InfoField(redis, "memory", "maxmemory_policy");
  if (!p.ok()) return p.status();
  *policy = *p;
  if (policy->compare(0, 8, "allkeys-") == 0)
    return Status::InvalidArgument(redis->name() + " evicts keys under memory pressure (maxmemory-policy " + *policy +
                                   "): it could silently drop parts of the live table and its PREFIX:current. "
                                   "Set maxmemory-policy noeviction there (CONFIG SET maxmemory-policy noeviction) "
                                   "and enough maxmemory, or publish to another server");
  return Status::Ok();
}

// A table Redis can hold one key per row of: an item named twice would be written twice
// under one key, and the meta's count would not be the keys'.
Status CheckUniqueNames(const Embeddings& e, const std::string& path) {
  Result<ItemIndex> index = ItemIndex::Build(e.items);
  if (!index.ok())
    return Status::DataError("'" + path + "': " + index.status().message() +
                             "; a published table needs one key per name: fix the file (nothing was written)");
  return Status::Ok();
}

// A model with cold items (train --side-info): their ids as the set BASE + "cold" (removed with
// the version like its other keys) and their count in the meta hash.
Status WriteColdItems(RedisClient* redis, const std::string& meta, const std::string& base,
                      const std::vector<std::string>& cold) {
  if (cold.empty()) return Status::Ok();
  const std::string key = base + "cold";
  for (std::size_t begin = 0; begin < cold.size(); begin += 1000) {
    std::vector<std::string_view> args{"SADD", key};
    for (std::size_t i = begin; i < std::min(cold.size(), begin + 1000); ++i) args.push_back(cold[i]);
    Result<RedisReply> r = redis->Command(args);
    if (!r.ok()) return r.status().WithContext("SADD " + key);
  }
  const std::string n = std::to_string(cold.size());
  Result<RedisReply> r = redis->Command({"HSET", meta, "cold_items", n});
  return r.ok() ? Status::Ok() : r.status().WithContext("writing " + meta);
}

Status ReadPublishInput(const PublishOptions& o, const TableCheck& check_table, PublishInput* input) {
  ITEM2VEC_RETURN_IF_ERROR(ParseRedisAddress(o.redis, &input->host, &input->port));
  Result<ModelPaths> paths = ResolveModel(o.model, VectorFormat::kAuto);
  if (!paths.ok()) return paths.status();
  input->paths = *paths;
  Result<Embeddings> items = ReadWord2Vec(paths->vectors, paths->format);
  if (!items.ok()) return items.status();
  if (check_table) ITEM2VEC_RETURN_IF_ERROR(check_table(*items, "item", paths->vectors));
  ITEM2VEC_RETURN_IF_ERROR(CheckUniqueNames(*items, paths->vectors));
  input->items = std::move(*items);
  Result<std::vector<std::string>> cold = ReadColdItems(*paths);
  if (!cold.ok()) return cold.status();
  input->cold = std::move(*cold);
  if (o.users.empty()) return Status::Ok();
  Result<Embeddings> users = ReadWord2Vec(o.users, VectorFormat::kAuto);
  if (!users.ok()) return users.status().WithContext("--users");
  if (check_table) ITEM2VEC_RETURN_IF_ERROR(check_table(*users, "user", o.users));
  if (users->dim != input->items.dim)
    return Status::DataError("--users '" + o.users + "' has dim " + std::to_string(users->dim) + " but the model has " +
                             std::to_string(input->items.dim));
  ITEM2VEC_RETURN_IF_ERROR(CheckUniqueNames(*users, o.users).WithContext("--users"));
  input->users = std::move(*users);
  return Status::Ok();
}

Status ConnectForPublish(const PublishOptions& o, const PublishInput& input, const std::string& password,
                         const std::string& password_source, RedisClient* redis, std::string* policy) {
  ITEM2VEC_RETURN_IF_ERROR(redis->Connect(input.host, input.port, password, password_source, o.timeout_ms));
  return CheckNoEviction(redis, policy);
}


void EncodeVector(const float* v, int dim, bool text, std::string* out) {
  out->clear();
  if (!text) {
    out->resize(static_cast<std::size_t>(dim) * 4);
    char* p = out->data();
    for (int k = 0; k < dim; ++k) {
      std::uint32_t bits;
      std::memcpy(&bits, &v[k], 4);
      for (int b = 0; b < 4; ++b) p[4 * k + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
    }
    return;
  }
  char buf[32];
  for (int k = 0; k < dim; ++k) {
    if (k > 0) out->push_back(' ');
    auto res = std::to_chars(buf, buf + sizeof buf, v[k]);  // shortest text that reads back to the same float
    out->append(buf, res.ptr);
  }
}

Result<PublishReport> Publish(const PublishOptions& o, const std::string& password, const std::string& password_source,
                              std::ostream* progress) {
  const auto start = Clock::now();
  if (o.model.empty()) return Status::InvalidArgument("--model is required: a model directory or a vectors file");
  if (o.redis.empty()) return Status::InvalidArgument("--redis HOST:PORT is required");
  ITEM2VEC_RETURN_IF_ERROR(ValidatePrefix(o.prefix));
  if (o.keep < 1) return Status::InvalidArgument("--keep must be at least 1 (the live version), got " + std::to_string(o.keep));
  if (o.batch < 1) return Status::InvalidArgument("--batch must be positive");
  if (o.timeout_ms < 1)
    return Status::InvalidArgument("--timeout-ms must be at least 1 (milliseconds to wait for Redis to connect and "
                                   "to answer each reply), got " + std::to_string(o.timeout_ms));
  if (o.format != "binary" && o.format != "text")
    return Status::InvalidArgument("--format must be 'binary' (float32 little-endian) or 'text', got '" + o.format + "'");
  const bool text = o.format == "text";

  // 1. All input first: nothing is written when it is bad.
  PublishInput input;
  ITEM2VEC_RETURN_IF_ERROR(ReadPublishInput(o, nullptr, &input));
  const Embeddings& items = input.items;
  const Embeddings& users = input.users;
  const ModelPaths& paths = input.paths;
  PublishReport report;
  report.items = static_cast<std::int64_t>(items.items.size());
  report.users = static_cast<std::int64_t>(users.items.size());
  report.dim = items.dim;

  // 2. A server that keeps what it is given, and the prefix to this publisher alone.
  RedisClient redis;
  std::string policy;
  ITEM2VEC_RETURN_IF_ERROR(ConnectForPublish(o, input, password, password_source, &redis, &policy));
  const std::int64_t evicted_before = EvictedKeys(&redis);
  PublishLock lock(&redis, o.prefix);
  ITEM2VEC_RETURN_IF_ERROR(lock.Acquire("item2vec publish --model " + o.model));
  LockRelease release{&lock};
  if (!lock.taken_over().empty() && progress != nullptr)
    *progress << "item2vec publish: took over " << LockKey(o.prefix) << " of a publisher that is gone ("
              << lock.taken_over() << ")\n";
  const KeepAlive keep_alive = [&lock] { return lock.KeepAlive(); };
  Result<std::int64_t> current = CurrentVersion(&redis, o.prefix);
  if (!current.ok()) return current.status();
  report.previous = *current;
  // 3. What failed runs left behind.
  ITEM2VEC_RETURN_IF_ERROR(RemovePartials(&redis, o, *current, keep_alive, &report));

  // 4. A new version: its meta first (state writing), so a crash from here on is found.
  Result<RedisReply> seq = redis.Command({"INCR", SeqKey(o.prefix)});
  if (!seq.ok()) return seq.status().WithContext("INCR " + SeqKey(o.prefix));
  std::int64_t version = seq->integer;
  if (version <= *current) {  // PREFIX:seq was lost or reset: continue after the live version
    version = *current + 1;
    Result<RedisReply> set = redis.Command({"SET", SeqKey(o.prefix), std::to_string(version)});
    if (!set.ok()) return set.status();
  }
  report.version = version;
  const std::string meta = MetaKey(o.prefix, version);
  std::error_code ec;
  const std::string model_abs = std::filesystem::absolute(o.model, ec).string();
  const std::string dim = std::to_string(report.dim), n_items = std::to_string(report.items),
                    n_users = std::to_string(report.users), train_hash = FileHash(paths.train_json),
                    created = UtcNow();
  Result<RedisReply> hset = redis.Command({"HSET", meta, "state", "writing", "dim", dim, "items", n_items, "users",
                                           n_users, "format", o.format, "model", ec ? o.model : model_abs,
                                           "train_hash", train_hash, "created", created});
  if (!hset.ok()) return hset.status().WithContext("writing " + meta);

  const std::string base = VersionKeyPrefix(o.prefix, version);
  TableWriter writer(&redis, &lock, o, text, report.items + report.users, progress);
  ITEM2VEC_RETURN_IF_ERROR(writer.Write(base + "i:", items));
  ITEM2VEC_RETURN_IF_ERROR(writer.Write(base + "u:", users));
  ITEM2VEC_RETURN_IF_ERROR(writer.Finish());
  ITEM2VEC_RETURN_IF_ERROR(WriteColdItems(&redis, meta, base, input.cold));
  report.cold = static_cast<std::int64_t>(input.cold.size());
  report.keys_written = writer.written();
  report.write_seconds = writer.seconds();

  // 5. Read back a sample of both tables.
  ITEM2VEC_RETURN_IF_ERROR(
      CheckSample(&redis, base + "i:", items, text, o.sample, evicted_before, policy, &report.keys_checked));
  ITEM2VEC_RETURN_IF_ERROR(
      CheckSample(&redis, base + "u:", users, text, o.sample, evicted_before, policy, &report.keys_checked));

  // 6. The flip: complete and live in one transaction, forward only, under the lock.
  ITEM2VEC_RETURN_IF_ERROR(lock.KeepAlive());
  ITEM2VEC_RETURN_IF_ERROR(MakeLive(&redis, lock, o.prefix, version));

  // 7. Prune. The new version is live even if this fails.
  const std::string v = std::to_string(version);
  Status pruned = Prune(&redis, o, version, keep_alive, &report);
  if (!pruned.ok()) return pruned.WithContext("version " + v + " is live, but pruning old versions failed");
  report.total_seconds = SecondsSince(start);
  return report;
}

}  // namespace item2vec
