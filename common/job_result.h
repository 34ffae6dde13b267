// JobResult: the exit code of a train job, written by rank 0 into OUTPUT/job_result.
//
// Contract: scripts must not trust mpirun's exit status alone (Open MPI 4.1's mpirun can
// segfault in PMIx_server_finalize after an abort and exit 139; after a forwarded SIGTERM
// it exits 1 although the ranks saved a checkpoint and exited 75). The job therefore
// records its own outcome: StartJobResult (rank 0, once the output directory is locked)
// writes "running"; RecordJobResult (on rank 0's return) writes the exit code on line 1
// and the reason on line 2. Every other rank attaches to the same file once the output is
// locked (AttachJobResult) and RecordJobFailure (FailJob, before the abort, on any rank)
// writes the code and reason of the rank that ends the job, so a server or worker that
// ends it is recorded too. The first outcome wins: once the file holds a code, later
// calls (a rank whose peer vanished in the first one's abort) leave it as it is. Each
// write is atomic (AtomicFile). A file that still says
// "running" means the job was killed from outside (SIGKILL, the OOM killer, mpirun ending
// it after a rank died): fall back to mpirun's status. Process-wide; not thread-safe
// (called from a rank's main thread only).
#pragma once

#include <string>

namespace item2vec {

inline constexpr const char* kJobResultFile = "job_result";

// Makes DIR/job_result the file later RecordJobResult calls write, and writes "running".
void StartJobResult(const std::string& dir);
// Makes DIR/job_result the file RecordJobFailure writes, without writing (ranks other than 0).
void AttachJobResult(const std::string& dir);
// Writes CODE and MESSAGE when StartJobResult was called in this process and no outcome
// is recorded yet; else nothing.
void RecordJobResult(int code, const std::string& message);
// Writes CODE and MESSAGE when StartJobResult or AttachJobResult was called and no
// outcome is recorded yet; else nothing.
void RecordJobFailure(int code, const std::string& message);

}  // namespace item2vec
