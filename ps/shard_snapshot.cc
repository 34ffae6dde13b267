#include "ps/shard_snapshot.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "common/serialize.h"
#include "ps/shard_checkpoint.h"

namespace item2vec {
namespace {

CheckpointSaved SaveNow(const ShardStore& store, std::size_t vocab_size, const std::string& path,
                        std::uint64_t sequence, int rank) {
  CheckpointSaved saved;
  saved.sequence = sequence;
  saved.rank = rank;
  Result<CheckpointFileEntry> file = SaveShard(store, vocab_size, path);
  if (file.ok()) {
    saved.file = file.value();
  } else {
    saved.code = static_cast<int>(file.status().code());
    saved.message = file.status().message();
  }
  return saved;
}

}  // namespace

ShardSnapshot::~ShardSnapshot() { Abort(); }

void ShardSnapshot::Start(const ShardStore& store, std::size_t vocab_size, const std::string& checkpoint_path,
                          std::uint64_t sequence, int rank) {
  sequence_ = sequence;
  rank_ = rank;
  busy_ = true;
  have_result_ = false;
  int fds[2];
  if (::pipe(fds) == 0) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      const std::string bytes = ToBytes(SaveNow(store, vocab_size, checkpoint_path, sequence, rank));
      std::size_t off = 0;
      while (off < bytes.size()) {
        const ssize_t n = ::write(fds[1], bytes.data() + off, bytes.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
      }
      ::_exit(off == bytes.size() ? 0 : 1);
    }
    ::close(fds[1]);
    if (pid > 0) {
      child_ = pid;
      pipe_fd_ = fds[0];
      return;
    }
    ::close(fds[0]);
  }
  // No fork: save here and now.
  result_ = SaveNow(store, vocab_size, checkpoint_path, sequence, rank);
  have_result_ = true;
}

void ShardSnapshot::Finish(int wait_status, CheckpointSaved* out) {
  std::string bytes;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(pipe_fd_, buf, sizeof buf);
    if (n > 0) {
      bytes.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(pipe_fd_);
  pipe_fd_ = -1;
  child_ = -1;
  busy_ = false;
  *out = CheckpointSaved{};
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0 && FromBytes(bytes, out).ok()) return;
  out->sequence = sequence_;
  out->rank = rank_;
  out->code = static_cast<int>(Status::Code::kIOError);
  out->message = WIFSIGNALED(wait_status)
                     ? "the process writing server-" + std::to_string(rank_) + "'s checkpoint was killed by signal " +
                           std::to_string(WTERMSIG(wait_status))
                     : "the process writing this server's checkpoint failed";
}

bool ShardSnapshot::Poll(CheckpointSaved* out) {
  if (!busy_) return false;
  if (have_result_) {
    *out = result_;
    busy_ = have_result_ = false;
    return true;
  }
  int status = 0;
  const pid_t r = ::waitpid(child_, &status, WNOHANG);
  if (r == 0) return false;
  if (r < 0) status = 1 << 8;  // reaped elsewhere or gone: report a failure
  Finish(status, out);
  return true;
}

void ShardSnapshot::Wait(CheckpointSaved* out) {
  if (!busy_) return;
  if (have_result_) {
    Poll(out);
    return;
  }
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(child_, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) status = 1 << 8;
  Finish(status, out);
}

void ShardSnapshot::Abort() {
  if (!busy_) return;
  if (child_ > 0) {
    ::kill(child_, SIGKILL);
    CheckpointSaved ignored;
    Wait(&ignored);
  }
  busy_ = have_result_ = false;
}

}  // namespace item2vec
