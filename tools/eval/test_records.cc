#include "tools/eval/test_records.h"

#include <string_view>

#include "common/text_lines.h"

namespace item2vec {

Result<TestRecords> ReadTestRecords(const std::string& path, const ItemIndex& index) {
  TextLines in;
  if (!in.Open(path)) return Status::NotFound("cannot open test file '" + path + "'");
  TestRecords out;
  out.history_begin.push_back(0);
  std::string line;
  while (in.Next(&line)) {
    const std::int64_t line_no = in.line_number();
    const auto bad = [&](const std::string& what) {
      return Status::DataError(path + ":" + std::to_string(line_no) + ": " + what +
                               " (expected user<TAB>next_item<TAB>history items separated by spaces)");
    };
    std::string_view fields[3];
    int n = 0;
    std::string_view rest(line);
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
    out.target.push_back(index.Find(fields[1]));
    out.line.push_back(line_no);
    std::string_view h = n == 3 ? fields[2] : std::string_view();
    while (!h.empty()) {
      const std::size_t sp = h.find(' ');
      const std::string_view item = h.substr(0, sp);
      if (!item.empty()) out.history.push_back(index.Find(item));
      if (sp == std::string_view::npos) break;
      h.remove_prefix(sp + 1);
    }
    out.history_begin.push_back(out.history.size());
  }
  if (in.failed()) return Status::IOError("reading test file '" + path + "' failed");
  return out;
}

}  // namespace item2vec
