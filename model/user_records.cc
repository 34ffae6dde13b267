#include "model/user_records.h"

#include <cstring>
#include <utility>

namespace item2vec {
namespace {

constexpr std::size_t kBufferBytes = 1 << 16;

}  // namespace

UserRecordReader::UserRecordReader(std::vector<InputFile> files, Kind kind)
    : files_(std::move(files)), kind_(kind), buf_(kBufferBytes) {}

std::string UserRecordReader::Where() const {
  const std::string path = file_ < files_.size() ? files_[file_].path : std::string("end of input");
  return path + ":" + std::to_string(line_);
}

// The next non-blank line of the input into line_text_ (without '\n' and a trailing '\r').
bool UserRecordReader::NextLine() {
  while (file_ < files_.size()) {
    if (!open_) {
      if (Status st = stream_.Open(files_[file_].path); !st.ok()) {
        status_ = std::move(st);
        return false;
      }
      open_ = true;
      line_ = 0;
      pos_ = len_ = 0;
    }
    line_text_.clear();
    bool got_any = false;
    for (;;) {
      if (pos_ == len_) {
        Result<std::size_t> n = stream_.Read(buf_.data(), buf_.size());
        if (!n.ok()) {
          status_ = n.status();
          return false;
        }
        if (*n == 0) break;  // end of this file
        pos_ = 0;
        len_ = *n;
      }
      got_any = true;
      const char* start = buf_.data() + pos_;
      const void* nl = std::memchr(start, '\n', len_ - pos_);
      if (nl == nullptr) {
        line_text_.append(start, len_ - pos_);
        pos_ = len_;
        continue;
      }
      const std::size_t n = static_cast<const char*>(nl) - start;
      line_text_.append(start, n);
      pos_ += n + 1;
      break;
    }
    if (!got_any) {  // the file is done
      stream_.Close();
      open_ = false;
      lines_before_ += line_;
      ++file_;
      continue;
    }
    ++line_;
    if (!line_text_.empty() && line_text_.back() == '\r') line_text_.pop_back();
    if (!line_text_.empty()) return true;
  }
  return false;
}

bool UserRecordReader::Parse(UserRecord* r) {
  if (kind_ == Kind::kEither) kind_ = line_text_.find('\t') != std::string::npos ? Kind::kRecords : Kind::kSequences;
  if (kind_ == Kind::kSequences) {
    user_text_ = std::to_string(lines_before_ + line_);
    *r = UserRecord{user_text_, std::string_view(), line_text_};
    return true;
  }
  const auto bad = [&](const std::string& what) {
    status_ = Status::DataError(Where() + ": " + what +
                                " (expected user<TAB>next_item<TAB>history items separated by spaces)");
    return false;
  };
  std::string_view fields[3];
  int n = 0;
  std::string_view rest(line_text_);
  for (;;) {
    const std::size_t tab = rest.find('\t');
    if (n == 3) return bad("more than 3 tab-separated fields");
    fields[n++] = rest.substr(0, tab);
    if (tab == std::string_view::npos) break;
    rest.remove_prefix(tab + 1);
  }
  if (n < 2) return bad("no tab: only 1 field");
  if (fields[0].empty()) return bad("empty user");
  if (fields[1].empty()) return bad("empty next_item");
  if (fields[1].find(' ') != std::string_view::npos)
    return bad("next_item '" + std::string(fields[1]) + "' contains a space");
  *r = UserRecord{fields[0], fields[1], n == 3 ? fields[2] : std::string_view()};
  return true;
}

bool UserRecordReader::Next(UserRecord* record) {
  if (!status_.ok()) return false;
  return NextLine() && Parse(record);
}

}  // namespace item2vec
