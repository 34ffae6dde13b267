// word2vec text and binary vector files (the formats of word2vec.c, read by gensim's
// KeyedVectors.load_word2vec_format).
//
// Contract:
// - Both formats start with the line "<rows> <dim>\n". Text rows are
//   "<item> <v1> ... <vdim>\n" with each float printed in its shortest form that reads
//   back to the same bits; binary rows are "<item> " followed by dim little-endian IEEE
//   floats and "\n".
// - Word2VecWriter streams rows to both files (either may be skipped) through
//   AtomicFile: nothing appears under the final names unless Commit() succeeds, and it
//   checks the number of rows written equals the header.
// - ReadWord2Vec loads a whole file (text or binary) for evaluation and tests; errors
//   name the file and the row. Neither reader trusts the header with memory: a dim above
//   kMaxVectorDim is refused, and ReadWord2Vec grows its table as rows are read, reserving
//   the promised rows up front only when the file's size can hold them (a row takes at
//   least 2 + 4*dim bytes in binary, 1 + 2*dim in text); a header that promises more rows
//   than the file has is an error at the first missing row, naming the promise.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/atomic_file.h"
#include "common/status.h"

namespace item2vec {

inline constexpr int kMaxVectorDim = 100000;  // the largest dim a vectors header may state

class Word2VecWriter {
 public:
  // Empty path = do not write that format.
  Status Open(const std::string& text_path, const std::string& binary_path, std::int64_t rows,
              int dim);
  void Add(std::string_view item, const float* row);
  Status Commit();

 private:
  AtomicFile text_, binary_;
  bool write_text_ = false, write_binary_ = false;
  std::int64_t rows_ = 0, written_ = 0;
  int dim_ = 0;
  std::string line_;
};

// Streams a word2vec binary file row by row (for warm starts: no rank loads a whole
// model). Errors name the file and the row.
class Word2VecBinaryReader {
 public:
  Status Open(const std::string& path);
  std::int64_t rows() const { return rows_; }
  int dim() const { return dim_; }
  // Reads the next row; returns false after the last row (check status()).
  bool Next(std::string* item, float* row);
  const Status& status() const { return status_; }

 private:
  std::string path_;
  std::ifstream in_;
  std::int64_t rows_ = 0, read_ = 0;
  int dim_ = 0;
  Status status_;
};

struct Embeddings {
  std::vector<std::string> items;
  int dim = 0;
  std::vector<float> data;  // items.size() x dim, row-major
  const float* row(std::size_t i) const { return data.data() + i * static_cast<std::size_t>(dim); }
};

enum class VectorFormat { kAuto, kText, kBinary };

// kAuto: binary when the path ends in ".bin", text otherwise.
Result<Embeddings> ReadWord2Vec(const std::string& path, VectorFormat format = VectorFormat::kAuto);

}  // namespace item2vec
