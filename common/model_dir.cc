#include "common/model_dir.h"

#include "common/atomic_file.h"
#include "common/job_result.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace item2vec {
namespace {

// "model.N" -> N, or -1.
long long ModelNumber(const std::string& name) {
  const std::string prefix = std::string(kModelLink) + ".";
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return -1;
  long long n = 0;
  for (std::size_t i = prefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || n > 1000000000000LL) return -1;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

// The names train writes directly in DIR: the link, the fixed links and the job result.
bool IsOurName(const std::string& name) {
  if (name == kModelLink || name == kJobResultFile || name == kReportLink) return true;
  for (const std::string& f : ModelFiles())
    if (name == f) return true;
  return false;
}

// "NAME.tmp.PID" for one of our names: what AtomicFile and ReplaceWithLink write there
// before their rename.
bool IsOurTempName(const std::string& name) {
  std::string base;
  return IsAtomicTempName(name, &base) && IsOurName(base);
}

// A model.N directory StageModel (or the adoption of a flat model) made: it holds the marker.
bool IsStagedByUs(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(fs::symlink_status(dir, ec)) && fs::exists(dir / kStagedMarker, ec);
}

Status WriteMarker(const std::string& staged) {
  const std::string marker = staged + "/" + kStagedMarker;
  const int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create '" + marker + "': " + std::strerror(errno));
  ::close(fd);
  return Status::Ok();
}

// The name model.N that DIR/model points to, or "" when DIR has no such link.
std::string PublishedName(const std::string& dir) {
  std::error_code ec;
  const fs::path link = fs::path(dir) / kModelLink;
  if (!fs::is_symlink(fs::symlink_status(link, ec))) return "";
  const fs::path target = fs::read_symlink(link, ec);
  if (ec) return "";
  return target.filename().string();
}

Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open directory '" + dir + "': " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Status::IOError("cannot sync directory '" + dir + "': " + std::strerror(err));
  return Status::Ok();
}

// Points DIR/NAME at TARGET with one rename of a new link (made under a temporary name).
Status ReplaceWithLink(const std::string& dir, const std::string& name, const std::string& target) {
  const std::string path = dir + "/" + name;
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  ::unlink(temp.c_str());
  if (::symlink(target.c_str(), temp.c_str()) != 0)
    return Status::IOError("cannot create link '" + temp + "': " + std::strerror(errno));
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return Status::IOError("cannot rename link '" + temp + "' to '" + path + "': " + std::strerror(err) +
                           (err == EISDIR ? " (remove or rename that directory: it is where the model link goes)" : ""));
  }
  return Status::Ok();
}

// The flat layout: DIR/vectors.bin etc. as regular files and no DIR/model link. Their
// hard links (or copies) in DIR/model.0 become the published model first.
Status AdoptFlatModel(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(fs::path(dir) / kModelLink, ec))) return Status::Ok();
  std::vector<std::string> flat;
  for (const std::string& f : ModelFiles())
    if (fs::is_regular_file(fs::symlink_status(fs::path(dir) / f, ec))) flat.push_back(f);
  if (flat.empty()) return Status::Ok();
  const std::string adopted = dir + "/" + kModelLink + ".0";
  if (fs::exists(fs::symlink_status(adopted, ec)) && !IsStagedByUs(adopted))
    return Status::IOError("cannot adopt the flat model of '" + dir + "': '" + adopted +
                           "' exists and was not written by item2vec; move it away");
  fs::remove_all(adopted, ec);
  fs::create_directory(adopted, ec);
  if (ec) return Status::IOError("cannot create '" + adopted + "': " + ec.message());
  ITEM2VEC_RETURN_IF_ERROR(WriteMarker(adopted));
  for (const std::string& f : flat) {
    fs::create_hard_link(fs::path(dir) / f, fs::path(adopted) / f, ec);
    if (ec) fs::copy_file(fs::path(dir) / f, fs::path(adopted) / f, fs::copy_options::overwrite_existing, ec);
    if (ec) return Status::IOError("cannot keep the previous model's '" + f + "' in '" + adopted + "': " + ec.message());
  }
  ITEM2VEC_RETURN_IF_ERROR(SyncDir(adopted));
  ITEM2VEC_RETURN_IF_ERROR(ReplaceWithLink(dir, kModelLink, std::string(kModelLink) + ".0"));
  for (const std::string& f : flat)
    ITEM2VEC_RETURN_IF_ERROR(ReplaceWithLink(dir, f, std::string(kModelLink) + "/" + f));
  return SyncDir(dir);
}

}  // namespace

const std::vector<std::string>& ModelFiles() {
  static const std::vector<std::string> files = {"vectors.txt", "vectors.bin", "output_vectors.i2v", "vocab.tsv",
                                                 "train.json"};
  return files;
}

Result<int> RemoveModelDebris(const std::string& dir) {
  const std::string published = PublishedName(dir);
  std::error_code ec;
  std::vector<fs::path> debris;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool unpublished_model = ModelNumber(name) >= 0 && name != published && IsStagedByUs(entry.path());
    const bool temp_file = IsOurTempName(name) && !entry.is_directory(ec);
    if (unpublished_model || temp_file) debris.push_back(entry.path());
  }
  if (ec) return Status::IOError("cannot list output directory '" + dir + "': " + ec.message());
  for (const fs::path& p : debris) {
    fs::remove_all(p, ec);
    if (ec) return Status::IOError("cannot remove '" + p.string() + "' left by an earlier run: " + ec.message());
  }
  return static_cast<int>(debris.size());
}

