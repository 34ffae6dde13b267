// vocab.tsv: a model directory's item list, "item<TAB>count" per line in id order (the row
// order of vectors.bin and output_vectors.i2v).
//
// Contract:
// - WriteVocabTsv writes one line per vocabulary id (then one per cold item, count 0) through AtomicFile (nothing appears
//   under `path` unless the whole file is written).
// - VocabTsvReader streams a file one entry at a time (memory: one line). It strips a
//   trailing '\r' (files edited on Windows) and skips blank lines (common/text_lines.h); the item is everything
//   before the last tab and the count must be a non-negative decimal integer. Next() returns
//   false at the end or at the first bad line; status() then tells which: OK at the end,
//   else a DataError "PATH:LINE: what (expected item<TAB>count)" or an IOError. The
//   string_view from Next() is valid until the next call.
// - ReadVocabTsv reads a whole file into items and counts, with the same rules and errors.
// One reader per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/text_lines.h"
#include "common/types.h"
#include "common/vocabulary.h"

namespace item2vec {

// cold: items after the vocabulary's, written with count 0 (--side-info's cold items).
Status WriteVocabTsv(const Vocabulary& vocab, const std::string& path, const std::vector<std::string>& cold = {});

class VocabTsvReader {
 public:
  // NotFound "cannot open vocabulary file 'PATH'" when the file cannot be opened.
  Status Open(const std::string& path);
  bool Next(std::string_view* item, Count* count);
  const Status& status() const { return status_; }
  const std::string& path() const { return path_; }

 private:
  TextLines lines_;
  std::string path_;
  std::string line_;
  Status status_;
};

struct VocabTsv {
  std::vector<std::string> items;  // in file order (id order)
  std::vector<Count> counts;
};

Result<VocabTsv> ReadVocabTsv(const std::string& path);

}  // namespace item2vec
