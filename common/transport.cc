#include "common/transport.h"

#include <chrono>
#include <thread>

namespace item2vec {

void Backoff::Pause() {
  if (spins_ < 64) {
    ++spins_;
    return;
  }
  std::this_thread::sleep_for(std::chrono::microseconds(sleep_us_));
  if (sleep_us_ < Transport::kMaxSleepMicros) sleep_us_ *= 2;
}

}  // namespace item2vec
