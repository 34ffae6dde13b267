#include "common/job_result.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>

#include "common/atomic_file.h"

namespace item2vec {
namespace {

std::string& ResultPath() {
  static std::string path;
  return path;
}

bool& Started() {  // by StartJobResult (rank 0), not only attached
  static bool started = false;
  return started;
}

std::string DirectoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// Whether the file still says "running" (or is missing: StartJobResult is best effort).
bool StillRunning(const std::string& path) {
  std::ifstream in(path);
  std::string first_line;
  return !in || !std::getline(in, first_line) || first_line == "running";
}

// Writes CODE and MESSAGE unless an outcome is already recorded: the first rank to end
// the job names the cause; a rank that fails after it (its peer vanished when the first
// one aborted) must not replace that with its own, later, error. A flock on the directory
// makes check-and-write one step among the ranks of a host (best effort: without flock,
// on some network file systems, the window is the few microseconds between the two).
void WriteFirstOutcome(int code, const std::string& message) {
  std::string one_line = message;
  for (char& c : one_line)
    if (c == '\n') c = ' ';
  const int dir_fd = ::open(DirectoryOf(ResultPath()).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) (void)::flock(dir_fd, LOCK_EX);
  if (StillRunning(ResultPath()))
    (void)WriteFileAtomically(ResultPath(), std::to_string(code) + "\n" + one_line + "\n");
  if (dir_fd >= 0) ::close(dir_fd);  // releases the flock
}

}  // namespace

void StartJobResult(const std::string& dir) {
  ResultPath() = dir + "/" + kJobResultFile;
  Started() = true;
  // Best effort: the lock was just taken in the same directory, so this rarely fails, and a
  // missing result only means scripts use mpirun's status as before.
  // An earlier run's outcome must not stand for this one: without "running" there is no file.
  if (!WriteFileAtomically(ResultPath(), "running\n").ok()) (void)::unlink(ResultPath().c_str());
}

void AttachJobResult(const std::string& dir) {
  ResultPath() = dir + "/" + kJobResultFile;
  Started() = false;
}

void RecordJobResult(int code, const std::string& message) {
  if (Started()) WriteFirstOutcome(code, message);
}

void RecordJobFailure(int code, const std::string& message) {
  if (!ResultPath().empty()) WriteFirstOutcome(code, message);
}

}  // namespace item2vec
