#include "tools/prep/prep_output.h"

#include <cerrno>
#include <cstring>

#include "common/atomic_file.h"
#include "common/collective_comm.h"

namespace item2vec {

PieceWriter::~PieceWriter() {
  for (Open* open : {&train_, &test_, &valid_})
    if (open->file != nullptr) std::fclose(open->file);
}

void PieceWriter::BeginBucket(int bucket) { bucket_ = bucket; }

void PieceWriter::Write(Open* open, int part, std::string_view text) {
  if (!error_.empty() || text.empty()) return;
  if (open->file != nullptr && open->piece.part != part) {
    if (part < open->piece.part) {
      error_ = "internal: part " + std::to_string(part) + " after part " + std::to_string(open->piece.part) +
               " in bucket " + std::to_string(bucket_);
      return;
    }
    Close(open);
    if (!error_.empty()) return;
  }
  if (open->file == nullptr) {
    open->piece = OutputPiece();
    open->piece.bucket = bucket_;
    open->piece.part = part;
    open->piece.path = dir_ + "/out-" + std::to_string(bucket_) +
                       (part == OutputPiece::kTestPart    ? std::string("-test")
                        : part == OutputPiece::kValidPart ? std::string("-valid")
                                                          : "-part-" + std::to_string(part));
    open->file = std::fopen(open->piece.path.c_str(), "wb");
    if (open->file == nullptr) {
      error_ = "cannot create '" + open->piece.path + "': " + std::strerror(errno);
      return;
    }
    std::setvbuf(open->file, nullptr, _IOFBF, 1 << 20);
  }
  if (std::fwrite(text.data(), 1, text.size(), open->file) != text.size()) {
    error_ = "writing '" + open->piece.path + "' failed: " + std::strerror(errno) + " (disk full?)";
    return;
  }
  open->piece.bytes += static_cast<std::int64_t>(text.size());
}

void PieceWriter::Close(Open* open) {
  if (open->file == nullptr) return;
  const bool ok = std::fclose(open->file) == 0;
  open->file = nullptr;
  if (!ok && error_.empty()) error_ = "writing '" + open->piece.path + "' failed: " + std::strerror(errno);
  if (error_.empty()) pieces_.push_back(open->piece);
}

void PieceWriter::Train(int part, std::string_view text) { Write(&train_, part, text); }
void PieceWriter::Test(std::string_view text) { Write(&test_, OutputPiece::kTestPart, text); }
void PieceWriter::Valid(std::string_view text) { Write(&valid_, OutputPiece::kValidPart, text); }

Status PieceWriter::EndBucket() {
  Close(&train_);
  Close(&test_);
  Close(&valid_);
  bucket_ = -1;
  return error_.empty() ? Status::Ok() : Status::IOError(error_);
}

Status AssembleFile(const std::string& path, const std::vector<const OutputPiece*>& pieces) {
  AtomicFile out;
  ITEM2VEC_RETURN_IF_ERROR(out.Open(path));
  std::vector<char> buffer(1 << 20);
  for (const OutputPiece* piece : pieces) {
    std::FILE* in = std::fopen(piece->path.c_str(), "rb");
    if (in == nullptr)
      return Status::IOError("cannot open output piece '" + piece->path + "': " + std::strerror(errno) +
                             " (every rank must see --output on the same file system)");
    std::int64_t copied = 0;
    std::size_t got;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), in)) > 0) {
      out.Write(buffer.data(), got);
      copied += static_cast<std::int64_t>(got);
    }
    const bool read_error = std::ferror(in) != 0;
    std::fclose(in);
    if (read_error || copied != piece->bytes)
      return Status::IOError("output piece '" + piece->path + "' has " + std::to_string(copied) + " bytes, its writer wrote " +
                             std::to_string(piece->bytes) + " (every rank must see --output on the same file system)");
  }
  return out.Commit();
}

std::string SerializePieces(const std::vector<OutputPiece>& pieces) {
  ByteWriter w;
  for (const OutputPiece& p : pieces) {
    w.Int(p.bucket);
    w.Int(p.part);
    w.Str(p.path);
    w.Int(p.bytes);
  }
  return std::move(w.bytes());
}

Result<std::vector<OutputPiece>> ParsePieces(std::string_view bytes) {
  std::vector<OutputPiece> pieces;
  ByteReader r(bytes);
  while (!r.done()) {
    OutputPiece p;
    p.bucket = static_cast<int>(r.Int());
    p.part = static_cast<int>(r.Int());
    p.path = std::string(r.Str());
    p.bytes = r.Int();
    pieces.push_back(std::move(p));
  }
  if (r.failed()) return Status::Internal("malformed list of output pieces from a peer rank");
  return pieces;
}

}  // namespace item2vec
