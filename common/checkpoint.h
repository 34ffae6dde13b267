// Checkpoint: the on-disk layout of a training checkpoint, its manifest, and the
// checksummed container every file in it uses.
//
// Layout: CHECKPOINT_DIR/ckpt-NNNNNNNN/ holds
//   vocab.bin       the vocabulary (rank 0)
//   server-S.bin    server S's rows of both matrices and their versions (ps/shard_checkpoint.h)
//   worker-W.bin    worker W's progress: reader position, epoch, counters, Rng state
//   MANIFEST        CheckpointManifest: settings, layout, vocabulary fingerprint, the
//                   input files' sizes, and the size and checksum of every file above
// A checkpoint is complete iff its MANIFEST exists: every file is written through
// AtomicFile, and rank 0 renames MANIFEST into place only after all ranks reported their
// files committed. A crash at any moment therefore leaves either a complete checkpoint or
// a directory without MANIFEST, which is ignored and pruned later. A MANIFEST lists the
// file of every rank of its layout (a finished worker's too) and vocab.bin; one that does
// not (CheckpointFilesMissing) is refused like a damaged one, so a resume never picks a
// checkpoint it cannot continue from.
//
// Container (every file, MANIFEST included):
//   "I2VCKPT\n" | uint64 header bytes | header (Boost binary archive) | payload |
//   uint64 Checksum64 over header and payload
// A truncated or corrupted file fails its own checksum and the manifest's record of its
// size and checksum; errors are Status::Corruption naming the file. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>

#include "common/atomic_file.h"
#include "common/input_files.h"
#include "common/matrix_file.h"
#include "common/status.h"

namespace item2vec {

struct CheckpointFileEntry {
  std::string name;           // file name inside the checkpoint directory
  std::uint64_t bytes = 0;    // whole file size
  std::uint64_t checksum = 0; // the file's trailer checksum

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) { ar& name; ar& bytes; ar& checksum; }
};

class CheckpointFileWriter {
 public:
  Status Open(const std::string& dir, const std::string& name, const std::string& header);
  void Write(const void* data, std::size_t bytes);
  Result<CheckpointFileEntry> Commit();

 private:
  AtomicFile file_;
  std::string name_;
  Checksum64 checksum_;
  std::uint64_t bytes_ = 0;
};

class CheckpointFileReader {
 public:
  ~CheckpointFileReader();
  Status Open(const std::string& path);
  const std::string& header() const { return header_; }
  Status Read(void* data, std::size_t bytes);
  Status Skip(std::size_t bytes);
  // Reads the trailer and checks the checksum and that nothing follows it.
  Status Finish();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::string header_;
  Checksum64 checksum_;
};

// Streams DIR/entry.name and checks its size and checksum against the entry.
Status VerifyCheckpointFile(const std::string& dir, const CheckpointFileEntry& entry);

struct CheckpointManifest {
  std::uint32_t format_version = 1;
  std::uint64_t sequence = 0;     // checkpoint number, increasing within a run and across resumes
  std::string reason;             // "every 10m", "epoch 2 done", "SIGTERM"
  std::int64_t created_unix = 0;
  // Settings that shape the result; a resume must use the same (ResumeSettings()).
  std::vector<std::pair<std::string, std::string>> settings;
  std::string settings_json;      // every option, for people reading the manifest
  std::uint64_t vocab_fingerprint = 0;
  std::uint64_t vocab_size = 0;
  int num_workers = 0;
  int num_servers = 0;
  std::vector<InputFile> inputs;  // paths and sizes at training time
  std::int64_t warm_kept = 0, warm_added = 0, warm_dropped = 0;
  double train_seconds = 0;       // training time spent before this checkpoint
  std::vector<CheckpointFileEntry> files;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& format_version; ar& sequence; ar& reason; ar& created_unix; ar& settings; ar& settings_json;
    ar& vocab_fingerprint; ar& vocab_size; ar& num_workers; ar& num_servers; ar& inputs;
    ar& warm_kept; ar& warm_added; ar& warm_dropped; ar& train_seconds; ar& files;
  }
};

inline constexpr const char* kManifestName = "MANIFEST";

// A rank's answer to a checkpoint request: the file it wrote, or why it could not.
struct CheckpointSaved {
  std::uint64_t sequence = 0;
  int rank = 0;
  int code = 0;  // Status::Code
  std::string message;
  CheckpointFileEntry file;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) { ar& sequence; ar& rank; ar& code; ar& message; ar& file; }
};

// The file names of the layout above.
std::string WorkerFileName(int worker);  // worker-W.bin
std::string ShardFileName(int server);   // server-S.bin
std::string VocabularyFileName();        // vocab.bin

// The files a checkpoint of manifest's layout needs that its file list lacks, as
// "worker-1.bin, ..."; "" when it lists them all.
std::string CheckpointFilesMissing(const CheckpointManifest& manifest);

// CHECKPOINT_DIR/ckpt-NNNNNNNN for a sequence number.
std::string CheckpointPath(const std::string& checkpoint_dir, std::uint64_t sequence);
// Sequence numbers of the directories under checkpoint_dir, ascending; *complete gets
// those that have a MANIFEST.
Status ListCheckpoints(const std::string& checkpoint_dir, std::vector<std::uint64_t>* all,
                       std::vector<std::uint64_t>* complete);

Status WriteManifest(const std::string& checkpoint_path, const CheckpointManifest& manifest);
Result<CheckpointManifest> ReadManifest(const std::string& checkpoint_path);

// Reads the manifest, checks it lists every rank's file (CheckpointFilesMissing), and
// verifies every file it lists.
Result<CheckpointManifest> VerifyCheckpoint(const std::string& checkpoint_path);

// The newest complete checkpoint that verifies. Each newer one that fails is described
// in *rejected ("ckpt-00000007: 'x/server-1.bin' failed its checksum ..."). NotFound when
// there is none.
Result<CheckpointManifest> FindNewestValidCheckpoint(const std::string& checkpoint_dir,
                                                     std::vector<std::string>* rejected);

// Keeps the newest `keep` complete checkpoints; removes older complete ones and every
// incomplete directory older than the newest complete one.
Status PruneCheckpoints(const std::string& checkpoint_dir, int keep);
// Removes every checkpoint directory (after the model they lead to was written).
Status RemoveCheckpoints(const std::string& checkpoint_dir);

}  // namespace item2vec
