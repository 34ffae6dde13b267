#include "tools/publish/publisher.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/word2vec_format.h"
#include "tools/eval/model_loader.h"
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

std::string UtcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Streams one table (items or users) into the pipeline, with progress.
class TableWriter {
 public:
  TableWriter(RedisClient* redis, const PublishOptions& o, bool text, std::int64_t total, std::ostream* progress)
      : redis_(redis), batch_(o.batch), text_(text), total_(total), progress_(progress) {}

  Status Write(const std::string& key_prefix, const Embeddings& e) {
    for (std::size_t i = 0; i < e.items.size(); ++i) {
      key_.assign(key_prefix).append(e.items[i]);
      EncodeVector(e.row(i), e.dim, text_, &value_);
      ITEM2VEC_RETURN_IF_ERROR(redis_->Append({"SET", key_, value_}));
      ++written_;
      if (redis_->pending() >= 2 * batch_) ITEM2VEC_RETURN_IF_ERROR(redis_->ReadReplies(batch_));
      if ((written_ & 1023) == 0) Progress(false);
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
  std::int64_t batch_;
  bool text_;
  std::int64_t total_, written_ = 0;
  std::ostream* progress_;
  Clock::time_point start_ = Clock::now();
  double last_report_ = 0;
  std::string key_, value_;
};

// Reads back up to `sample` keys spread evenly over the table and compares the bytes.
Status CheckSample(RedisClient* redis, const std::string& key_prefix, const Embeddings& e, bool text, int sample,
                   std::int64_t* checked) {
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
    if (got->type != RedisReply::Type::kString || got->str != expected)
      return Status::DataError(redis->name() + ": read-back check failed: " + key_prefix + e.items[r] +
                               (got->type == RedisReply::Type::kNil ? " is missing" : " differs from what was written"));
    ++*checked;
  }
  return Status::Ok();
}

Status RemovePartials(RedisClient* redis, const PublishOptions& o, std::int64_t current, PublishReport* report) {
  Result<std::vector<TableVersion>> versions = ListVersions(redis, o.prefix);
  if (!versions.ok()) return versions.status();
  for (const TableVersion& v : *versions) {
    if (v.version == current || v.state == "complete") continue;
    ITEM2VEC_RETURN_IF_ERROR(DeleteVersion(redis, o.prefix, v.version, &report->keys_deleted));
    report->removed_partial.push_back(v.version);
  }
  return Status::Ok();
}

Status Prune(RedisClient* redis, const PublishOptions& o, std::int64_t current, PublishReport* report) {
  Result<std::vector<TableVersion>> versions = ListVersions(redis, o.prefix);
  if (!versions.ok()) return versions.status();
  std::vector<std::int64_t> complete;
  for (const TableVersion& v : *versions)
    if (v.state == "complete" && v.version != current) complete.push_back(v.version);
  // Newest first; the live version takes one of the `keep` places.
  std::sort(complete.rbegin(), complete.rend());
  for (std::size_t i = static_cast<std::size_t>(o.keep - 1); i < complete.size(); ++i) {
    ITEM2VEC_RETURN_IF_ERROR(DeleteVersion(redis, o.prefix, complete[i], &report->keys_deleted));
    report->pruned.push_back(complete[i]);
  }
  return Status::Ok();
}

}  // namespace

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
  if (o.format != "binary" && o.format != "text")
    return Status::InvalidArgument("--format must be 'binary' (float32 little-endian) or 'text', got '" + o.format + "'");
  const bool text = o.format == "text";
  std::string host;
  int port = 0;
  ITEM2VEC_RETURN_IF_ERROR(ParseRedisAddress(o.redis, &host, &port));

  // 1. All input first: nothing is written when it is bad.
  Result<ModelPaths> paths = ResolveModel(o.model, VectorFormat::kAuto);
  if (!paths.ok()) return paths.status();
  Result<Embeddings> items = ReadWord2Vec(paths->vectors, paths->format);
  if (!items.ok()) return items.status();
  Embeddings users;
  if (!o.users.empty()) {
    Result<Embeddings> read = ReadWord2Vec(o.users, VectorFormat::kAuto);
    if (!read.ok()) return read.status().WithContext("--users");
    if (read->dim != items->dim)
      return Status::DataError("--users '" + o.users + "' has dim " + std::to_string(read->dim) + " but the model has " +
                               std::to_string(items->dim));
    users = std::move(*read);
  }
  PublishReport report;
  report.items = static_cast<std::int64_t>(items->items.size());
  report.users = static_cast<std::int64_t>(users.items.size());
  report.dim = items->dim;

  RedisClient redis;
  ITEM2VEC_RETURN_IF_ERROR(redis.Connect(host, port, password, password_source, o.timeout_ms));
  Result<std::int64_t> current = CurrentVersion(&redis, o.prefix);
  if (!current.ok()) return current.status();
  report.previous = *current;
  // 2. What failed runs left behind.
  ITEM2VEC_RETURN_IF_ERROR(RemovePartials(&redis, o, *current, &report));

  // 3. A new version: its meta first (state writing), so a crash from here on is found.
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
                    n_users = std::to_string(report.users), train_hash = FileHash(paths->train_json),
                    created = UtcNow();
  Result<RedisReply> hset = redis.Command({"HSET", meta, "state", "writing", "dim", dim, "items", n_items, "users",
                                           n_users, "format", o.format, "model", ec ? o.model : model_abs,
                                           "train_hash", train_hash, "created", created});
  if (!hset.ok()) return hset.status().WithContext("writing " + meta);

  const std::string base = VersionKeyPrefix(o.prefix, version);
  TableWriter writer(&redis, o, text, report.items + report.users, progress);
  ITEM2VEC_RETURN_IF_ERROR(writer.Write(base + "i:", *items));
  ITEM2VEC_RETURN_IF_ERROR(writer.Write(base + "u:", users));
  ITEM2VEC_RETURN_IF_ERROR(writer.Finish());
  report.keys_written = writer.written();
  report.write_seconds = writer.seconds();

  // 4. Read back a sample of both tables.
  ITEM2VEC_RETURN_IF_ERROR(CheckSample(&redis, base + "i:", *items, text, o.sample, &report.keys_checked));
  ITEM2VEC_RETURN_IF_ERROR(CheckSample(&redis, base + "u:", users, text, o.sample, &report.keys_checked));

  // 5. The flip: complete and live in one transaction.
  const std::string v = std::to_string(version);
  ITEM2VEC_RETURN_IF_ERROR(redis.Append({"MULTI"}));
  ITEM2VEC_RETURN_IF_ERROR(redis.Append({"HSET", meta, "state", "complete"}));
  ITEM2VEC_RETURN_IF_ERROR(redis.Append({"SET", CurrentKey(o.prefix), v}));
  ITEM2VEC_RETURN_IF_ERROR(redis.Append({"EXEC"}));
  ITEM2VEC_RETURN_IF_ERROR(redis.ReadReplies(3).WithContext("making version " + v + " live"));
  Result<RedisReply> exec = redis.ReadReply();
  if (!exec.ok()) return exec.status().WithContext("making version " + v + " live");
  if (exec->type != RedisReply::Type::kArray || exec->elements.size() != 2)
    return Status::IOError(redis.name() + ": the transaction making version " + v + " live was not applied");
  for (const RedisReply& e : exec->elements)
    if (e.type == RedisReply::Type::kError)
      return Status::IOError(redis.name() + " answered inside the transaction making version " + v + " live: " + e.str);

  // 6. Prune. The new version is live even if this fails.
  Status pruned = Prune(&redis, o, version, &report);
  if (!pruned.ok()) return pruned.WithContext("version " + v + " is live, but pruning old versions failed");
  report.total_seconds = SecondsSince(start);
  return report;
}

}  // namespace item2vec
