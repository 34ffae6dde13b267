#include "common/input_files.h"

#include <limits>

#include <spdlog/spdlog.h>

#include "common/atomic_file.h"
#include "common/input_stream.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "common/matrix_file.h"

namespace fs = std::filesystem;

namespace item2vec {
namespace {

// Opens the file (the readability check) and fingerprints its size, head and tail.
Status Fingerprint(InputFile* f) {
  std::ifstream in(f->path, std::ios::binary);
  if (!in) return Status::IOError("cannot open input file '" + f->path + "' for reading (check permissions)");
  Checksum64 sum;
  sum.Update(&f->size, sizeof f->size);
  std::string buf(static_cast<std::size_t>(std::min(f->size, kFingerprintBytes)), '\0');
  auto read_at = [&](std::int64_t offset) {
    in.seekg(offset);
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    sum.Update(buf.data(), static_cast<std::size_t>(in.gcount()));
    return in.gcount() == static_cast<std::streamsize>(buf.size());
  };
  if (!read_at(0) || (f->size > kFingerprintBytes && !read_at(f->size - kFingerprintBytes)))
    return Status::IOError("cannot read input file '" + f->path + "' (did it shrink while being listed?)");
  f->fingerprint = sum.Finish();
  return Status::Ok();
}

}  // namespace

Result<std::vector<InputFile>> ListInputFiles(const std::vector<std::string>& paths, const std::string& option) {
  std::vector<InputFile> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st))
      return Status::NotFound("input '" + path + "' does not exist; pass a sequence file or a directory of part files to " +
                              option);
    if (fs::is_directory(st)) {
      std::vector<std::string> names;
      int subfolders = 0, hidden = 0, temporary = 0;
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name[0] == '.' || name[0] == '_') {
          ++hidden;
          continue;
        }
        if (entry.is_directory(ec)) ++subfolders;
        if (!entry.is_regular_file(ec)) continue;
        if (IsAtomicTempName(name)) {  // a writer's unfinished file, never input
          ++temporary;
          continue;
        }
        names.push_back(entry.path().string());
      }
      if (ec) return Status::IOError("cannot list input directory '" + path + "': " + ec.message());
      if (temporary > 0)
        spdlog::warn("{}: skipped {} temporary file(s) named *.tmp.<pid>, left by a writer that did not finish (not "
                     "input; rerun that writer, which removes them)", path, temporary);
      if (names.empty())
        return Status::DataError("input directory '" + path + "' holds no files to read: subfolders are not read (" +
                                 std::to_string(subfolders) + " here; pass each one to " + option +
                                 "), names starting with '.' or '_' are skipped (" + std::to_string(hidden) +
                                 " here), and so are temporary files *.tmp.<pid> (" + std::to_string(temporary) +
                                 " here)");
      std::sort(names.begin(), names.end());
      for (auto& n : names) {
        files.emplace_back();
        files.back().path = std::move(n);
      }
    } else if (fs::is_regular_file(st)) {
      files.emplace_back();
      files.back().path = path;
    } else {
      return Status::DataError("input '" + path + "' is neither a regular file nor a directory");
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    InputFile& f = files[i];
    std::error_code ec;
    f.size = static_cast<std::int64_t>(fs::file_size(f.path, ec));
    if (ec) return Status::IOError("cannot stat input file '" + f.path + "': " + ec.message());
    f.canonical = fs::canonical(f.path, ec).string();
    if (ec) return Status::IOError("cannot resolve input file '" + f.path + "': " + ec.message());
    for (std::size_t j = 0; j < i; ++j)
      if (files[j].canonical == f.canonical)
        return Status::InvalidArgument(option + ": the file '" + f.canonical + "' is given twice ('" + files[j].path +
                                       "' and '" + f.path + "', directly or inside a directory also given) and "
                                       "would be read twice; give it once");
    ITEM2VEC_RETURN_IF_ERROR(Fingerprint(&f));
  }
  return files;
}

namespace {

// Whether `inner` is `outer` or lies inside it (both canonical or weakly canonical).
bool IsWithin(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // the empty element of a trailing '/'
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

Status CheckOutputApartFromInputs(const std::vector<std::string>& inputs, const std::string& output,
                                  const std::string& output_option) {
  std::error_code ec;
  const fs::path out = fs::weakly_canonical(output, ec);
  if (ec) return Status::Ok();  // not resolvable: the output's own checks report it
  for (const std::string& input : inputs) {
    const fs::path in = fs::weakly_canonical(input, ec);
    if (ec) continue;
    if (IsWithin(out, in))
      return Status::InvalidArgument(output_option + " '" + output + "' is " +
                                     (IsWithin(in, out) ? std::string("the input '") : std::string("inside the input '")) +
                                     input + "': a run would read its own output as input; choose an " +
                                     output_option + " outside every input");
    if (IsWithin(in, out))
      return Status::InvalidArgument(output_option + " '" + output + "' holds the input " +
                                     (fs::is_directory(in, ec) ? "directory '" : "file '") + input +
                                     "': a run would read (and may replace) what it writes there; move the input "
                                     "or choose another " + output_option);
  }
  return Status::Ok();
}

bool SameInputFile(const InputFile& then, const InputFile& now, std::string* why) {
  const bool by_canonical = !then.canonical.empty();
  if (by_canonical ? then.canonical != now.canonical : then.path != now.path) {
    *why = "another file (" + (by_canonical ? then.canonical : then.path) + " then, " +
           (by_canonical ? now.canonical : now.path) + " now)";
    return false;
  }
  if (then.size != now.size) {
    *why = now.path + " is " + std::to_string(now.size) + " bytes now, " + std::to_string(then.size) + " then";
    return false;
  }
  if (by_canonical && then.fingerprint != now.fingerprint) {
    *why = now.path + " has the same size but other content at its start or end (edited)";
    return false;
  }
  return true;
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
