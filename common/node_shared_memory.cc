#include "common/node_shared_memory.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <utility>

namespace item2vec {
namespace {

std::size_t PageRounded(std::size_t bytes) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return bytes == 0 ? page : (bytes + page - 1) / page * page;
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " '" + path + "': " + std::strerror(errno));
}

}  // namespace

NodeSharedMemory::~NodeSharedMemory() { Release(); }

NodeSharedMemory::NodeSharedMemory(NodeSharedMemory&& other) noexcept { *this = std::move(other); }

NodeSharedMemory& NodeSharedMemory::operator=(NodeSharedMemory&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
    path_ = std::move(other.path_);
    owns_name_ = std::exchange(other.owns_name_, false);
  }
  return *this;
}

void NodeSharedMemory::Release() {
  if (data_ != nullptr) munmap(data_, mapped_);
  if (owns_name_) ::unlink(path_.c_str());
  data_ = nullptr;
  owns_name_ = false;
}

Result<NodeSharedMemory> NodeSharedMemory::Create(const std::string& path, std::size_t bytes) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create the node's shared tables", path);
  NodeSharedMemory m;
  m.path_ = path;
  m.owns_name_ = true;
  m.size_ = bytes;
  m.mapped_ = PageRounded(bytes);
  // posix_fallocate reserves tmpfs pages now: a full /dev/shm fails here, not with SIGBUS later.
  if (const int rc = posix_fallocate(fd, 0, static_cast<off_t>(m.mapped_)); rc != 0) {
    ::close(fd);
    errno = rc;
    return Errno("cannot size the node's shared tables", path);
  }
  void* p = mmap(nullptr, m.mapped_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return Errno("cannot map the node's shared tables", path);
  m.data_ = static_cast<char*>(p);
  return m;
}

Result<NodeSharedMemory> NodeSharedMemory::Open(const std::string& path, std::size_t bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open the node's shared tables", path);
  struct stat st {};
  const std::size_t mapped = PageRounded(bytes);
  if (fstat(fd, &st) != 0 || static_cast<std::size_t>(st.st_size) < mapped) {
    ::close(fd);
    return Status::Corruption("the node's shared tables '" + path + "' are not the size rank 0 announced");
  }
  // MAP_POPULATE: the pages are in memory already (the leader wrote them); mapping them all now
  // makes each rank's Pss its share of the whole block, whatever it reads later.
  void* p = mmap(nullptr, mapped, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return Errno("cannot map the node's shared tables", path);
  NodeSharedMemory m;
  m.data_ = static_cast<char*>(p);
  m.size_ = bytes;
  m.mapped_ = mapped;
  m.path_ = path;
  return m;
}

Result<NodeSharedMemory> NodeSharedMemory::Private(std::size_t bytes) {
  NodeSharedMemory m;
  m.size_ = bytes;
  m.mapped_ = PageRounded(bytes);
  void* p = mmap(nullptr, m.mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return Status::IOError(std::string("cannot allocate the vocabulary's tables: ") + std::strerror(errno));
  m.data_ = static_cast<char*>(p);
  return m;
}

Status NodeSharedMemory::Seal() {
  if (mprotect(data_, mapped_, PROT_READ) != 0) return Errno("cannot make read-only", path_.empty() ? "tables" : path_);
  return Status::Ok();
}

void NodeSharedMemory::Unlink() {
  if (owns_name_) ::unlink(path_.c_str());
  owns_name_ = false;
}

std::int64_t NodeSharedMemory::ProportionalBytes() const {
  std::ifstream in("/proc/self/smaps");
  char range[64];
  std::snprintf(range, sizeof range, "%lx-", reinterpret_cast<unsigned long>(data_));
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.compare(0, std::strlen(range), range) == 0) {
      inside = true;
    } else if (inside && line.compare(0, 4, "Pss:") == 0) {
      return std::atoll(line.c_str() + 4) * 1024;
    }
  }
  return 0;
}

namespace {

std::string ThisHost() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "unknown";
  return host;
}

// The creator's pid of `name` if it is stem-<pid>-<this host>-..., else 0.
long CreatorOf(const std::string& name, const std::string& stem, const std::string& host) {
  const std::string head = stem + "-";
  if (name.compare(0, head.size(), head) != 0) return 0;
  std::size_t i = head.size();
  long pid = 0;
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9' && pid < (1L << 40); ++i) pid = pid * 10 + (name[i] - '0');
  const std::string tail = "-" + host + "-";
  return name.compare(i, tail.size(), tail) == 0 ? pid : 0;
}

}  // namespace

std::string CreatorName(const std::string& dir, const std::string& stem, long pid, const std::string& rest) {
  return dir + "/" + stem + "-" + std::to_string(pid) + "-" + ThisHost() + "-" + rest;
}

int RemoveOrphans(const std::string& dir, const std::string& stem) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return 0;
  const std::string host = ThisHost();
  int removed = 0;
  while (const dirent* e = readdir(d)) {
    const long pid = CreatorOf(e->d_name, stem, host);
    if (pid <= 0 || pid == getpid() || kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    if (::unlink((dir + "/" + e->d_name).c_str()) == 0) ++removed;
  }
  closedir(d);
  return removed;
}

std::string NodeSharedDirectory(std::size_t bytes) {
  struct stat st {};
  if (stat("/dev/shm", &st) != 0 || !S_ISDIR(st.st_mode) || access("/dev/shm", W_OK) != 0) return "";
  struct statvfs fs {};
  if (statvfs("/dev/shm", &fs) != 0) return "";
  const double room = static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
  return room >= static_cast<double>(PageRounded(bytes)) ? "/dev/shm" : "";
}

}  // namespace item2vec
