#include "common/process_usage.h"

#include <sys/resource.h>

#include <ctime>

namespace item2vec {

ProcessUsage MeasureProcessUsage() {
  rusage u{};
  ProcessUsage usage;
  if (getrusage(RUSAGE_SELF, &u) != 0) return usage;
  usage.peak_rss_bytes = static_cast<std::int64_t>(u.ru_maxrss) * 1024;  // Linux reports KiB
  usage.cpu_seconds = static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                      1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  return usage;
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace item2vec
