// JobResult: the exit code of a train job, written by rank 0 into OUTPUT/job_result.
//
// Contract: scripts must not trust mpirun's exit status alone (Open MPI 4.1's mpirun can
// segfault in PMIx_server_finalize after an abort and exit 139; after a forwarded SIGTERM
// it exits 1 although the ranks saved a checkpoint and exited 75). Rank 0 therefore
// records the job's own outcome: StartJobResult (once the output directory is locked)
// writes "running"; RecordJobResult (on rank 0's return, and in FailJob before the abort)
// writes the exit code on line 1 and the reason on line 2. Each write is atomic
// (AtomicFile). A file that still says "running" means rank 0 was killed (SIGKILL, the OOM
// killer, or mpirun ending it after another rank failed): fall back to mpirun's status.
// Process-wide; not thread-safe (called from rank 0's main thread only).
#pragma once

#include <string>

namespace item2vec {

inline constexpr const char* kJobResultFile = "job_result";

// Makes DIR/job_result the file later RecordJobResult calls write, and writes "running".
void StartJobResult(const std::string& dir);
// Writes CODE and MESSAGE when StartJobResult was called in this process; else nothing.
void RecordJobResult(int code, const std::string& message);

}  // namespace item2vec
