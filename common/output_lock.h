// OutputLock: one job per output directory.
//
// Contract: Acquire(dir, what) takes DIR/.item2vec.lock for the life of the object. The
// lock is an flock() on that file (released by the kernel on any exit, SIGKILL included)
// and the file's content names the holder: "host H pid P start S since T: WHAT". A second
// job on the same directory fails at once with Status::InvalidArgument naming the first.
// When flock succeeds but the file still names a holder (a job that died without
// releasing it), the record is judged by host and pid (JudgeLockHolder): on this host the
// lock is stale and taken over with a warning (flock is the truth there: the holder is
// gone, exiting, or its pid now belongs to another process, told apart by start time for
// the message); a holder on another host cannot be checked (flock may not reach across
// hosts) and is refused, with the file to delete if that job is gone. On a file system
// without flock the record alone decides: a live holder on this host (same pid and start
// time) is refused. The destructor (and Release) removes the file while still holding the
// flock, then unlocks; Acquire checks that the file it locked is still the one at the path.
// Not thread-safe; one per process and directory.
#pragma once

#include <string>

#include "common/status.h"

namespace item2vec {

inline constexpr const char* kOutputLockFile = ".item2vec.lock";

class OutputLock {
 public:
  OutputLock() = default;
  ~OutputLock() { Release(); }
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  // REQUIRES: dir exists. `what` describes this job in the message another job prints.
  Status Acquire(const std::string& dir, const std::string& what);
  void Release();
  bool held() const { return fd_ >= 0; }
  // When Acquire took over a stale lock: whom it named (for the log); else "".
  const std::string& taken_over() const { return taken_over_; }

 private:
  int fd_ = -1;
  std::string path_, taken_over_;
};

// The record a lock holder writes: "host H pid P start S since T: WHAT" (this process,
// this host, now). The Redis lock of `item2vec publish` uses the same record.
std::string LockHolderRecord(const std::string& what);

// What a record says of its holder, judged from this host: alive (this host, the same
// process: pid and start time), gone (this host, no such process any more), on another
// host (cannot be checked from here), or unreadable.
enum class LockHolderState { kAlive, kGone, kOtherHost, kUnreadable };
LockHolderState JudgeHolderRecord(const std::string& record);

// Whether the record `holder` of lock file `lock_path` still holds it: an error naming it
// when it does, else OK with *stale saying why it does not ("" for an empty record).
Status JudgeLockHolder(const std::string& lock_path, const std::string& holder, bool flock_works,
                       std::string* stale);

// The start time of process `pid` in clock ticks since boot (/proc/PID/stat field 22),
// or -1 when there is no such process.
long long ProcessStartTicks(int pid);

}  // namespace item2vec
