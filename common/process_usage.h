// ProcessUsage: what this process has used so far (peak resident memory, CPU time), as
// getrusage reports it, for the memory-per-rank table of train.json and the run report.
//
// Contract: MeasureProcessUsage never fails (a failed getrusage gives zeros). The peak is
// the process's own high-water mark (ru_maxrss), not its children's (a server's forked
// checkpoint writer is not counted). ThreadCpuSeconds is the calling thread's own CPU time
// (what a core of its own would take, where ranks share cores). Thread-safe.
#pragma once

#include <cstdint>

namespace item2vec {

struct ProcessUsage {
  std::int64_t peak_rss_bytes = 0;  // high-water mark of resident memory
  double cpu_seconds = 0;           // user + system CPU of every thread so far
};

ProcessUsage MeasureProcessUsage();

// User + system CPU seconds of the calling thread so far.
double ThreadCpuSeconds();

}  // namespace item2vec