Status CheckOutputNamesAreOurs(const std::string& dir) {
  std::error_code ec;
  const auto refuse = [&](const std::string& name, const std::string& what) {
    return Status::InvalidArgument("'" + dir + "/" + name + "' is " + what +
                                   ", which item2vec train did not write and would replace; move it away or "
                                   "choose another --output");
  };
  const fs::path link = fs::path(dir) / kModelLink;
  const fs::file_status link_status = fs::symlink_status(link, ec);
  if (fs::exists(link_status)) {
    if (!fs::is_symlink(link_status)) return refuse(kModelLink, "not the link to a model (model.N)");
    const fs::path target = fs::read_symlink(link, ec);
    if (ec || target.has_parent_path() || ModelNumber(target.string()) < 0)
      return refuse(kModelLink, "a link to '" + target.string() + "', not to a model.N of this directory");
  }
  for (const std::string& f : ModelFiles()) {
    const fs::path p = fs::path(dir) / f;
    const fs::file_status st = fs::symlink_status(p, ec);
    if (!fs::exists(st) || fs::is_regular_file(st)) continue;  // absent, or a flat model's file (adopted)
    if (!fs::is_symlink(st)) return refuse(f, "neither a file nor the link to model/" + f);
    if (fs::read_symlink(p, ec).string() != std::string(kModelLink) + "/" + f)
      return refuse(f, "a link to '" + fs::read_symlink(p, ec).string() + "', not to model/" + f);
  }
  // The run report's link (written after the switch): only ever a link to model/report.html.
  const fs::path report = fs::path(dir) / kReportLink;
  const fs::file_status report_status = fs::symlink_status(report, ec);
  if (fs::exists(report_status) &&
      (!fs::is_symlink(report_status) || fs::read_symlink(report, ec).string() != std::string(kModelLink) + "/" + kReportLink))
    return refuse(kReportLink, "not the link to model/" + std::string(kReportLink));
  const fs::path result = fs::path(dir) / kJobResultFile;
  if (fs::exists(fs::symlink_status(result, ec))) {
    std::ifstream in(result);
    std::string first;
    std::getline(in, first);
    const bool ours = fs::is_regular_file(fs::symlink_status(result, ec)) &&
                      (first == "running" || (!first.empty() && first.size() <= 4 &&
                                              first.find_first_not_of("0123456789") == std::string::npos));
    if (!ours) return refuse(kJobResultFile, "not a job result (an exit code or 'running' on its first line)");
  }
  return Status::Ok();
}

Result<std::string> StageModel(const std::string& dir) {
  long long next = 1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    next = std::max(next, ModelNumber(entry.path().filename().string()) + 1);
  if (ec) return Status::IOError("cannot list output directory '" + dir + "': " + ec.message());
  const std::string staged = dir + "/" + kModelLink + "." + std::to_string(next);
  if (!fs::create_directory(staged, ec) || ec)
    return Status::IOError("cannot create '" + staged + "': " + (ec ? ec.message() : std::string("it exists")));
  ITEM2VEC_RETURN_IF_ERROR(WriteMarker(staged));
  return staged;
}

Status PublishModel(const std::string& dir, const std::string& staged) {
  const std::string name = fs::path(staged).filename().string();
  if (ModelNumber(name) < 0 || fs::path(staged).parent_path() != fs::path(dir))
    return Status::Internal("PublishModel: '" + staged + "' is not a staged model of '" + dir + "'");
  ITEM2VEC_RETURN_IF_ERROR(SyncDir(staged));
  ITEM2VEC_RETURN_IF_ERROR(AdoptFlatModel(dir));
  const std::string previous = PublishedName(dir);
  // The one step that switches the model.
  ITEM2VEC_RETURN_IF_ERROR(ReplaceWithLink(dir, kModelLink, name));
  ITEM2VEC_RETURN_IF_ERROR(SyncDir(dir));
  // The fixed links; each already points through DIR/model when it exists.
  std::error_code ec;
  for (const std::string& f : ModelFiles()) {
    const fs::path p = fs::path(dir) / f;
    const std::string want = std::string(kModelLink) + "/" + f;
    if (fs::is_symlink(fs::symlink_status(p, ec)) && fs::read_symlink(p, ec).string() == want) continue;
    ITEM2VEC_RETURN_IF_ERROR(ReplaceWithLink(dir, f, want));
  }
  ITEM2VEC_RETURN_IF_ERROR(SyncDir(dir));
  if (!previous.empty() && previous != name) {
    fs::remove_all(fs::path(dir) / previous, ec);
    if (ec) return Status::IOError("published the new model but cannot remove the previous one '" + dir + "/" +
                                   previous + "': " + ec.message());
  }
  return Status::Ok();
}

void DiscardStagedModel(const std::string& staged) {
  std::error_code ec;
  fs::remove_all(staged, ec);
}

Status LinkPublishedFile(const std::string& dir, const std::string& name) {
  const std::string target = std::string(kModelLink) + "/" + name;
  std::error_code ec;
  const fs::path path = fs::path(dir) / name;
  const fs::file_status st = fs::symlink_status(path, ec);
  if (fs::exists(st) && (!fs::is_symlink(st) || fs::read_symlink(path, ec).string() != target))
    return Status::InvalidArgument("'" + path.string() + "' exists and is not the link to " + target +
                                   " item2vec writes; move it away");
  return ReplaceWithLink(dir, name, target);
}

std::string ResolveModelDir(const std::string& dir) {
  std::error_code ec;
  const fs::path link = fs::path(dir) / kModelLink;
  if (!fs::is_symlink(fs::symlink_status(link, ec))) return dir;
  const fs::path target = fs::canonical(link, ec);
  if (ec || !fs::is_directory(target, ec)) return dir;
  return target.string();
}

}  // namespace item2vec
