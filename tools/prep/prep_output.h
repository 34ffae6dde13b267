// Output pieces: how several ranks write one set of prep output files.
//
// Contract:
// - Under mpirun each rank sorts whole top-level buckets (hash ranges) and writes what a
//   bucket gives to pieces in its own temporary directory: one train piece per (bucket,
//   part) that got a line and one test (and valid) piece per bucket that got a record. Within a bucket
//   users come in hash order, so parts never go back (PieceWriter checks it).
// - Afterwards part p is the concatenation, in bucket order, of every rank's (b, p)
//   pieces, and test.tsv that of the test pieces: exactly the bytes one process writes,
//   since one process visits the same buckets in the same order. AssembleFile writes it
//   through AtomicFile (nothing half-written under the final name) and checks each piece
//   has the size its writer reported (a file system that does not show one rank's writes to
//   another is an error, not a silent loss).
// - Piece files belong to the temporary directory, removed with it. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace item2vec {

struct OutputPiece {
  static constexpr int kTestPart = -1;
  static constexpr int kValidPart = -2;
  int bucket = 0;
  int part = kTestPart;  // kTestPart for a test.tsv piece, kValidPart for valid.tsv
  std::string path;
  std::int64_t bytes = 0;
};

class PieceWriter {
 public:
  // dir must exist and be this rank's own.
  explicit PieceWriter(std::string dir) : dir_(std::move(dir)) {}
  ~PieceWriter();
  PieceWriter(const PieceWriter&) = delete;
  PieceWriter& operator=(const PieceWriter&) = delete;

  void BeginBucket(int bucket);
  // Buffered; errors are sticky and reported by EndBucket(). REQUIRES: parts non-decreasing
  // within a bucket.
  void Train(int part, std::string_view text);
  void Test(std::string_view text);
  void Valid(std::string_view text);
  Status EndBucket();
  const std::vector<OutputPiece>& pieces() const { return pieces_; }

 private:
  struct Open {
    std::FILE* file = nullptr;
    OutputPiece piece;
  };
  void Write(Open* open, int part, std::string_view text);
  void Close(Open* open);

  std::string dir_;
  int bucket_ = -1;
  Open train_, test_, valid_;
  std::string error_;
  std::vector<OutputPiece> pieces_;
};

// Writes the concatenation of `pieces` (in this order) to `path` atomically.
Status AssembleFile(const std::string& path, const std::vector<const OutputPiece*>& pieces);

// For the exchange between ranks.
std::string SerializePieces(const std::vector<OutputPiece>& pieces);
Result<std::vector<OutputPiece>> ParsePieces(std::string_view bytes);

}  // namespace item2vec
