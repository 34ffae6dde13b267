// IdCache: one worker's shard as vocabulary ids, written during an epoch read from text and
// replayed by the later epochs, so they parse no text and hash no strings.
//
// Contract:
// - A record is one sentence exactly as the text path produced it: the in-vocabulary ids of
//   one SequenceReader::Next() call in order (before subsampling), how many raw items it
//   had, how it moved the reader's counters (ReaderStats), and the reader position after
//   it. Replaying the records therefore gives the same ids, the same counts and, at any
//   record boundary, the same resumable text position as reading the text: a checkpoint
//   taken while replaying resumes from the text, exactly.
// - The file lives in `dir` under a unique name and is unlinked right after it is created:
//   only this object's descriptor keeps it, so it is gone when the object is destroyed or
//   the process dies however it dies (nothing to clean up, nothing left on a node).
// - Bounded: Append() stops writing (Failed(), with the reason) once the file would pass
//   max_bytes, or on any write error; the caller then keeps reading text. Memory is one
//   fixed buffer of kBufferBytes.
// - Use: Append() every sentence of one whole epoch from the shard's start, FinishWrite(),
//   then Rewind() and Next() until it returns false, once per later epoch.
// Not thread-safe; one per worker.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/sequence_reader.h"
#include "common/status.h"
#include "common/types.h"

namespace item2vec {

// One replayed sentence; `ids` points into the cache's buffer until the next call.
struct CachedSentence {
  const ItemId* ids = nullptr;
  std::uint32_t num_ids = 0;
  std::uint32_t raw_tokens = 0;  // items of the line piece, in or out of the vocabulary
  ReaderStats stats_delta;       // what reading it added to the reader's counters
  ReaderPosition after;          // the reader position right after it
};

// What reading one sentence added to a reader's line counters (a record's stats_delta).
ReaderStats StatsDelta(const ReaderStats& before, const ReaderStats& after);

class IdCache {
 public:
  static constexpr std::size_t kBufferBytes = 1 << 20;

  // Creates the (already unlinked) cache file in `dir`; `label` goes into its name.
  static Result<std::unique_ptr<IdCache>> Create(const std::string& dir, const std::string& label, std::int64_t max_bytes);
  ~IdCache();
  IdCache(const IdCache&) = delete;
  IdCache& operator=(const IdCache&) = delete;

  // Writing. Append() is a no-op once Failed().
  void Append(const ItemId* ids, std::uint32_t num_ids, std::uint32_t raw_tokens, const ReaderStats& stats_delta,
              const ReaderPosition& after);
  // Flushes the records; false (and Failed()) when the cache is unusable.
  bool FinishWrite();
  bool Failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }  // why it stopped writing
  std::int64_t bytes() const { return bytes_; }
  std::int64_t records() const { return records_; }

  // Stops writing for a reason of the caller's (a shard with event weights, which the
  // records do not hold): Failed() from now on, with `why`.
  void Fail(const std::string& why);

  // Replaying (after FinishWrite() returned true).
  void Rewind();
  // False at the end of the records; a read error makes the cache Failed() as well.
  bool Next(CachedSentence* sentence);

 private:
  IdCache(std::FILE* file, std::int64_t max_bytes);
  bool Read(void* into, std::size_t bytes);

  std::FILE* file_;
  std::int64_t max_bytes_;
  std::int64_t bytes_ = 0, records_ = 0;
  std::string failure_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;  // read cursor in buf_ (writing: len_ = bytes buffered)
  std::int64_t read_bytes_ = 0;    // bytes consumed by Next() since Rewind()
  std::vector<ItemId> ids_;
};

}  // namespace item2vec
