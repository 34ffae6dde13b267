// Deadline waits: poll a Transport until something is ready or a deadline passes.
//
// Contract:
// - WaitUntil calls step() until it returns WaitStep::kDone. After a kIdle round it
//   checks the deadline, then pauses (Backoff: short spin, then sleeps up to
//   Transport::kMaxSleepMicros); a kProgress round resets the backoff and skips the check.
//   A step error ends the wait with that error; a passed deadline ends it with
//   Status::Timeout(timeout_message()), so the message is built only on failure.
// - ProbeUntil waits for a message of `tag` from `source` (probe only; the caller
//   receives it) and fails with "rank <source> <failure> within <N> s", where `failure`
//   says what the peer did not do ("sent no vocabulary counts"). Allocates nothing
//   unless it fails (a string_view; the caller keeps the text alive for the call).
// - Never busy-waits for long, never hangs past the deadline. Not thread-safe: the
//   Transport's one thread calls it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/transport.h"

namespace item2vec {

enum class WaitStep { kIdle, kProgress, kDone };

using WaitClock = std::chrono::steady_clock;

inline WaitClock::time_point DeadlineAfter(double timeout_seconds, WaitClock::time_point start = WaitClock::now()) {
  return start + std::chrono::duration_cast<WaitClock::duration>(std::chrono::duration<double>(timeout_seconds));
}

// Step: () -> Result<WaitStep>; TimeoutMessage: () -> std::string.
template <typename Step, typename TimeoutMessage>
Status WaitUntil(WaitClock::time_point deadline, Step&& step, TimeoutMessage&& timeout_message) {
  Backoff backoff;
  while (true) {
    Result<WaitStep> r = step();
    if (!r.ok()) return r.status();
    switch (*r) {
      case WaitStep::kDone:
        return Status::Ok();
      case WaitStep::kProgress:
        backoff.Reset();
        continue;
      case WaitStep::kIdle:
        break;
    }
    if (WaitClock::now() > deadline) return Status::Timeout(timeout_message());
    backoff.Pause();
  }
}

inline Status ProbeUntil(Transport& t, int source, int tag, double timeout_seconds, std::string_view failure,
                         Envelope* e) {
  return WaitUntil(
      DeadlineAfter(timeout_seconds),
      [&]() -> Result<WaitStep> { return t.Probe(source, tag, e) ? WaitStep::kDone : WaitStep::kIdle; },
      [&] {
        return "rank " + std::to_string(source) + " " + std::string(failure) + " within " +
               std::to_string(static_cast<int>(timeout_seconds)) + " s";
      });
}

}  // namespace item2vec
