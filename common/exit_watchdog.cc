#include "common/exit_watchdog.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>

namespace item2vec {
namespace {

std::atomic<bool> g_armed{false};
volatile sig_atomic_t g_alarm_code = 1;

void ExitOnAlarm(int) { _exit(g_alarm_code); }

// The fallback when no thread can start: SIGALRM, unblocked here, ends the process.
void ArmAlarm(int exit_code, double seconds) {
  g_alarm_code = exit_code;
  struct sigaction sa = {};
  sa.sa_handler = ExitOnAlarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGALRM);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  alarm(static_cast<unsigned>(std::max(1.0, std::ceil(seconds))));
}

}  // namespace

double AbortGraceSeconds() {
  const char* v = std::getenv("ITEM2VEC_ABORT_GRACE_SECONDS");
  if (v == nullptr || *v == '\0') return kDefaultAbortGraceSeconds;
  char* end = nullptr;
  const double s = std::strtod(v, &end);
  return (end != v && *end == '\0' && s > 0) ? s : kDefaultAbortGraceSeconds;
}

void ArmExitWatchdog(int exit_code, double seconds) {
  if (g_armed.exchange(true)) return;
  try {
    std::thread([exit_code, seconds] {
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      std::_Exit(exit_code);
    }).detach();
  } catch (...) {
    ArmAlarm(exit_code, seconds);
  }
}

}  // namespace item2vec
