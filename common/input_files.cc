#include "common/input_files.h"

#include <limits>

#include <spdlog/spdlog.h>

#include "common/input_stream.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace fs = std::filesystem;

namespace item2vec {
namespace {

Status CheckReadable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open input file '" + path + "' for reading (check permissions)");
  return Status::Ok();
}

}  // namespace

Result<std::vector<InputFile>> ListInputFiles(const std::vector<std::string>& paths) {
  std::vector<InputFile> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st))
      return Status::NotFound("input '" + path + "' does not exist; pass a sequence file or a directory of part files to --input");
    if (fs::is_directory(st)) {
      std::vector<std::string> names;
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name[0] == '.' || name[0] == '_') continue;
        if (!entry.is_regular_file(ec)) continue;
        names.push_back(entry.path().string());
      }
      if (ec) return Status::IOError("cannot list input directory '" + path + "': " + ec.message());
      if (names.empty()) return Status::DataError("input directory '" + path + "' holds no files");
      std::sort(names.begin(), names.end());
      for (auto& n : names) files.push_back({std::move(n), 0});
    } else if (fs::is_regular_file(st)) {
      files.push_back({path, 0});
    } else {
      return Status::DataError("input '" + path + "' is neither a regular file nor a directory");
    }
  }
  for (InputFile& f : files) {
    ITEM2VEC_RETURN_IF_ERROR(CheckReadable(f.path));
    std::error_code ec;
    f.size = static_cast<std::int64_t>(fs::file_size(f.path, ec));
    if (ec) return Status::IOError("cannot stat input file '" + f.path + "': " + ec.message());
  }
  return files;
}

void WarnAboutCompressedShards(const std::vector<InputFile>& files, int num_shards) {
  std::size_t compressed = 0;
  for (const auto& f : files) compressed += CompressionOf(f.path) != Compression::kNone ? 1 : 0;
  if (compressed == 0) return;
  spdlog::info("{} of {} input file(s) are compressed: each is read whole by one worker (a compressed file "
               "cannot be entered in the middle)", compressed, files.size());
  if (const int empty = EmptyShards(files, num_shards); empty > 0)
    spdlog::warn("{} of {} workers get no input: there are fewer compressed files than workers; split the "
                 "input into at least {} part files (or decompress it) to keep every worker busy",
                 empty, num_shards, num_shards);
}

int EmptyShards(const std::vector<InputFile>& files, int num_shards) {
  int empty = 0;
  for (int s = 0; s < num_shards; ++s) empty += ShardRanges(files, s, num_shards).empty() ? 1 : 0;
  return empty;
}

std::vector<FileRange> ShardRanges(const std::vector<InputFile>& files, int shard, int num_shards) {
  std::int64_t total = 0;
  for (const auto& f : files) total += f.size;
  // Global byte interval of this shard; __int128 avoids overflow of total * shard.
  const std::int64_t lo = static_cast<std::int64_t>((__int128)total * shard / num_shards);
  const std::int64_t hi = static_cast<std::int64_t>((__int128)total * (shard + 1) / num_shards);
  std::vector<FileRange> ranges;
  std::int64_t file_start = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::int64_t file_end = file_start + files[i].size;
    if (CompressionOf(files[i].path) != Compression::kNone) {
      // Whole: the shard holding the file's middle byte (exactly one shard does).
      const std::int64_t middle = file_start + files[i].size / 2;
      if (files[i].size > 0 && lo <= middle && middle < hi) ranges.push_back({i, 0, kWholeFile});
    } else {
      const std::int64_t b = std::max(lo, file_start), e = std::min(hi, file_end);
      if (b < e) ranges.push_back({i, b - file_start, e - file_start});
    }
    file_start = file_end;
  }
  return ranges;
}

}  // namespace item2vec
