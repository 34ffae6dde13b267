#include "model/test_records.h"

#include <fstream>

#include "model/user_records.h"

namespace item2vec {

Result<TestRecords> ReadTestRecords(const std::string& path, const ItemIndex& index) {
  if (!std::ifstream(path)) return Status::NotFound("cannot open test file '" + path + "'");
  UserRecordReader in({InputFile(path, 0)}, UserRecordReader::Kind::kRecords);
  TestRecords out;
  out.history_begin.push_back(0);
  UserRecord r;
  while (in.Next(&r)) {
    out.target.push_back(index.Find(r.next));
    out.line.push_back(in.line_number());
    ForEachHistoryItem(r.history, /*any_whitespace=*/false,
                       [&](std::string_view item) { out.history.push_back(index.Find(item)); });
    out.history_begin.push_back(out.history.size());
  }
  if (!in.status().ok()) {
    if (in.status().code() == Status::Code::kDataError) return in.status();
    return Status::IOError("reading test file '" + path + "' failed: " + in.status().message());
  }
  return out;
}

}  // namespace item2vec
