#include "common/job_result.h"

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

void Write(int code, const std::string& message) {
  std::string one_line = message;
  for (char& c : one_line)
    if (c == '\n') c = ' ';
  (void)WriteFileAtomically(ResultPath(), std::to_string(code) + "\n" + one_line + "\n");
}

}  // namespace

void StartJobResult(const std::string& dir) {
  ResultPath() = dir + "/" + kJobResultFile;
  Started() = true;
  // Best effort: the lock was just taken in the same directory, so this rarely fails, and a
  // missing result only means scripts use mpirun's status as before.
  (void)WriteFileAtomically(ResultPath(), "running\n");
}

void AttachJobResult(const std::string& dir) { ResultPath() = dir + "/" + kJobResultFile; }

void RecordJobResult(int code, const std::string& message) {
  if (Started()) Write(code, message);
}

void RecordJobFailure(int code, const std::string& message) {
  if (!ResultPath().empty()) Write(code, message);
}

}  // namespace item2vec
