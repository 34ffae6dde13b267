// Input discovery and sharding: which bytes of which files each worker reads.
//
// Contract:
// - ListInputFiles expands each input path (of the option named `option`, for messages):
//   a regular file is taken as is; a directory contributes its regular files (not
//   recursive; names starting with '.' or '_' such as _SUCCESS are skipped, and so are the
//   temporaries "NAME.tmp.PID" of a writer that did not finish, common/atomic_file.h),
//   sorted by name. Paths keep the order given. Every file is checked to be openable; the
//   error names the path and what to do. One file reached twice (given twice, through
//   "..", or inside a directory also given) is refused (kInvalidArgument): it would be
//   read twice. Each file also gets its canonical path (absolute, links resolved) and a
//   fingerprint: a checksum of its size and of its first and last kFingerprintBytes, so a
//   resume can tell the same input given by another path from an edited one
//   (SameInputFile).
// - CheckOutputApartFromInputs refuses an output directory that is an input, lies inside
//   an input directory, or holds an input (kInvalidArgument): a run would read what it or
//   an earlier run wrote.
// - ShardRanges cuts the concatenation of all files into num_shards byte ranges of
//   near-equal size. A range owns every line that *starts* inside it, so the shards
//   partition the lines exactly, whatever the line lengths, with no coordination.
//   A compressed file (.gz, .zst; common/input_stream.h) cannot be entered in the middle:
//   it goes whole to the shard whose byte range holds its middle byte, as the range
//   [0, kWholeFile) of its decompressed bytes. With fewer compressed files than shards
//   some shards get nothing (EmptyShards counts them, for a warning).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/serialization/version.hpp>

#include "common/status.h"

namespace item2vec {

inline constexpr std::int64_t kFingerprintBytes = 64 * 1024;

struct InputFile {
  InputFile() = default;
  InputFile(std::string p, std::int64_t s) : path(std::move(p)), size(s) {}

  std::string path;               // as given (or found in a given directory)
  std::int64_t size = 0;
  std::string canonical;          // "" in checkpoints written before version 1
  std::uint64_t fingerprint = 0;  // checksum of size, head and tail

  template <class Archive>
  void serialize(Archive& ar, unsigned version) {
    ar& path; ar& size;
    if (version >= 1) { ar& canonical; ar& fingerprint; }
  }
};

inline constexpr std::int64_t kWholeFile = INT64_MAX;  // FileRange::end of a whole file

// Whether `now` is the file `then` was, by canonical path, size and fingerprint (by path
// and size for a record without them). When not, *why says what differs.
bool SameInputFile(const InputFile& then, const InputFile& now, std::string* why);

struct FileRange {
  std::size_t file_index = 0;
  std::int64_t begin = 0;  // first byte a line may start at
  std::int64_t end = 0;    // lines starting at or after this byte belong to the next range
};

Result<std::vector<InputFile>> ListInputFiles(const std::vector<std::string>& paths,
                                              const std::string& option = "--input");

// REQUIRES: inputs exist (as checked by ListInputFiles). output need not exist yet.
Status CheckOutputApartFromInputs(const std::vector<std::string>& inputs, const std::string& output,
                                  const std::string& output_option);

std::vector<FileRange> ShardRanges(const std::vector<InputFile>& files, int shard, int num_shards);

// Shards of num_shards that ShardRanges leaves without any input.
int EmptyShards(const std::vector<InputFile>& files, int num_shards);

// Logs that compressed files are read whole, and warns when that leaves shards empty.
void WarnAboutCompressedShards(const std::vector<InputFile>& files, int num_shards);

}  // namespace item2vec

BOOST_CLASS_VERSION(item2vec::InputFile, 1)
