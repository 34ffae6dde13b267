#include "common/sequence_reader.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

#include "common/weighted_token.h"

namespace item2vec {
namespace {

inline bool IsSpace(int c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

SequenceReader::SequenceReader(std::vector<InputFile> files, std::vector<FileRange> ranges,
                               std::int64_t max_sentence)
    : files_(std::move(files)), ranges_(std::move(ranges)), max_sentence_(max_sentence),
      buf_(kBufferBytes) {
  arena_.reserve(1 << 16);
  Rewind();
}

SequenceReader::~SequenceReader() = default;

void SequenceReader::Seek(const ReaderPosition& position) {
  stream_.Close();
  range_ = position.range;
  line_start_ = position.offset;
  range_open_ = false;
  mid_line_ = position.mid_line;
  resume_mid_line_ = position.mid_line;
  pos_ = len_ = 0;
}

void SequenceReader::NoteLongItem(std::size_t item_begin, std::int64_t bytes, std::int64_t offset) {
  ++stats_.long_items;
  if (!long_item_example_.empty()) return;
  for (std::size_t i = item_begin; i < item_begin + 40 && i < arena_.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(arena_[i]);
    char buf[8];
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      long_item_example_ += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      long_item_example_ += buf;
    }
  }
  long_item_example_ += "... (" + std::to_string(bytes) + " bytes) in '" + files_[ranges_[range_].file_index].path +
                        "' at byte " + std::to_string(offset);
}

std::string SequenceReader::Where() const {
  if (range_ >= ranges_.size()) return "end of shard";
  return "'" + files_[ranges_[range_].file_index].path + "' at byte " + std::to_string(line_start_);
}

bool SequenceReader::OpenRange() {
  const FileRange& r = ranges_[range_];
  const std::string& path = files_[r.file_index].path;
  // Opening a compressed file decompresses from its start (input_stream.h).
  if (Status st = stream_.Open(path); !st.ok()) {
    status_ = std::move(st);
    return false;
  }
  // A range that does not start at the file's beginning (and a resume position that is
  // the range's own begin) owns only lines starting at or after `line_start_`: skip the
  // tail of the line that straddles it, unless the previous byte ends a line.
  std::int64_t start = line_start_;
  const bool mid_line = resume_mid_line_;
  resume_mid_line_ = false;
  if (start == r.begin && start > 0 && !mid_line) {
    file_offset_ = start - 1;
    if (Status st = stream_.Seek(file_offset_); !st.ok()) {
      status_ = std::move(st);
      return false;
    }
    pos_ = len_ = 0;
    int c;
    while ((c = Peek()) >= 0) {
      ++pos_;
      ++file_offset_;
      if (c == '\n') break;
    }
    if (!status_.ok()) return false;
    line_start_ = file_offset_;
  } else {
    file_offset_ = start;
    if (Status st = stream_.Seek(file_offset_); !st.ok()) {
      status_ = std::move(st);
      return false;
    }
    pos_ = len_ = 0;
  }
  range_open_ = true;
  return true;
}

bool SequenceReader::Fill() {
  Result<std::size_t> n = stream_.Read(buf_.data(), buf_.size());
  if (!n.ok()) {
    status_ = n.status();
    return false;
  }
  if (*n == 0) return false;
  pos_ = 0;
  len_ = *n;
  return true;
}

inline int SequenceReader::Peek() {
  if (pos_ == len_ && !Fill()) return -1;
  return static_cast<unsigned char>(buf_[pos_]);
}

// Weighted tokens (ITEM*W, common/weighted_token.h) become their item; weights_ gets one
// weight per item once the line has a weighted one (empty for a line without any).
bool SequenceReader::SplitWeights(std::vector<std::string_view>* items) {
  bool weighted = false;  // weights_ is in use (a weighted token came)
  for (std::size_t k = 0; k < items->size(); ++k) {
    std::string_view& token = (*items)[k];
    if (std::memchr(token.data(), '*', token.size()) == nullptr) {
      if (weighted) weights_.push_back(1.0f);
      continue;
    }
    std::string_view item;
    double weight;
    const TokenWeight kind = SplitWeightedToken(token, &item, &weight);
    if (kind == TokenWeight::kBad) {
      status_ = Status::DataError(Where() + ": " + BadWeightMessage(token));
      return false;
    }
    if (kind == TokenWeight::kWeighted && !weighted) {
      weights_.assign(k, 1.0f);
      weighted = true;
    }
    if (weighted) weights_.push_back(static_cast<float>(weight));
    token = item;
  }
  return true;
}

bool SequenceReader::Next(std::vector<std::string_view>* items) {
  items->clear();
  weights_.clear();
  arena_.clear();
  spans_.clear();
  if (!status_.ok()) return false;
  while (range_ < ranges_.size()) {
    if (!range_open_ && !OpenRange()) return false;
    const FileRange& r = ranges_[range_];
    if (!mid_line_) {
      // Skip blank space and empty lines. A line belongs to the range its first byte
      // (the byte after the previous newline) falls in, not its first item.
      std::int64_t first_byte = file_offset_;
      int c;
      while ((c = Peek()) >= 0 && IsSpace(c)) {
        ++pos_;
        ++file_offset_;
        if (c == '\n') first_byte = file_offset_;
      }
      if (!status_.ok()) return false;
      line_start_ = first_byte;
      const InputFile& file = files_[r.file_index];
      if (c < 0 && r.end != kWholeFile && file_offset_ < std::min(r.end, file.size)) {
        status_ = Status::DataError("input file '" + file.path + "' shrank while being read: it ends at byte " +
                                    std::to_string(file_offset_) + ", but it was " + std::to_string(file.size) +
                                    " bytes when the job listed it and planned its shards and learning rate on "
                                    "them; leave the input alone while a job reads it, and rerun");
        return false;
      }
      if (c < 0 || line_start_ >= r.end) {
        // End of this range.
        stream_.Close();
        range_open_ = false;
        ++range_;
        if (range_ < ranges_.size()) line_start_ = ranges_[range_].begin;
        continue;
      }
      ++stats_.lines;
    }
    const bool continued = mid_line_;  // this call returns a later piece of a split line
    mid_line_ = false;
    // Read items until end of line, end of file, or max_sentence items.
    while (true) {
      int c;
      while ((c = Peek()) >= 0 && IsSpace(c) && c != '\n') {
        ++pos_;
        ++file_offset_;
      }
      if (!status_.ok()) return false;
      if (c < 0 || c == '\n') {
        // The line is complete: step over its newline so that Position() names the start
        // of the next line, not the line just returned.
        if (c == '\n') {
          ++pos_;
          ++file_offset_;
        }
        line_start_ = file_offset_;
        break;
      }
      if (static_cast<std::int64_t>(spans_.size()) == max_sentence_) {
        mid_line_ = true;
        if (!continued) ++stats_.split_lines;  // once per line, not once per extra piece
        break;
      }
      const std::size_t item_begin = arena_.size();
      const std::int64_t item_offset = file_offset_;
      std::size_t item_len = 0;
      std::int64_t item_bytes = 0;  // all of it, also beyond what the arena keeps
      while (true) {
        if (pos_ == len_ && !Fill()) break;
        // Scan the buffered run of item bytes in one go.
        std::size_t run = pos_;
        while (run < len_ && !IsSpace(static_cast<unsigned char>(buf_[run]))) ++run;
        const std::size_t take = std::min(run - pos_, kMaxItemBytes - item_len);
        arena_.append(buf_.data() + pos_, take);
        item_len += take;
        item_bytes += static_cast<std::int64_t>(run - pos_);
        file_offset_ += static_cast<std::int64_t>(run - pos_);
        pos_ = run;
        if (run < len_) break;
      }
      if (!status_.ok()) return false;
      if (item_bytes > static_cast<std::int64_t>(kMaxItemBytes)) {  // skipped whole, never cut
        NoteLongItem(item_begin, item_bytes, item_offset);
        arena_.resize(item_begin);
        continue;
      }
      spans_.emplace_back(item_begin, item_len);
    }
    if (!spans_.empty()) {
      items->reserve(spans_.size());
      for (const auto& [b, n] : spans_) items->emplace_back(arena_.data() + b, n);
      if (!SplitWeights(items)) return false;
      stats_.tokens += static_cast<std::int64_t>(spans_.size());
      return true;
    }
  }
  return false;
}

}  // namespace item2vec
