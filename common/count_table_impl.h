// The template definitions of common/count_table.h (its contract is there). Not included alone.
#pragma once

#include <sys/mman.h>

#include <new>

namespace item2vec {

template <class T>
PageArray<T>::PageArray(std::size_t n) : n_(n) {
  if (n == 0) return;
  void* p = mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<T*>(p);
}

template <class T>
void PageArray<T>::Free() {
  if (data_ != nullptr) munmap(data_, n_ * sizeof(T));
  data_ = nullptr;
  n_ = 0;
}

template <class H>
std::string_view BasicCountTable<H>::Name(const Entry& e) const {
  const auto* p = reinterpret_cast<const unsigned char*>(arena_[e.block].get() + e.offset);
  std::size_t length = 0;
  for (int shift = 0;; shift += 7) {
    const unsigned char b = *p++;
    length |= static_cast<std::size_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) break;
  }
  return {reinterpret_cast<const char*>(p), length};
}

template <class H>
std::uint32_t BasicCountTable<H>::AddHashed(std::uint64_t hash, std::string_view item, Count n) {
  if (static_cast<double>(size_ + 1) > kMaxLoad * static_cast<double>(index_.size())) Grow();
  const std::size_t mask = index_.size() - 1;
  for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const std::uint32_t number = index_[slot];
    if (number == 0) return Insert(slot, hash, item, n);
    Entry& e = At(number - 1);
    if (e.hash == hash && Name(e) == item) {
      e.count += n;
      return number - 1;
    }
  }
}

template <class H>
const Count* BasicCountTable<H>::Find(std::string_view item) const {
  if (index_.size() == 0) return nullptr;
  const std::uint64_t hash = H()(item);
  const std::size_t mask = index_.size() - 1;
  for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const std::uint32_t number = index_[slot];
    if (number == 0) return nullptr;
    const Entry& e = At(number - 1);
    if (e.hash == hash && Name(e) == item) return &e.count;
  }
}

template <class H>
std::uint32_t BasicCountTable<H>::Insert(std::size_t slot, std::uint64_t hash, std::string_view item, Count n) {
  if (size_ % kEntriesPerBlock == 0) entries_.emplace_back(kEntriesPerBlock);
  At(size_) = WriteName(hash, item, n);
  index_[slot] = static_cast<std::uint32_t>(++size_);
  return static_cast<std::uint32_t>(size_ - 1);
}

// Appends varint(length) and the bytes to the arena; a new block when they do not fit.
template <class H>
typename BasicCountTable<H>::Entry BasicCountTable<H>::WriteName(std::uint64_t hash, std::string_view item, Count n) {
  unsigned char head[10];
  std::size_t head_size = 0;
  for (std::size_t length = item.size();; length >>= 7) {
    head[head_size++] = static_cast<unsigned char>((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
    if (length <= 0x7f) break;
  }
  const std::size_t need = head_size + item.size();
  if (arena_.empty() || arena_used_ + need > arena_capacity_) {
    arena_capacity_ = std::max(kArenaBlock, need);
    arena_.emplace_back(arena_capacity_);
    arena_bytes_ += arena_capacity_;
    arena_used_ = 0;
  }
  char* to = arena_.back().get() + arena_used_;
  std::memcpy(to, head, head_size);
  if (!item.empty()) std::memcpy(to + head_size, item.data(), item.size());
  const Entry e{hash, static_cast<std::uint32_t>(arena_.size() - 1), static_cast<std::uint32_t>(arena_used_), n};
  arena_used_ += need;
  return e;
}

template <class H>
void BasicCountTable<H>::Grow() {
  const std::size_t slots = std::max<std::size_t>(16, index_.size() * 2);
  index_ = PageArray<std::uint32_t>();  // the old index goes first: it is rebuilt from the hashes
  index_ = PageArray<std::uint32_t>(slots);
  for (std::size_t i = 0; i < size_; ++i) Place(At(i).hash, i);
}

template <class H>
void BasicCountTable<H>::Place(std::uint64_t hash, std::size_t entry_number) {
  const std::size_t mask = index_.size() - 1;
  std::size_t slot = hash & mask;
  while (index_[slot] != 0) slot = (slot + 1) & mask;
  index_[slot] = static_cast<std::uint32_t>(entry_number + 1);
}

template <class H>
template <class Take>
void BasicCountTable<H>::Partition(Take take, BasicCountTable* taken) {
  BasicCountTable kept;
  BasicCountTable old = std::move(*this);
  old.index_ = PageArray<std::uint32_t>();
  std::uint32_t block = 0;
  for (std::size_t i = 0; i < old.size_; ++i) {
    const Entry& e = old.At(i);
    for (; block < e.block; ++block) old.arena_[block].reset();  // names before e's are copied
    (take(e.hash) ? taken : &kept)->AddHashed(e.hash, old.Name(e), e.count);
    if ((i + 1) % kEntriesPerBlock == 0) old.entries_[i / kEntriesPerBlock].reset();
  }
  *this = std::move(kept);
}

template <class H>
std::size_t BasicCountTable<H>::bytes() const {
  return entries_.size() * kEntriesPerBlock * sizeof(Entry) + arena_bytes_ + index_.size() * sizeof(std::uint32_t);
}

}  // namespace item2vec
