#include "tools/publish/sparrow_layout.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "common/word2vec_format.h"
#include "model/model_loader.h"
#include "tools/publish/publisher.h"
#include "tools/publish/redis_client.h"

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;

// A key part the reader would split or mangle: ':' (its key separator) or whitespace.
Status CheckKeyParts(const Embeddings& e, const std::string& what, const std::string& path) {
  for (const std::string& id : e.items)
    if (id.empty() || id.find_first_of(": \t\r\n\v\f") != std::string::npos)
      return Status::DataError(what + " '" + id + "' in '" + path + "' contains ':' or whitespace: SparrowRecSys's "
                               "reader takes the id as the second ':'-separated field of the key (use the versioned "
                               "layout for such ids)");
  return Status::Ok();
}

Status WriteTable(RedisClient* redis, const std::string& prefix, const Embeddings& e, const PublishOptions& o,
                  std::int64_t ttl) {
  const std::string ex = std::to_string(ttl);
  std::string key, value;
  for (std::size_t i = 0; i < e.items.size(); ++i) {
    key.assign(prefix).append(":").append(e.items[i]);
    EncodeVector(e.row(i), e.dim, /*text=*/true, &value);
    ITEM2VEC_RETURN_IF_ERROR(ttl > 0 ? redis->Append({"SET", key, value, "EX", ex}) : redis->Append({"SET", key, value}));
    if (redis->pending() >= 2 * static_cast<std::int64_t>(o.batch)) ITEM2VEC_RETURN_IF_ERROR(redis->ReadReplies(o.batch));
  }
  return redis->ReadReplies(redis->pending());
}

// Reads back up to `sample` keys spread over the table and compares the values.
Status CheckSample(RedisClient* redis, const std::string& prefix, const Embeddings& e, int sample, std::int64_t* checked) {
  const std::size_t n = e.items.size();
  const std::size_t count = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(0, sample)));
  std::string expected;
  for (std::size_t j = 0; j < count; ++j) {
    const std::size_t r = count == 1 ? 0 : j * (n - 1) / (count - 1);
    const std::string key = prefix + ":" + e.items[r];
    Result<RedisReply> got = redis->Command({"GET", key});
    if (!got.ok()) return got.status().WithContext("reading back " + key);
    EncodeVector(e.row(r), e.dim, true, &expected);
    if (got->type != RedisReply::Type::kString || got->str != expected)
      return Status::DataError(redis->name() + ": read-back check failed: " + key +
                               (got->type == RedisReply::Type::kNil ? " is missing" : " differs from what was written"));
    ++*checked;
  }
  return Status::Ok();
}

}  // namespace

std::int64_t ParseTtlSeconds(const std::string& text) {
  if (text.empty()) return -1;
  std::int64_t unit = 1;
  std::string number = text;
  switch (text.back()) {
    case 's': number.pop_back(); break;
    case 'm': unit = 60; number.pop_back(); break;
    case 'h': unit = 3600; number.pop_back(); break;
    case 'd': unit = 86400; number.pop_back(); break;
    default: break;
  }
  if (number.empty() || number.size() > 12 || number.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(number) * unit;
}

Result<SparrowLayoutReport> PublishSparrowLayout(const PublishOptions& o, const SparrowLayoutOptions& layout,
                                                 const std::string& password, const std::string& password_source) {
  const auto start = Clock::now();
  if (o.model.empty()) return Status::InvalidArgument("--model is required: a model directory or a vectors file");
  if (o.redis.empty()) return Status::InvalidArgument("--redis HOST:PORT is required");
  if (o.batch < 1) return Status::InvalidArgument("--batch must be positive");
  if (layout.ttl_seconds < 0) return Status::InvalidArgument("--ttl must be 0 (no expiry) or a duration");
  for (const std::string* p : {&layout.item_prefix, &layout.user_prefix})
    if (p->empty() || p->find_first_of(": \t*?[]") != std::string::npos)
      return Status::InvalidArgument("SparrowRecSys key prefix '" + *p + "' must be non-empty, without ':', spaces or glob characters");
  // All input first: nothing is written when it is bad.
  PublishInput input;
  ITEM2VEC_RETURN_IF_ERROR(ReadPublishInput(o, CheckKeyParts, &input));
  const Embeddings& items = input.items;
  const Embeddings& users = input.users;
  RedisClient redis;
  std::string policy;
  ITEM2VEC_RETURN_IF_ERROR(ConnectForPublish(o, input, password, password_source, &redis, &policy));
  ITEM2VEC_RETURN_IF_ERROR(WriteTable(&redis, layout.item_prefix, items, o, layout.ttl_seconds));
  ITEM2VEC_RETURN_IF_ERROR(WriteTable(&redis, layout.user_prefix, users, o, layout.ttl_seconds));
  SparrowLayoutReport report;
  ITEM2VEC_RETURN_IF_ERROR(CheckSample(&redis, layout.item_prefix, items, o.sample, &report.keys_checked));
  ITEM2VEC_RETURN_IF_ERROR(CheckSample(&redis, layout.user_prefix, users, o.sample, &report.keys_checked));
  report.items = static_cast<std::int64_t>(items.items.size());
  report.users = static_cast<std::int64_t>(users.items.size());
  report.dim = items.dim;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace item2vec
