// PublishLock: one publisher per prefix, enforced in Redis by the key PREFIX:lock.
//
// Contract:
// - Acquire() sets PREFIX:lock to this process's record (common/output_lock.h's
//   LockHolderRecord: "host H pid P start S since T: publish ...") with SET NX and an
//   expiry of kLockMillis. When another record is there: one naming a process of this
//   host that is gone (a killed publisher) is taken over (WATCH/MULTI, so two takers
//   cannot both win) and described by taken_over(); any other holder fails with
//   InvalidArgument (exit 2) naming it and when the lock expires.
// - KeepAlive() renews the expiry, but only while the key still holds this record (a
//   compare-and-PEXPIRE script), at most once every kRenewMillis: cheap enough to call
//   between batches of commands. It fails when the lock was lost (this process was
//   stopped or cut off for longer than the expiry and another publisher took the prefix,
//   or someone deleted the key): the caller must write nothing more. A publisher that was
//   stopped therefore notices within kRenewMillis of going on.
// - Release() deletes the key if it still holds this record (best effort; it also
//   expires on its own).
// - record() is the value, for callers that WATCH the key and compare it (the flip).
// Borrows the RedisClient (not thread-safe, as RedisClient); one per publish.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"
#include "tools/publish/redis_client.h"

namespace item2vec {

inline constexpr std::int64_t kLockMillis = 60000;   // the lock's expiry
inline constexpr std::int64_t kRenewMillis = 1000;   // the longest KeepAlive waits to renew

inline std::string LockKey(const std::string& prefix) { return prefix + ":lock"; }

class PublishLock {
 public:
  PublishLock(RedisClient* redis, std::string prefix) : redis_(redis), prefix_(std::move(prefix)) {}
  Status Acquire(const std::string& what);
  Status KeepAlive();
  void Release();
  const std::string& record() const { return record_; }
  const std::string& taken_over() const { return taken_over_; }

 private:
  Status Renew();
  using Clock = std::chrono::steady_clock;
  RedisClient* redis_;
  std::string prefix_, record_, taken_over_;
  Clock::time_point renewed_;
  bool held_ = false;
};

}  // namespace item2vec
