#include "common/word2vec_format.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace item2vec {
namespace {

// The fewest bytes one row can take after the header: binary "x " + dim floats; text
// "x" + dim times " v" (the last row's newline may be missing).
std::int64_t MinRowBytes(std::int64_t dim, bool binary) { return binary ? 2 + 4 * dim : 1 + 2 * dim; }

// Parses "<rows> <dim>"; a dim above kMaxVectorDim is refused (one row of it could not be
// allocated), the rows are only a promise (see HeaderFitsFile).
Status ParseVectorsHeader(const std::string& path, const std::string& header, std::int64_t* rows, int* dim) {
  long long r = -1, d = -1;
  if (std::sscanf(header.c_str(), "%lld %lld", &r, &d) != 2 || r < 0 || d <= 0)
    return Status::DataError("'" + path + "' line 1: expected '<rows> <dim>', got '" + header.substr(0, 80) + "'");
  if (d > kMaxVectorDim)
    return Status::DataError("'" + path + "' line 1: dim " + std::to_string(d) + " is above " +
                             std::to_string(kMaxVectorDim) + " (a damaged header, or not a vectors file)");
  *rows = r;
  *dim = static_cast<int>(d);
  return Status::Ok();
}

// Whether a file of file_bytes (-1: unknown, not a regular file) can hold the rows its
// header promises; only then is the promise worth reserving memory for.
bool HeaderFitsFile(std::int64_t rows, int dim, std::size_t header_bytes, std::int64_t file_bytes, bool binary) {
  const std::int64_t body = file_bytes - static_cast<std::int64_t>(header_bytes) - 1;
  return file_bytes >= 0 && body >= 0 && rows <= body / MinRowBytes(dim, binary);
}

// "row R: file ends early", with the header's promise: a lying header ends up here.
std::string EndsEarly(const std::string& path, std::int64_t row, std::int64_t rows, const char* where) {
  return "'" + path + "' row " + std::to_string(row + 1) + ": file ends " + where + " (truncated?); its header " +
         "(line 1) promises " + std::to_string(rows) + " rows";
}

// The size of a regular file, or -1.
std::int64_t RegularFileBytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return -1;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? -1 : static_cast<std::int64_t>(size);
}

}  // namespace

Status Word2VecWriter::Open(const std::string& text_path, const std::string& binary_path,
                            std::int64_t rows, int dim) {
  rows_ = rows;
  dim_ = dim;
  written_ = 0;
  write_text_ = !text_path.empty();
  write_binary_ = !binary_path.empty();
  const std::string header = std::to_string(rows) + " " + std::to_string(dim) + "\n";
  if (write_text_) {
    ITEM2VEC_RETURN_IF_ERROR(text_.Open(text_path));
    text_.Write(header);
  }
  if (write_binary_) {
    ITEM2VEC_RETURN_IF_ERROR(binary_.Open(binary_path));
    binary_.Write(header);
  }
  return Status::Ok();
}

void Word2VecWriter::Add(std::string_view item, const float* row) {
  ++written_;
  if (write_text_) {
    line_.assign(item);
    char buf[32];
    for (int i = 0; i < dim_; ++i) {
      line_ += ' ';
      auto res = std::to_chars(buf, buf + sizeof buf, row[i]);
      line_.append(buf, res.ptr);
    }
    line_ += '\n';
    text_.Write(line_);
  }
  if (write_binary_) {
    binary_.Write(item);
    binary_.Write(" ", 1);
    binary_.Write(row, sizeof(float) * static_cast<std::size_t>(dim_));
    binary_.Write("\n", 1);
  }
}

Status Word2VecWriter::Commit() {
  if (written_ != rows_)
    return Status::Internal("vector writer got " + std::to_string(written_) + " rows, header says " +
                            std::to_string(rows_));
  if (write_text_) ITEM2VEC_RETURN_IF_ERROR(text_.Commit());
  if (write_binary_) ITEM2VEC_RETURN_IF_ERROR(binary_.Commit());
  return Status::Ok();
}

Status Word2VecBinaryReader::Open(const std::string& path) {
  path_ = path;
  in_.open(path, std::ios::binary);
  if (!in_) return Status::NotFound("cannot open vectors file '" + path + "'");
  std::string header;
  if (!std::getline(in_, header)) return Status::DataError("'" + path + "' line 1: expected '<rows> <dim>'");
  return ParseVectorsHeader(path, header, &rows_, &dim_);
}

