#include "model/names.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "common/column_spec.h"
#include "common/delimited_reader.h"
#include "common/utf8.h"

namespace item2vec {

Result<NameMap> ReadNames(const std::string& path, const NameFileOptions& o) {
  const std::size_t comma = o.columns.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == o.columns.size() ||
      o.columns.find(',', comma + 1) != std::string::npos)
    return Status::InvalidArgument("--name-columns must be ID_COLUMN,TITLE_COLUMN (header names or 1-based "
                                   "positions) such as movieId,title or 1,2; got '" + o.columns + "'");
  Result<ColumnSpec> id_spec = ParseColumnSpec(o.columns.substr(0, comma), "--name-columns");
  if (!id_spec.ok()) return id_spec.status();
  Result<ColumnSpec> title_spec = ParseColumnSpec(o.columns.substr(comma + 1), "--name-columns");
  if (!title_spec.ok()) return title_spec.status();
  const bool by_name = id_spec->by_name() || title_spec->by_name();
  bool header;
  if (o.header == "yes" || o.header == "true") header = true;
  else if (o.header == "no" || o.header == "false") header = false;
  else if (o.header == "auto") header = by_name;
  else return Status::InvalidArgument("--name-header must be auto, yes or no; got '" + o.header + "'");
  if (by_name && !header)
    return Status::InvalidArgument("--name-columns gives a column by name but --name-header is no; give 1-based "
                                   "positions (e.g. 1,2 for ml-100k's u.item)");
  if (o.encoding != "auto" && o.encoding != "utf-8" && o.encoding != "latin-1")
    return Status::InvalidArgument("--name-encoding must be auto, utf-8 or latin-1; got '" + o.encoding + "'");
  DelimitedFormat format;
  if (o.quote == "none" || o.quote.empty()) format.quoting = false;
  else if (o.quote.size() == 1) format.quote = o.quote[0];
  else return Status::InvalidArgument("--name-quote must be one character or none, got '" + o.quote + "'");

  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Status::DataError("names file '" + path + "' is a directory: give the file of ids and titles");
  DelimitedReader reader;
  if (Status st = reader.Open(path, format); !st.ok()) {
    if (st.code() == Status::Code::kNotFound) return Status::NotFound("cannot open names file '" + path + "'");
    return st.WithContext("names file");
  }
  if (o.delimiter == "auto") {
    Result<std::string> first = reader.PeekFirstLine();
    if (!first.ok()) return first.status().WithContext("names file '" + path + "'");
    format.delimiter = DetectDelimiter(*first);
    if (format.delimiter.empty()) format.delimiter = ",";  // one column per line: reported below
  } else {
    format.delimiter = DelimiterFromOption(o.delimiter);
    if (format.delimiter.empty()) return Status::InvalidArgument("--name-delimiter must not be empty");
  }
  if (format.quoting && format.delimiter.find(format.quote) != std::string::npos)
    return Status::InvalidArgument("--name-quote '" + o.quote + "' also appears in the delimiter");
  reader.set_format(format);

  int id_col = id_spec->position, title_col = title_spec->position;
  NameMap names;
  DelimitedRecord rec;
  bool has = false, first = true;
  bool any_invalid_utf8 = false;
  std::vector<std::pair<std::string, std::string>> rows;  // converted at the end, once the encoding is known
  for (;;) {
    if (Status st = reader.Next(&rec, &has); !st.ok()) return st.WithContext("names file '" + path + "'");
    if (!has) break;
    if (rec.blank()) continue;
    const std::string where = path + ":" + std::to_string(rec.line());
    if (rec.unterminated_quote()) return Status::DataError(where + ": a quoted field is never closed (--name-quote none?)");
    if (rec.too_long()) return Status::DataError(where + ": line longer than 1 MiB");
    if (first && header) {
      first = false;
      std::string listed;
      for (std::size_t i = 0; i < rec.size(); ++i) {
        const std::string_view f = TrimSpaces(rec[i]);
        listed += (listed.empty() ? "" : format.delimiter) + std::string(f);
        if (id_spec->by_name() && id_col < 0 && f == id_spec->text) id_col = static_cast<int>(i);
        if (title_spec->by_name() && title_col < 0 && f == title_spec->text) title_col = static_cast<int>(i);
      }
      if (id_col < 0 || title_col < 0)
        return Status::DataError("names file '" + path + "': header '" + listed.substr(0, 200) + "' has no column '" +
                                 (id_col < 0 ? id_spec->text : title_spec->text) +
                                 "' (see --name-columns; for a file without a header give positions and "
                                 "--name-header no)");
      continue;
    }
    first = false;
    const std::size_t need = static_cast<std::size_t>(std::max(id_col, title_col)) + 1;
    if (rec.size() < need)
      return Status::DataError(where + ": " + std::to_string(rec.size()) + " field(s) split by '" + format.delimiter +
                               "', expected at least " + std::to_string(need) + " (see --name-delimiter)");
    std::string title(rec[static_cast<std::size_t>(title_col)]);
    if (!any_invalid_utf8 && !IsValidUtf8(title)) any_invalid_utf8 = true;
    rows.emplace_back(std::string(TrimSpaces(rec[static_cast<std::size_t>(id_col)])), std::move(title));
  }
  if (first) return Status::DataError("names file '" + path + "' is empty");
  const bool latin1 = o.encoding == "latin-1" || (o.encoding == "auto" && any_invalid_utf8);
  for (auto& [id, title] : rows) names.emplace(std::move(id), latin1 ? Latin1ToUtf8(title) : std::move(title));
  return names;
}

}  // namespace item2vec
