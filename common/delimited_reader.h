// DelimitedReader: streams the records of one delimited text file (CSV, TSV, "::").
//
// Contract:
// - The delimiter is any non-empty byte string (",", "\t", "::", ";", "|"). When quoting is
//   on, a field that *starts* with the quote byte is quoted (RFC 4180): it may hold the
//   delimiter, newlines, and doubled quotes ("" -> "). Bytes after a closing quote up to
//   the next delimiter are kept as they are (lenient, like Python's csv).
// - Records end at LF or CRLF outside quotes; a CR right before the LF is dropped, one
//   inside quotes is kept. The last record needs no line end. A line holding nothing
//   (or only CR) is reported with blank() true.
// - Bytes are bytes: no decoding, so latin-1 or any non-UTF-8 content passes through. Only
//   a UTF-8 byte-order mark at the very start of the file is skipped.
// - Memory is bounded by the read buffer plus one record. A record still inside a quoted
//   field after kMaxRecordBytes, or at the end of the file, is returned with
//   unterminated_quote() true; a physical line longer than kMaxRecordBytes is returned
//   with too_long() true and the rest of it skipped. Both hold the first bytes read as
//   their only field (for messages); reading goes on after them.
// - Reading may start in the middle of a file (SeekToLineStart): at the first physical line
//   that starts at or after a byte offset, with line numbers counted from there. A record
//   knows the byte offset it starts at, so a caller reading a byte range [begin, end) of a
//   file takes the records whose offset() is below `end` (the last one may run past it).
//   Starting inside a quoted field that holds a line break gives wrong records; the caller
//   detects that by comparing where the previous range's reading stopped (prep_pipeline).
// - Compressed files (.gz, .zst) are decompressed on the fly (common/input_stream.h); their
//   offsets are decompressed bytes, and a corrupt or truncated archive is an error naming
//   the file and the compressed byte offset.
// - Field views stay valid until the next call to Next() with the same record. Not
//   thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/input_stream.h"
#include "common/status.h"

namespace item2vec {

struct DelimitedFormat {
  std::string delimiter = ",";
  bool quoting = true;
  char quote = '"';
};

// One record: its fields as views of its own storage (copies rebuild their views).
class DelimitedRecord {
 public:
  DelimitedRecord() = default;
  DelimitedRecord(const DelimitedRecord& other) { *this = other; }
  DelimitedRecord& operator=(const DelimitedRecord& other);
  const std::vector<std::string_view>& fields() const { return fields_; }
  std::size_t size() const { return fields_.size(); }
  std::string_view operator[](std::size_t i) const { return fields_[i]; }
  // 1-based physical line the record starts on (counted from the seek point, if any).
  std::int64_t line() const { return line_; }
  // Byte offset in the file of the record's first byte (after a byte-order mark).
  std::int64_t offset() const { return offset_; }
  bool blank() const { return blank_; }
  bool unterminated_quote() const { return unterminated_quote_; }
  bool too_long() const { return too_long_; }

 private:
  friend class DelimitedReader;
  void RebuildViews();
  std::vector<std::string_view> fields_;
  std::vector<std::size_t> field_ends_;  // offsets into storage_
  std::string storage_;                  // unquoted field bytes, back to back
  std::int64_t line_ = 0;
  std::int64_t offset_ = 0;
  bool blank_ = false;
  bool unterminated_quote_ = false;
  bool too_long_ = false;
};

class DelimitedReader {
 public:
  static constexpr std::size_t kMaxRecordBytes = 1 << 20;

  DelimitedReader() = default;
  ~DelimitedReader();
  DelimitedReader(const DelimitedReader&) = delete;
  DelimitedReader& operator=(const DelimitedReader&) = delete;

  // kNotFound when the file does not exist, kIOError when it cannot be read.
  Status Open(const std::string& path, DelimitedFormat format, std::size_t buffer_bytes = 1 << 20);
  // The first physical line without its line end (up to kMaxRecordBytes), for detecting the
  // delimiter before the format is known. Call right after Open; does not consume it.
  Result<std::string> PeekFirstLine();
  void set_format(DelimitedFormat format) { format_ = std::move(format); }
  const DelimitedFormat& format() const { return format_; }

  // Reads the next record into *record. *has_record is false at the end of the file.
  // A non-OK status is a read error (the file itself is unusable), never a bad row.
  Status Next(DelimitedRecord* record, bool* has_record);

  // Positions the reader at the first physical line starting at or after byte `begin` (0 =
  // the start of the file; at the end of the file when there is none). Line numbers restart
  // at 1 there. REQUIRES Open() succeeded.
  Status SeekToLineStart(std::int64_t begin);

  // The file offset of the next unread byte: where the next record starts. Also for
  // progress reports.
  std::int64_t bytes_consumed() const { return bytes_consumed_; }
  // Line ends consumed since Open() or the last SeekToLineStart().
  std::int64_t lines_consumed() const { return next_line_ - 1; }
  const std::string& path() const { return path_; }

 private:
  enum class ParseResult { kComplete, kNeedMore };
  // Appends one physical line (with its LF, if any) to raw_; false at end of file.
  bool AppendPhysicalLine();
  bool Refill();
  ParseResult Parse(DelimitedRecord* record) const;

  std::string path_;
  DelimitedFormat format_;
  InputStream stream_;  // plain, or .gz / .zst decompressed on the fly
  std::vector<char> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  Status read_error_;   // why the last refill failed
  std::string raw_;  // the raw bytes of the record being assembled
  bool too_long_ = false;
  std::int64_t next_line_ = 1;
  std::int64_t bytes_consumed_ = 0;
};

// Guesses the delimiter from a file's first line: "::" if present, else tab, comma,
// semicolon, pipe, in that order. Empty when none of them occurs.
std::string DetectDelimiter(std::string_view first_line);

// "\t" for "tab" or "\\t", "::" etc. as given; "auto" stays "auto".
std::string DelimiterFromOption(const std::string& option);

}  // namespace item2vec
