// SequenceReader: streams the sequences (lines of whitespace-separated items) of a shard.
//
// Contract:
// - Reads the given FileRanges in order through one fixed buffer: memory is bounded by
//   the buffer plus one sentence (max_sentence items of at most kMaxItemBytes bytes),
//   whatever the file or line sizes.
// - A line of more than max_sentence items is returned in pieces of max_sentence items
//   (word2vec.c does the same at 1000); pieces are counted in stats().split_lines.
//   Items longer than kMaxItemBytes bytes are skipped whole, never cut (cut, distinct
//   long items sharing their first bytes would become one item), and counted in
//   stats().long_items; long_item_example() describes the first one.
// - A plain file that ends before the byte its range ends at (it shrank since it was
//   listed) fails with kDataError naming it; a file that vanished, with kNotFound
//   (input_stream.h): the job was planned on the bytes listed, so it must not finish on
//   fewer in silence.
// - Items are raw bytes: any byte other than space, \t, \n, \v, \f, \r is part of an
//   item, so non-UTF-8 input is accepted as is. Empty lines are skipped.
// - The string_views handed out stay valid until the next call to Next() or Rewind().
// - Position()/Seek() expose a resumable cursor (range index, byte offset of the next line,
//   or of the next piece of a split line) for checkpoints: Seek(Position()) followed by
//   Next() returns exactly what Next() would have returned. Not thread-safe; one reader per worker.
// - Compressed files (.gz, .zst; common/input_stream.h) are read streamed; their offsets
//   are decompressed bytes, so positions and resumes work as in plain files (a resume
//   inside a compressed file decompresses up to its position once). ShardRanges gives
//   such a file whole to one shard.
// - Event weights (common/weighted_token.h): a token ITEM*W is returned as ITEM, and
//   weights() then holds one weight per returned item (1 for the plain ones); it is empty
//   for a line (piece) without any weighted token, so unweighted input costs a memchr per
//   item. A token with a weight out of (0, 1e6] fails the read (kDataError, where and what).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/input_files.h"
#include "common/input_stream.h"
#include "common/status.h"

namespace item2vec {

struct ReaderStats {
  std::int64_t lines = 0;           // non-empty lines started
  std::int64_t tokens = 0;          // items returned
  std::int64_t split_lines = 0;     // lines that were longer than max_sentence
  std::int64_t long_items = 0;      // items longer than kMaxItemBytes, skipped

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) { ar& lines; ar& tokens; ar& split_lines; ar& long_items; }
};

struct ReaderPosition {
  std::size_t range = 0;
  std::int64_t offset = 0;  // byte offset in that range's file of the next line start
  bool mid_line = false;    // offset is inside a line split by max_sentence: the next
                            // piece of that line starts there

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) { ar& range; ar& offset; ar& mid_line; }
  bool operator==(const ReaderPosition& o) const { return range == o.range && offset == o.offset && mid_line == o.mid_line; }
};

class SequenceReader {
 public:
  static constexpr std::size_t kMaxItemBytes = 4096;
  static constexpr std::size_t kBufferBytes = 1 << 20;

  SequenceReader(std::vector<InputFile> files, std::vector<FileRange> ranges,
                 std::int64_t max_sentence);
  ~SequenceReader();
  SequenceReader(const SequenceReader&) = delete;
  SequenceReader& operator=(const SequenceReader&) = delete;

  // Fills *items with the next sentence. Returns false at the end of the shard or on
  // error; check status() to tell which.
  bool Next(std::vector<std::string_view>* items);
  const Status& status() const { return status_; }
  // The weights of the items of the last Next() (see the contract); empty = all 1.
  const std::vector<float>& weights() const { return weights_; }
  // Starts the shard again (next epoch). Stats keep accumulating.
  void Rewind() { Seek(StartPosition()); }
  // Where the shard starts (Rewind() goes there).
  ReaderPosition StartPosition() const { return ReaderPosition{0, ranges_.empty() ? 0 : ranges_[0].begin, false}; }
  // Continues at a position previously returned by Position(), taken between lines.
  void Seek(const ReaderPosition& position);
  ReaderPosition Position() const {
    return mid_line_ ? ReaderPosition{range_, file_offset_, true} : ReaderPosition{range_, line_start_, false};
  }
  const ReaderStats& stats() const { return stats_; }
  // Restores the counters of a checkpointed reader (with Seek, resumes it exactly).
  void RestoreStats(const ReaderStats& stats) { stats_ = stats; }
  // Location of the line most recently started, for error messages: "path:line" is not
  // known for a mid-file shard, so this is "path at byte N".
  std::string Where() const;
  // The first item skipped for its length: its first 40 bytes (escaped), its length and
  // where it is; "" when there was none.
  const std::string& long_item_example() const { return long_item_example_; }

 private:
  bool SplitWeights(std::vector<std::string_view>* items);
  void NoteLongItem(std::size_t item_begin, std::int64_t bytes, std::int64_t offset);
  bool OpenRange();
  bool Fill();  // reads more bytes; false on EOF or error
  int Peek();   // next byte or -1 at end of file

  std::vector<InputFile> files_;
  std::vector<FileRange> ranges_;
  std::int64_t max_sentence_;
  std::size_t range_ = 0;
  InputStream stream_;
  bool range_open_ = false;
  bool mid_line_ = false;          // a split line continues in the next call
  bool resume_mid_line_ = false;   // Seek to a mid-line position: open without skipping
  std::int64_t line_start_ = 0;    // file offset of the line being read / next line
  std::int64_t file_offset_ = 0;   // file offset of buf_[pos_]
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  std::string arena_;
  std::vector<std::pair<std::size_t, std::size_t>> spans_;
  ReaderStats stats_;
  std::vector<float> weights_;
  std::string long_item_example_;
  Status status_;
};

}  // namespace item2vec
