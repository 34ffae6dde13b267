#include "common/side_info.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <unordered_map>

#include "common/column_spec.h"
#include "common/delimited_reader.h"

namespace item2vec {
namespace {

struct Row {
  std::int64_t line;
  std::vector<std::string> fields;
};

std::string Where(const std::string& path, std::int64_t line) {
  return "side-info file '" + path + "' line " + std::to_string(line);
}

bool ParseNumber(const std::string& s, double* out) {
  const std::string_view t = TrimSpaces(s);
  if (t.empty()) return false;
  const std::string copy(t);
  char* end = nullptr;
  const double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// The header and every data row; errors for rows that do not match the header.
Result<std::vector<Row>> ReadRows(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Status::DataError("side-info file '" + path + "' is a directory: give the items' attribute table");
  DelimitedReader reader;
  if (Status st = reader.Open(path, DelimitedFormat{}); !st.ok()) {
    if (st.code() == Status::Code::kNotFound)
      return Status::NotFound("cannot open side-info file '" + path + "' (--side-info)");
    return st.WithContext("side-info file '" + path + "'");
  }
  Result<std::string> first = reader.PeekFirstLine();
  if (!first.ok()) return first.status().WithContext("side-info file '" + path + "'");
  if (TrimSpaces(*first).empty())
    return Status::DataError("side-info file '" + path + "' is empty: it needs a header row naming the item column "
                             "and the attribute columns");
  DelimitedFormat format;
  format.delimiter = DetectDelimiter(*first);
  if (format.delimiter.empty() || format.delimiter == "|")
    return Status::DataError(Where(path, 1) + ": the header has one column; the file needs a header row naming "
                             "the item column and at least one attribute column, separated by tabs or commas");
  reader.set_format(format);
  std::vector<Row> rows;
  DelimitedRecord rec;
  for (;;) {
    bool has = false;
    ITEM2VEC_RETURN_IF_ERROR(reader.Next(&rec, &has).WithContext("side-info file '" + path + "'"));
    if (!has) break;
    if (rec.blank()) continue;
    if (rec.unterminated_quote() || rec.too_long())
      return Status::DataError(Where(path, rec.line()) + ": " +
                               (rec.too_long() ? "the line is longer than 1 MiB" : "a quoted field never ends") +
                               "; fix the row or remove it");
    Row row{rec.line(), {}};
    for (std::string_view f : rec.fields()) row.fields.emplace_back(f);
    if (!rows.empty() && row.fields.size() != rows[0].fields.size())
      return Status::DataError(Where(path, rec.line()) + ": " + std::to_string(row.fields.size()) +
                               " fields, the header has " + std::to_string(rows[0].fields.size()) +
                               "; every row must hold the item and one field per attribute column (several "
                               "values in one field are separated by '|', an unknown value is an empty field)");
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return Status::DataError("side-info file '" + path + "' is empty: it needs a header row");
  if (rows[0].fields.size() < 2)
    return Status::DataError(Where(path, 1) + ": the header has one column; add at least one attribute column");
  return rows;
}

// Whether column c of the data rows holds only numbers (and at least one); their values.
bool NumericColumn(const std::vector<Row>& rows, std::size_t c, std::vector<double>* values) {
  values->clear();
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const std::string& f = rows[r].fields[c];
    if (TrimSpaces(f).empty()) continue;
    double v;
    if (!ParseNumber(f, &v)) return false;
    values->push_back(v);
  }
  return !values->empty();
}

// The lower edges of a numeric column's quantile buckets after the first (ascending, distinct).
std::vector<double> BucketEdges(std::vector<double> values, int buckets) {
  std::sort(values.begin(), values.end());
  std::vector<double> edges;
  for (int b = 1; b < buckets; ++b) {
    const double e = values[values.size() * static_cast<std::size_t>(b) / static_cast<std::size_t>(buckets)];
    if (e > values.front() && (edges.empty() || e > edges.back())) edges.push_back(e);
  }
  return edges;
}

std::string BucketName(const std::vector<double>& edges, double v) {
  const std::size_t b = static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin());
  const std::string lo = b == 0 ? "-inf" : Num(edges[b - 1]);
  const std::string hi = b == edges.size() ? "inf" : Num(edges[b]);
  return "[" + lo + "," + hi + ")";
}

// The value names of one field: its bucket, or its '|'-separated values.
void FieldValues(const std::string& field, bool numeric, const std::vector<double>& edges,
                 std::vector<std::string>* out) {
  out->clear();
  if (numeric) {
    double v;
    if (ParseNumber(field, &v)) out->push_back(BucketName(edges, v));
    return;
  }
  std::size_t begin = 0;
  while (begin <= field.size()) {
    std::size_t end = field.find('|', begin);
    if (end == std::string::npos) end = field.size();
    const std::string_view v = TrimSpaces(std::string_view(field).substr(begin, end - begin));
    if (!v.empty() && std::find(out->begin(), out->end(), v) == out->end()) out->emplace_back(v);
    begin = end + 1;
  }
}

}  // namespace

Result<SideInfo> ReadSideInfo(const std::string& path, int buckets) {
  Result<std::vector<Row>> read = ReadRows(path);
  if (!read.ok()) return read.status();
  const std::vector<Row>& rows = *read;
  SideInfo info;
  info.item_column = std::string(TrimSpaces(rows[0].fields[0]));
  const std::size_t ncol = rows[0].fields.size() - 1;
  std::vector<std::vector<double>> edges(ncol);
  std::vector<double> numbers;
  for (std::size_t c = 0; c < ncol; ++c) {
    info.columns.emplace_back(TrimSpaces(rows[0].fields[c + 1]));
    info.numeric.push_back(NumericColumn(rows, c + 1, &numbers));
    if (info.numeric.back()) edges[c] = BucketEdges(numbers, std::max(1, buckets));
  }
  std::unordered_map<std::string, std::uint32_t> value_id;
  std::unordered_map<std::string, std::int64_t> item_line;
  std::vector<std::string> names;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const std::string item(TrimSpaces(rows[r].fields[0]));
    if (item.empty())
      return Status::DataError(Where(path, rows[r].line) + ": the item (first column) is empty; every row names "
                               "one item as it appears in the sequences");
    if (const auto [it, fresh] = item_line.emplace(item, rows[r].line); !fresh)
      return Status::DataError(Where(path, rows[r].line) + ": item '" + item + "' is listed again (first on line " +
                               std::to_string(it->second) + "); list each item once, with all its values");
    info.items.push_back(item);
    for (std::size_t c = 0; c < ncol; ++c) {
      FieldValues(rows[r].fields[c + 1], info.numeric[c], edges[c], &names);
      for (const std::string& v : names) {
        const std::string name = info.columns[c] + "=" + v;
        const auto [it, fresh] = value_id.emplace(name, static_cast<std::uint32_t>(info.values.size()));
        if (fresh) {
          info.values.push_back(name);
          info.value_column.push_back(static_cast<std::uint32_t>(c));
        }
        info.item_values.push_back(it->second);
      }
    }
    info.item_offsets.push_back(info.item_values.size());
  }
  return info;
}

}  // namespace item2vec
