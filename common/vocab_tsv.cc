#include "common/vocab_tsv.h"

#include <cerrno>
#include <cstdlib>

#include "common/atomic_file.h"

namespace item2vec {

Status WriteVocabTsv(const Vocabulary& vocab, const std::string& path, const std::vector<std::string>& cold) {
  AtomicFile f;
  ITEM2VEC_RETURN_IF_ERROR(f.Open(path));
  std::string line;
  for (ItemId id = 0; id < vocab.size(); ++id) {
    line.assign(vocab.item(id));
    line += '\t';
    line += std::to_string(vocab.count(id));
    line += '\n';
    f.Write(line);
  }
  for (const std::string& item : cold) f.Write(item + "\t0\n");
  return f.Commit();
}

Status VocabTsvReader::Open(const std::string& path) {
  path_ = path;
  status_ = Status::Ok();
  if (!lines_.Open(path)) status_ = Status::NotFound("cannot open vocabulary file '" + path + "'");
  return status_;
}

bool VocabTsvReader::Next(std::string_view* item, Count* count) {
  if (!status_.ok()) return false;
  if (lines_.Next(&line_)) {
    const auto bad = [&](const std::string& what) {
      status_ = Status::DataError(path_ + ":" + std::to_string(lines_.line_number()) + ": " + what +
                                  " (expected item<TAB>count)");
      return false;
    };
    const std::size_t tab = line_.rfind('\t');
    if (tab == std::string::npos || tab == 0) return bad("no item before a tab");
    errno = 0;
    char* end = nullptr;
    const long long n = std::strtoll(line_.c_str() + tab + 1, &end, 10);
    if (end == line_.c_str() + tab + 1 || *end != '\0' || errno != 0 || n < 0)
      return bad("count '" + line_.substr(tab + 1) + "' is not a non-negative integer");
    *item = std::string_view(line_).substr(0, tab);
    *count = static_cast<Count>(n);
    return true;
  }
  if (lines_.failed()) status_ = Status::IOError("reading '" + path_ + "' failed");
  return false;
}

Result<VocabTsv> ReadVocabTsv(const std::string& path) {
  VocabTsvReader reader;
  ITEM2VEC_RETURN_IF_ERROR(reader.Open(path));
  VocabTsv out;
  std::string_view item;
  Count count = 0;
  while (reader.Next(&item, &count)) {
    out.items.emplace_back(item);
    out.counts.push_back(count);
  }
  ITEM2VEC_RETURN_IF_ERROR(reader.status());
  return out;
}

}  // namespace item2vec
