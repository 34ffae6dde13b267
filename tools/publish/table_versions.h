// The lookup table's key layout in Redis, and the versions kept under one prefix.
//
// Layout (also in the README, for recommenders that read it):
//   PREFIX:VERSION:i:ITEM   an item's vector (dim little-endian float32, or text)
//   PREFIX:VERSION:u:USER   a user's vector, same encoding
//   PREFIX:VERSION:meta     hash: state (writing|complete), dim, items, users, format,
//                           model, train_hash, created
//   PREFIX:current          the live VERSION (a decimal number)
//   PREFIX:seq              the last VERSION handed out (INCR)
//   PREFIX:lock             the publisher holding the prefix (publish_lock.h), with an expiry
// A version whose meta says "writing" and that is not current is a partial publish that
// failed; the next publish removes it, and so the keys of a version without meta. A
// version is deleted meta last, so an interrupted delete is found and finished by the
// next run.
//
// Contract: functions here run commands on the caller's connection (not thread-safe, as
// RedisClient); a prefix is validated once with ValidatePrefix (no ':', glob characters or
// whitespace, so SCAN patterns need no escaping and no prefix is a key of another).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "tools/publish/redis_client.h"

namespace item2vec {

Status ValidatePrefix(const std::string& prefix);

inline std::string VersionKeyPrefix(const std::string& prefix, std::int64_t version) {
  return prefix + ":" + std::to_string(version) + ":";
}
inline std::string MetaKey(const std::string& prefix, std::int64_t version) {
  return VersionKeyPrefix(prefix, version) + "meta";
}
inline std::string CurrentKey(const std::string& prefix) { return prefix + ":current"; }
inline std::string SeqKey(const std::string& prefix) { return prefix + ":seq"; }

struct TableVersion {
  std::int64_t version = 0;
  std::string state;  // "complete", "writing", or "" when the meta has no state field
};

// Called between pages of a SCAN (e.g. to renew the publish lock); a non-OK status stops it.
using KeepAlive = std::function<Status()>;

// Every version with a meta key under the prefix, by version ascending.
Result<std::vector<TableVersion>> ListVersions(RedisClient* redis, const std::string& prefix,
                                               const KeepAlive& keep_alive = nullptr);

// Versions that have keys under the prefix but no meta key (a publisher that went on
// writing after its version was removed), by version ascending.
Result<std::vector<std::int64_t>> ListVersionsWithoutMeta(RedisClient* redis, const std::string& prefix,
                                                          const KeepAlive& keep_alive = nullptr);

// The live version, or 0 when PREFIX:current is not set.
Result<std::int64_t> CurrentVersion(RedisClient* redis, const std::string& prefix);

// Deletes every key of the version (SCAN + pipelined UNLINK), its meta last. Adds the
// number of keys removed to *deleted.
Status DeleteVersion(RedisClient* redis, const std::string& prefix, std::int64_t version, std::int64_t* deleted,
                     const KeepAlive& keep_alive = nullptr);

}  // namespace item2vec
