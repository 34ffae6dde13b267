// HugePageVector: a std::vector for large arrays read and written at random rows (the servers'
// matrices), backed by transparent huge pages where the kernel offers them.
//
// Why: a server's rows are scattered over matrices far larger than the CPU's TLB reach with
// 4 KiB pages (2 x 100k x 100 floats = 80 MB against a few MiB), so nearly every row touched
// costs a page walk besides its cache misses. 2 MiB pages cover the same matrices with a few
// dozen TLB entries.
//
// Contract: HugePageAllocator<T> allocates blocks of at least kHugePageBytes aligned to 2 MiB
// and rounded up to whole 2 MiB pages, and advises the kernel (madvise MADV_HUGEPAGE) before the
// vector first touches them, so the first-touch page faults can map huge pages. The advice is a
// hint: with transparent huge pages off ("never") or no huge page free, the memory is ordinary
// 4 KiB pages and everything works the same. Smaller blocks come from operator new. Throws
// std::bad_alloc like std::allocator. Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace item2vec {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePageBytes) return static_cast<T*>(::operator new(bytes));
    const std::size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    void* p = std::aligned_alloc(kHugePageBytes, rounded);
    if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    madvise(p, rounded, MADV_HUGEPAGE);  // a hint: failure leaves 4 KiB pages
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kHugePageBytes) {
      ::operator delete(p);
    } else {
      std::free(p);
    }
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
  template <typename U>
  bool operator!=(const HugePageAllocator<U>&) const { return false; }
};

template <typename T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace item2vec
