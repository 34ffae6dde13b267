// TextLines: the non-blank lines of a small text file (vocab.tsv, eval's test records).
//
// Contract: Next() gives the next line that is not empty once its '\n' and a trailing '\r'
// (a CRLF file) are removed, and line_number() its 1-based number in the file, so errors can
// name it. Next() returns false at the end of the file or on a read error; failed() then
// tells the two apart. Reads through std::ifstream in binary mode; memory: one line. Not
// thread-safe: one reader per thread.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace item2vec {

class TextLines {
 public:
  // False when the file cannot be opened.
  bool Open(const std::string& path) {
    in_.open(path, std::ios::binary);
    line_number_ = 0;
    return static_cast<bool>(in_);
  }
  bool Next(std::string* line) {
    while (std::getline(in_, *line)) {
      ++line_number_;
      if (!line->empty() && line->back() == '\r') line->pop_back();
      if (!line->empty()) return true;
    }
    return false;
  }
  std::int64_t line_number() const { return line_number_; }
  bool failed() const { return in_.bad(); }

 private:
  std::ifstream in_;
  std::int64_t line_number_ = 0;
};

}  // namespace item2vec
