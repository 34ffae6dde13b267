#include "common/delimited_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>

namespace item2vec {

DelimitedRecord& DelimitedRecord::operator=(const DelimitedRecord& other) {
  if (this == &other) return *this;
  field_ends_ = other.field_ends_;
  storage_ = other.storage_;
  line_ = other.line_;
  offset_ = other.offset_;
  blank_ = other.blank_;
  unterminated_quote_ = other.unterminated_quote_;
  too_long_ = other.too_long_;
  RebuildViews();
  return *this;
}

void DelimitedRecord::RebuildViews() {
  fields_.clear();
  std::size_t begin = 0;
  for (std::size_t end : field_ends_) {
    fields_.emplace_back(storage_.data() + begin, end - begin);
    begin = end;
  }
}

DelimitedReader::~DelimitedReader() = default;

Status DelimitedReader::Open(const std::string& path, DelimitedFormat format, std::size_t buffer_bytes) {
  path_ = path;
  format_ = std::move(format);
  if (Status st = stream_.Open(path); !st.ok()) {
    if (::access(path.c_str(), F_OK) != 0) return Status::NotFound("input file '" + path + "' does not exist");
    return st;
  }
  buffer_.assign(buffer_bytes < 4096 ? 4096 : buffer_bytes, '\0');
  pos_ = end_ = 0;
  eof_ = false;
  read_error_ = Status::Ok();
  next_line_ = 1;
  bytes_consumed_ = 0;
  return Status::Ok();
}

Status DelimitedReader::SeekToLineStart(std::int64_t begin) {
  if (!stream_.is_open()) return Status::Internal("DelimitedReader::SeekToLineStart before Open");
  const std::int64_t from = begin > 0 ? begin - 1 : 0;
  ITEM2VEC_RETURN_IF_ERROR(stream_.Seek(from));
  pos_ = end_ = 0;
  eof_ = false;
  read_error_ = Status::Ok();
  bytes_consumed_ = from;
  raw_.clear();
  too_long_ = false;
  if (begin > 0) {
    // Byte begin-1 is a line end exactly when a line starts at `begin`: skip through the
    // first line end at or after it.
    while (true) {
      if (pos_ == end_ && !Refill()) break;
      const char* at = buffer_.data() + pos_;
      const char* nl = static_cast<const char*>(std::memchr(at, '\n', end_ - pos_));
      const std::size_t take = nl != nullptr ? static_cast<std::size_t>(nl - at) + 1 : end_ - pos_;
      pos_ += take;
      bytes_consumed_ += static_cast<std::int64_t>(take);
      if (nl != nullptr) break;
    }
    if (!read_error_.ok()) return read_error_;
  }
  next_line_ = 1;
  return Status::Ok();
}

bool DelimitedReader::Refill() {
  if (eof_) return false;
  pos_ = 0;
  Result<std::size_t> got = stream_.Read(buffer_.data(), buffer_.size());
  end_ = got.ok() ? *got : 0;
  if (end_ == 0) {
    if (!got.ok()) read_error_ = got.status();
    eof_ = true;
    return false;
  }
  if (bytes_consumed_ == 0 && end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) {
    pos_ = 3;  // a UTF-8 byte-order mark is not part of the first field
    bytes_consumed_ = 3;
  }
  return pos_ < end_ || Refill();
}

Result<std::string> DelimitedReader::PeekFirstLine() {
  if (pos_ == end_ && !Refill()) {
    if (!read_error_.ok()) return read_error_;
    return std::string();
  }
  // The first refill fills the whole buffer when the file is large enough; a first line
  // longer than the buffer is cut, which is enough to see its delimiters.
  const char* begin = buffer_.data() + pos_;
  const char* nl = static_cast<const char*>(std::memchr(begin, '\n', end_ - pos_));
  std::size_t len = nl != nullptr ? static_cast<std::size_t>(nl - begin) : end_ - pos_;
  if (len > 0 && begin[len - 1] == '\r') --len;
  return std::string(begin, len);
}

bool DelimitedReader::AppendPhysicalLine() {
  bool any = false;
  while (true) {
    if (pos_ == end_ && !Refill()) return any;
    any = true;
    const char* begin = buffer_.data() + pos_;
    const std::size_t avail = end_ - pos_;
    const char* nl = static_cast<const char*>(std::memchr(begin, '\n', avail));
    const std::size_t take = nl != nullptr ? static_cast<std::size_t>(nl - begin) + 1 : avail;
    // Past the record limit the rest of the line is skipped, so memory stays bounded. The
    // limit itself is kept (<=): a record that reached exactly kMaxRecordBytes at a buffer
    // boundary (the first line of a file, with the default 1 MiB buffer) and goes on takes
    // one more byte, and so is flagged.
    if (raw_.size() <= kMaxRecordBytes) raw_.append(begin, std::min(take, kMaxRecordBytes + 1 - raw_.size()));
    if (raw_.size() > kMaxRecordBytes) too_long_ = true;
    pos_ += take;
    bytes_consumed_ += static_cast<std::int64_t>(take);
    if (nl != nullptr) {
      ++next_line_;
      return true;
    }
  }
}

DelimitedReader::ParseResult DelimitedReader::Parse(DelimitedRecord* r) const {
  r->storage_.clear();
  r->field_ends_.clear();
  const std::string& raw = raw_;
  const std::size_t n = raw.size();
  const std::string& delim = format_.delimiter;
  const char d0 = delim[0];
  const std::size_t dlen = delim.size();
  const char quote = format_.quote;
  std::size_t pos = 0;
  while (true) {
    // One field per iteration.
    if (format_.quoting && pos < n && raw[pos] == quote) {
      ++pos;
      while (true) {
        if (pos >= n) return ParseResult::kNeedMore;
        const char c = raw[pos];
        if (c == quote) {
          if (pos + 1 < n && raw[pos + 1] == quote) {
            r->storage_.push_back(quote);
            pos += 2;
            continue;
          }
          ++pos;
          break;
        }
        r->storage_.push_back(c);
        ++pos;
      }
    }
    const std::size_t unquoted_start = r->storage_.size();
    while (true) {
      if (pos >= n || raw[pos] == '\n') {
        if (r->storage_.size() > unquoted_start && r->storage_.back() == '\r') r->storage_.pop_back();
        r->field_ends_.push_back(r->storage_.size());
        return ParseResult::kComplete;
      }
      const char c = raw[pos];
      if (c == d0 && (dlen == 1 || raw.compare(pos, dlen, delim) == 0)) {
        pos += dlen;
        break;
      }
      r->storage_.push_back(c);
      ++pos;
    }
    r->field_ends_.push_back(r->storage_.size());
  }
}

Status DelimitedReader::Next(DelimitedRecord* record, bool* has_record) {
  *has_record = false;
  if (!stream_.is_open()) return Status::Internal("DelimitedReader::Next before Open");
  raw_.clear();
  if (pos_ == end_) Refill();  // skips a byte-order mark before the offset is taken
  record->line_ = next_line_;
  record->offset_ = bytes_consumed_;
  record->unterminated_quote_ = false;
  too_long_ = false;
  if (!AppendPhysicalLine()) {
    if (!read_error_.ok()) return read_error_;
    return Status::Ok();
  }
  while (!too_long_ && Parse(record) == ParseResult::kNeedMore) {
    if (!AppendPhysicalLine() || too_long_) {
      if (!read_error_.ok()) return read_error_;
      if (!too_long_) record->unterminated_quote_ = true;
      break;
    }
  }
  record->too_long_ = too_long_;
  if (record->unterminated_quote_ || record->too_long_) {
    // Keep the start of what was read as one field so the caller can show it.
    record->storage_.assign(raw_, 0, std::min<std::size_t>(raw_.size(), 200));
    record->field_ends_.assign(1, record->storage_.size());
  }
  record->RebuildViews();
  record->blank_ = raw_ == "\n" || raw_ == "\r\n" || raw_ == "\r" || raw_.empty();
  *has_record = true;
  return Status::Ok();
}

std::string DetectDelimiter(std::string_view first_line) {
  if (first_line.find("::") != std::string_view::npos) return "::";
  for (const char* candidate : {"\t", ",", ";", "|"})
    if (first_line.find(candidate) != std::string_view::npos) return candidate;
  return "";
}

std::string DelimiterFromOption(const std::string& option) {
  if (option == "tab" || option == "\\t" || option == "tsv") return "\t";
  if (option == "comma" || option == "csv") return ",";
  if (option == "semicolon") return ";";
  if (option == "pipe") return "|";
  return option;
}

}  // namespace item2vec
