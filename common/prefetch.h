// Software prefetch of a whole row: asks the CPU to start loading `bytes` bytes from `p` into
// cache (one hint per 64-byte line) so that a loop over rows at random addresses (the servers'
// matrices, the push residuals) overlaps the next rows' memory latency with this row's work.
//
// Contract: a hint only; never faults, changes no value, costs a few instructions per line.
#pragma once

#include <cstddef>

namespace item2vec {

inline void PrefetchForRead(const void* p, std::size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (std::size_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off, 0, 3);
}
inline void PrefetchForWrite(const void* p, std::size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (std::size_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off, 1, 3);
}

}  // namespace item2vec
