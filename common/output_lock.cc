#include "common/output_lock.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/units.h"

namespace item2vec {
namespace {

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  if (::lseek(fd, 0, SEEK_SET) < 0) return out;
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\0')) out.pop_back();
  return out;
}

struct Holder {
  std::string host;
  int pid = -1;
  long long start = -1;
};

// "host H pid P start S since T: WHAT"
bool ParseHolder(const std::string& text, Holder* h) {
  std::istringstream in(text);
  std::string k1, k2, k3;
  return static_cast<bool>(in >> k1 >> h->host >> k2 >> h->pid >> k3 >> h->start) && k1 == "host" &&
         k2 == "pid" && k3 == "start";
}

}  // namespace

long long ProcessStartTicks(int pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return -1;
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 1));
  std::string f;
  for (int i = 3; i <= 22; ++i)
    if (!(fields >> f)) return -1;
  try {
    return std::stoll(f);
  } catch (const std::exception&) {
    return -1;
  }
}

std::string LockHolderRecord(const std::string& what) {
  const std::string since = UtcNow();
  return "host " + HostName() + " pid " + std::to_string(::getpid()) + " start " +
         std::to_string(ProcessStartTicks(::getpid())) + " since " + since + ": " + what;
}

LockHolderState JudgeHolderRecord(const std::string& record) {
  Holder h;
  if (!ParseHolder(record, &h)) return LockHolderState::kUnreadable;
  if (h.host != HostName()) return LockHolderState::kOtherHost;
  const bool same_process = h.pid > 0 && h.start >= 0 && ProcessStartTicks(h.pid) == h.start;
  return same_process ? LockHolderState::kAlive : LockHolderState::kGone;
}

Status JudgeLockHolder(const std::string& lock_path, const std::string& holder, bool flock_works,
                       std::string* stale) {
  stale->clear();
  if (holder.empty()) return Status::Ok();
  const std::string dir = lock_path.substr(0, lock_path.rfind('/'));
  const std::string again = "; wait for it to finish, or choose another --output (and --checkpoint-dir)";
  const LockHolderState state = JudgeHolderRecord(holder);
  if (state == LockHolderState::kOtherHost)
    return Status::InvalidArgument("directory '" + dir + "' is in use by another job (" + holder +
                                   "), which cannot be checked from host " + HostName() + again +
                                   "; if that job is gone, delete " + lock_path);
  if (state == LockHolderState::kAlive && !flock_works)
    return Status::InvalidArgument("directory '" + dir + "' is in use by another job (" + holder + ")" + again);
  // Where flock works it is the truth on this host: a holder that does not hold it any
  // more is dead, exiting, or a zombie.
  Holder h;
  ParseHolder(holder, &h);
  *stale = state == LockHolderState::kUnreadable ? "unreadable record '" + holder + "'"
           : state == LockHolderState::kAlive ? "pid " + std::to_string(h.pid) + " no longer holds the lock (" + holder + ")"
                                               : "pid " + std::to_string(h.pid) + " is gone (" + holder + ")";
  return Status::Ok();
}

Status OutputLock::Acquire(const std::string& dir, const std::string& what) {
  Release();
  path_ = dir + "/" + kOutputLockFile;
  taken_over_.clear();
  // Release unlinks the file while holding the flock, so a lock taken on an inode that is
  // no longer at the path is worth nothing: check, and open again.
  int fd = -1;
  bool flock_works = true;
  for (int attempt = 0;; ++attempt) {
    fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Status::IOError("cannot create lock file '" + path_ + "': " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      if (err == EWOULDBLOCK) {
        const std::string holder = ReadAll(fd);
        ::close(fd);
        return Status::InvalidArgument("directory '" + dir + "' is in use by another job (" +
                                       (holder.empty() ? std::string("holder unknown") : holder) +
                                       "); wait for it to finish, or choose another --output (and --checkpoint-dir)");
      }
      // A file system without flock (ENOLCK, EOPNOTSUPP, ...): the record alone decides.
      flock_works = false;
      break;
    }
    struct stat held {}, named {};
    if (::fstat(fd, &held) == 0 && ::stat(path_.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
        held.st_ino == named.st_ino)
      break;
    ::close(fd);
    if (attempt == 100) return Status::IOError("cannot lock '" + path_ + "': it keeps being replaced");
  }
  const std::string previous = ReadAll(fd);
  if (Status st = JudgeLockHolder(path_, previous, flock_works, &taken_over_); !st.ok()) {
    ::close(fd);
    return st;
  }
  const std::string content = LockHolderRecord(what) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, content.data(), content.size(), 0) != static_cast<ssize_t>(content.size())) {
    const int err = errno;
    ::close(fd);
    return Status::IOError("cannot write lock file '" + path_ + "': " + std::strerror(err));
  }
  ::fsync(fd);
  fd_ = fd;
  return Status::Ok();
}

void OutputLock::Release() {
  if (fd_ < 0) return;
  // Removed while still locked: a job that opened this inode meanwhile sees, once it gets
  // the flock, that the path names another file or none, and opens again.
  ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

}  // namespace item2vec
