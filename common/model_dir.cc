#include "common/model_dir.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

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

// "NAME.tmp.PID": what AtomicFile and ReplaceWithLink write before their rename.
bool IsTempName(const std::string& name) {
  const std::size_t at = name.rfind(".tmp.");
  if (at == std::string::npos || at + 5 == name.size()) return false;
  for (std::size_t i = at + 5; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  return true;
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
  fs::remove_all(adopted, ec);
  fs::create_directory(adopted, ec);
  if (ec) return Status::IOError("cannot create '" + adopted + "': " + ec.message());
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
    const bool unpublished_model = ModelNumber(name) >= 0 && name != published;
    const bool temp_file = IsTempName(name) && !entry.is_directory(ec);
    if (unpublished_model || temp_file) debris.push_back(entry.path());
  }
  if (ec) return Status::IOError("cannot list output directory '" + dir + "': " + ec.message());
  for (const fs::path& p : debris) {
    fs::remove_all(p, ec);
    if (ec) return Status::IOError("cannot remove '" + p.string() + "' left by an earlier run: " + ec.message());
  }
  return static_cast<int>(debris.size());
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
  return ReplaceWithLink(dir, name, std::string(kModelLink) + "/" + name);
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
