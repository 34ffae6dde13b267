#include "tools/eval/names.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace item2vec {

CsvParser::CsvParser(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool CsvParser::Next(std::vector<std::string>* fields) {
  fields->clear();
  const std::size_t n = text_.size();
  // Skip blank lines.
  for (;;) {
    if (pos_ < n && text_[pos_] == '\n') {
      ++pos_;
      ++line_;
    } else if (pos_ + 1 < n && text_[pos_] == '\r' && text_[pos_ + 1] == '\n') {
      pos_ += 2;
      ++line_;
    } else {
      break;
    }
  }
  if (pos_ >= n) return false;
  record_line_ = line_;
  std::string field;
  for (;;) {
    field.clear();
    if (pos_ < n && text_[pos_] == '"') {
      ++pos_;
      for (;;) {
        if (pos_ >= n) {
          status_ = Status::DataError("line " + std::to_string(record_line_) + ": a quoted field is never closed");
          return false;
        }
        const char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < n && text_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            break;
          }
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
      }
      if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' &&
          !(text_[pos_] == '\r' && (pos_ + 1 == n || text_[pos_ + 1] == '\n'))) {
        status_ = Status::DataError("line " + std::to_string(line_) + ": unexpected '" +
                                    std::string(1, text_[pos_]) + "' after a closing quote");
        return false;
      }
    } else {
      while (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' &&
             !(text_[pos_] == '\r' && (pos_ + 1 == n || text_[pos_ + 1] == '\n')))
        field += text_[pos_++];
    }
    fields->push_back(field);
    if (pos_ >= n) return true;
    if (text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    pos_ += text_[pos_] == '\r' ? 2 : 1;  // "\r\n" or "\n" (a final lone "\r" too)
    ++line_;
    return true;
  }
}

Result<NameMap> ReadNames(const std::string& path, const std::string& columns) {
  const std::size_t comma = columns.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == columns.size() ||
      columns.find(',', comma + 1) != std::string::npos)
    return Status::InvalidArgument("--name-columns must be ID_COLUMN,TITLE_COLUMN such as movieId,title; got '" +
                                   columns + "'");
  const std::string id_name = columns.substr(0, comma), title_name = columns.substr(comma + 1);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open names file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("reading names file '" + path + "' failed");
  const std::string text = ss.str();
  CsvParser csv(text);
  std::vector<std::string> fields;
  if (!csv.Next(&fields)) {
    if (!csv.status().ok()) return csv.status().WithContext("'" + path + "'");
    return Status::DataError("names file '" + path + "' is empty (expected a header row)");
  }
  int id_col = -1, title_col = -1;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] == id_name && id_col < 0) id_col = static_cast<int>(i);
    if (fields[i] == title_name && title_col < 0) title_col = static_cast<int>(i);
  }
  std::string header;
  for (const std::string& f : fields) header += (header.empty() ? "" : ",") + f;
  if (id_col < 0 || title_col < 0)
    return Status::DataError("names file '" + path + "': header '" + header + "' has no column '" +
                             (id_col < 0 ? id_name : title_name) + "' (see --name-columns)");
  const std::size_t need = static_cast<std::size_t>(std::max(id_col, title_col)) + 1;
  NameMap names;
  while (csv.Next(&fields)) {
    if (fields.size() < need)
      return Status::DataError(path + ":" + std::to_string(csv.line()) + ": " + std::to_string(fields.size()) +
                               " field(s), expected at least " + std::to_string(need));
    names.emplace(fields[static_cast<std::size_t>(id_col)], fields[static_cast<std::size_t>(title_col)]);
  }
  if (!csv.status().ok()) return csv.status().WithContext("'" + path + "'");
  return names;
}

}  // namespace item2vec