bool Word2VecBinaryReader::Next(std::string* item, float* row) {
  if (!status_.ok()) return false;
  if (read_ >= rows_) {
    // A header that promises fewer rows than the file holds is a damaged file, not a model.
    int c;
    while ((c = in_.get()) != EOF && (c == '\n' || c == ' ' || c == '\r')) {}
    if (c != EOF)
      status_ = Status::DataError("'" + path_ + "' holds more than the " + std::to_string(rows_) +
                                  " rows its header (line 1) promises: the header or the file is damaged");
    return false;
  }
  item->clear();
  int c;
  while ((c = in_.get()) != EOF && (c == '\n' || c == ' ')) {}
  while (c != EOF && c != ' ') {
    *item += static_cast<char>(c);
    c = in_.get();
  }
  if (c == EOF || !in_.read(reinterpret_cast<char*>(row), static_cast<std::streamsize>(sizeof(float)) * dim_)) {
    status_ = Status::DataError(EndsEarly(path_, read_, rows_, "early"));
    return false;
  }
  ++read_;
  return true;
}

Result<Embeddings> ReadWord2Vec(const std::string& path, VectorFormat format) {
  if (format == VectorFormat::kAuto)
    format = (path.size() >= 4 && path.compare(path.size() - 4, 4, ".bin") == 0) ? VectorFormat::kBinary
                                                                               : VectorFormat::kText;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open vectors file '" + path + "'");
  std::string header;
  if (!std::getline(in, header)) return Status::DataError("'" + path + "' is empty");
  std::int64_t rows = 0;
  int dim = 0;
  const bool binary = format == VectorFormat::kBinary;
  ITEM2VEC_RETURN_IF_ERROR(ParseVectorsHeader(path, header, &rows, &dim));
  Embeddings e;
  e.dim = dim;
  // Memory grows as rows are read; what the header promises is reserved up front only when
  // the file is large enough to hold it, so a header that lies costs nothing.
  if (HeaderFitsFile(rows, dim, header.size(), RegularFileBytes(path), binary)) {
    e.items.reserve(static_cast<std::size_t>(rows));
    e.data.reserve(static_cast<std::size_t>(rows) * static_cast<std::size_t>(dim));
  }
  std::string line;
  for (std::int64_t r = 0; r < rows; ++r) {
    e.data.resize(e.data.size() + static_cast<std::size_t>(dim));
    float* out = e.data.data() + r * dim;
    const std::string where = "'" + path + "' row " + std::to_string(r + 1);
    if (format == VectorFormat::kBinary) {
      std::string item;
      int c;
      while ((c = in.get()) != EOF && (c == '\n' || c == ' ')) {}
      while (c != EOF && c != ' ') {
        item += static_cast<char>(c);
        c = in.get();
      }
      if (c == EOF) return Status::DataError(EndsEarly(path, r, rows, "early"));
      if (!in.read(reinterpret_cast<char*>(out), sizeof(float) * dim))
        return Status::DataError(EndsEarly(path, r, rows, "inside a vector"));
      e.items.push_back(std::move(item));
    } else {
      if (!std::getline(in, line)) return Status::DataError(EndsEarly(path, r, rows, "early"));
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const char* p = line.data();
      const char* end = p + line.size();
      const char* sp = static_cast<const char*>(std::memchr(p, ' ', line.size()));
      if (sp == nullptr) return Status::DataError(where + ": no values after the item");
      e.items.emplace_back(p, sp);
      p = sp;
      for (int i = 0; i < dim; ++i) {
        while (p < end && *p == ' ') ++p;
        if (p == end)
          return Status::DataError(where + ": has " + std::to_string(i) + " values, the header (line 1) says " +
                                   std::to_string(dim));
        auto res = std::from_chars(p, end, out[i]);
        if (res.ec != std::errc())
          return Status::DataError(where + ": value " + std::to_string(i + 1) + " is not a number");
        p = res.ptr;
      }
      while (p < end && *p == ' ') ++p;
      if (p != end) return Status::DataError(where + ": more than " + std::to_string(dim) + " values");
    }
  }
  for (int c; (c = in.get()) != EOF;)
    if (c != '\n' && c != ' ' && c != '\r')
      return Status::DataError("'" + path + "' holds more than the " + std::to_string(rows) +
                               " rows its header (line 1) promises: the header or the file is damaged");
  return e;
}

}  // namespace item2vec
