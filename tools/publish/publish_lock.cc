#include "tools/publish/publish_lock.h"

#include "common/output_lock.h"

namespace item2vec {
namespace {

// KEYS[1] = the lock, ARGV[1] = our record: renew (ARGV[2] ms) or delete only our own lock.
constexpr const char* kRenewScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
constexpr const char* kReleaseScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

}  // namespace

Status PublishLock::Acquire(const std::string& what) {
  record_ = LockHolderRecord(what);
  const std::string key = LockKey(prefix_), ttl = std::to_string(kLockMillis);
  for (int attempt = 0; attempt < 10; ++attempt) {
    Result<RedisReply> set = redis_->Command({"SET", key, record_, "NX", "PX", ttl});
    if (!set.ok()) return set.status().WithContext("taking " + key);
    if (set->type == RedisReply::Type::kStatus) break;  // OK: ours
    // Held: take it over only from a publisher of this host that is gone. WATCH makes the
    // takeover fail if the key changes meanwhile (another taker, a renewal), then retry.
    Result<RedisReply> watch = redis_->Command({"WATCH", key});
    if (!watch.ok()) return watch.status();
    Result<RedisReply> holder = redis_->Command({"GET", key});
    if (!holder.ok()) return holder.status();
    if (holder->type == RedisReply::Type::kNil) {  // expired meanwhile: try SET NX again
      (void)redis_->Command({"UNWATCH"});
      continue;
    }
    const LockHolderState state = JudgeHolderRecord(holder->str);
    if (state != LockHolderState::kGone) {
      (void)redis_->Command({"UNWATCH"});
      Result<RedisReply> pttl = redis_->Command({"PTTL", key});
      const long long left = pttl.ok() ? pttl->integer : -1;
      return Status::InvalidArgument(
          redis_->name() + ": prefix '" + prefix_ + "' is being published by another process (" + holder->str +
          "); one publisher per prefix: wait for it to finish" +
          (left >= 0 ? " (" + key + " expires in " + std::to_string((left + 999) / 1000) +
                           " s unless its holder renews it)"
                     : std::string(" (") + key + " has no expiry: delete it if no publish is running)") +
          (state == LockHolderState::kOtherHost ? "; that host cannot be checked from here" : ""));
    }
    ITEM2VEC_RETURN_IF_ERROR(redis_->Command({"MULTI"}).status());
    ITEM2VEC_RETURN_IF_ERROR(redis_->Command({"SET", key, record_, "PX", ttl}).status());
    Result<RedisReply> exec = redis_->Command({"EXEC"});
    if (!exec.ok()) return exec.status().WithContext("taking over " + key);
    if (exec->type != RedisReply::Type::kArray) continue;  // the key changed: look again
    taken_over_ = holder->str;
    break;
  }
  if (taken_over_.empty()) {
    Result<RedisReply> mine = redis_->Command({"GET", key});
    if (!mine.ok()) return mine.status();
    if (mine->str != record_) return Status::IOError(redis_->name() + ": cannot take " + key + ": it keeps changing");
  }
  held_ = true;
  renewed_ = Clock::now();
  return Status::Ok();
}

Status PublishLock::Renew() {
  const std::string key = LockKey(prefix_);
  Result<RedisReply> r = redis_->Command({"EVAL", kRenewScript, "1", key, record_, std::to_string(kLockMillis)});
  if (!r.ok()) return r.status().WithContext("renewing " + key);
  if (r->integer != 1) {
    held_ = false;
    return Status::IOError(redis_->name() + ": this publish lost " + key +
                           " (it was deleted, or it expired while this process was stopped or cut off for longer than " +
                           std::to_string(kLockMillis / 1000) + " s, and another publisher may hold the prefix); "
                           "it stops here without making its version live: run it again");
  }
  renewed_ = Clock::now();
  return Status::Ok();
}

Status PublishLock::KeepAlive() {
  if (!held_) return Status::Internal("PublishLock::KeepAlive without the lock");
  if (Clock::now() - renewed_ < std::chrono::milliseconds(kRenewMillis)) return Status::Ok();
  return Renew();
}

void PublishLock::Release() {
  if (!held_) return;
  held_ = false;
  (void)redis_->Command({"EVAL", kReleaseScript, "1", LockKey(prefix_), record_});
}

}  // namespace item2vec
