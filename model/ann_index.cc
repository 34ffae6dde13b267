#include "model/ann_index.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <hnswlib/hnswlib.h>

#include "common/atomic_file.h"
#include "common/hash.h"

namespace item2vec {
namespace fs = std::filesystem;

struct AnnIndex::Impl {
  std::unique_ptr<hnswlib::SpaceInterface<float>> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
};

namespace {

constexpr char kMagic[] = "item2vec-hnsw-index 1";

std::unique_ptr<hnswlib::SpaceInterface<float>> MakeSpace(Similarity s, int dim) {
  if (s == Similarity::kEuclidean) return std::make_unique<hnswlib::L2Space>(static_cast<std::size_t>(dim));
  return std::make_unique<hnswlib::InnerProductSpace>(static_cast<std::size_t>(dim));
}

// Runs fn(worker, i) for i in [0, n) on `threads` threads (the caller is worker 0).
template <typename Fn>
void ParallelFor(std::size_t n, int threads, Fn fn) {
  std::atomic<std::size_t> next{0};
  const auto work = [&](int worker) {
    for (std::size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(worker, i);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && static_cast<std::size_t>(t) < n; ++t) {
    try {
      pool.emplace_back(work, t);
    } catch (const std::system_error&) {
      break;  // fewer threads: the others finish the work
    }
  }
  work(0);
  for (std::thread& t : pool) t.join();
}

std::string Hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

Status FsyncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return Status::IOError("cannot reopen '" + path + "' to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::IOError("fsync of '" + path + "' failed");
}

}  // namespace

IndexPaths IndexPathsFor(const std::string& vectors_path, Similarity similarity) {
  IndexPaths p;
  const fs::path v(vectors_path);
  p.dir = v.parent_path().empty() ? std::string(".") : v.parent_path().string();
  p.stem = v.filename().string() + "." + SimilarityName(similarity) + ".";
  p.meta = vectors_path + "." + SimilarityName(similarity) + ".index";
  return p;
}

std::uint64_t ModelFingerprint(const LoadedModel& model) {
  std::uint64_t h = kFnvOffsetBasis;
  for (const std::string& item : model.items) h = Fnv1a64(item, Fnv1a64(std::string_view("\n", 1), h));
  const std::vector<float>& v = model.matrix.values();
  std::uint64_t acc = MurmurMix64(h ^ (static_cast<std::uint64_t>(model.matrix.dim()) << 32 | model.items.size()));
  std::size_t i = 0;
  for (; i + 1 < v.size(); i += 2) {
    std::uint64_t w;
    std::memcpy(&w, &v[i], sizeof w);
    acc = MurmurMix64(acc ^ w, 1) + kFnvPrime;
  }
  if (i < v.size()) {
    std::uint32_t w;
    std::memcpy(&w, &v[i], sizeof w);
    acc = MurmurMix64(acc ^ w, 1);
  }
  return MurmurMix64(acc);
}

AnnIndex::AnnIndex() : impl_(std::make_unique<Impl>()) {}
AnnIndex::~AnnIndex() = default;

std::size_t AnnIndex::size() const { return impl_->graph ? impl_->graph->cur_element_count : 0; }

Status ValidateAnnBuildOptions(const AnnBuildOptions& o) {
  if (o.m < 2 || o.m > 512) return Status::InvalidArgument("--m must be between 2 and 512, got " + std::to_string(o.m));
  if (o.ef_construction < 1) return Status::InvalidArgument("--ef-construction must be at least 1");
  if (o.threads < 1) return Status::InvalidArgument("build threads must be at least 1");
  return Status::Ok();
}

Result<std::unique_ptr<AnnIndex>> AnnIndex::Build(const ItemMatrix& m, const AnnBuildOptions& o) {
  ITEM2VEC_RETURN_IF_ERROR(ValidateAnnBuildOptions(o));
  if (m.size() == 0) return Status::InvalidArgument("the model has no items to index");
  std::unique_ptr<AnnIndex> index(new AnnIndex());
  index->similarity_ = m.similarity();
  index->dim_ = m.dim();
  index->m_ = o.m;
  index->ef_construction_ = o.ef_construction;
  Impl& impl = *index->impl_;
  impl.space = MakeSpace(m.similarity(), m.dim());
  try {
    impl.graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(impl.space.get(), m.size(), o.m,
                                                                   o.ef_construction, o.seed);
    const int d = m.dim();
    std::vector<std::vector<float>> rows(static_cast<std::size_t>(o.threads), std::vector<float>(d));
    std::vector<float> first(d);
    m.CopyRow(0, first.data());
    impl.graph->addPoint(first.data(), 0);
    ParallelFor(m.size() - 1, o.threads, [&](int worker, std::size_t i) {
      std::vector<float>& row = rows[static_cast<std::size_t>(worker)];
      m.CopyRow(i + 1, row.data());
      impl.graph->addPoint(row.data(), i + 1);
    });
  } catch (const std::exception& e) {
    return Status::Internal(std::string("building the HNSW index failed: ") + e.what());
  }
  return index;
}

Status AnnIndex::Save(const IndexPaths& paths, std::uint64_t fingerprint, const std::string& model_vectors) const {
  const std::string id = Hex(fingerprint ^ MurmurMix64(static_cast<std::uint64_t>(
                                               std::chrono::system_clock::now().time_since_epoch().count()) ^
                                           static_cast<std::uint64_t>(::getpid())));
  const std::string graph_name = paths.stem + id + ".hnsw";
  const std::string graph_path = paths.dir + "/" + graph_name;
  const std::string temp = graph_path + ".tmp." + std::to_string(::getpid());
  try {
    impl_->graph->saveIndex(temp);
  } catch (const std::exception& e) {
    fs::remove(temp);
    return Status::IOError("writing '" + temp + "' failed: " + e.what());
  }
  std::error_code ec;
  const std::uintmax_t bytes = fs::file_size(temp, ec);
  if (ec || bytes == 0) {
    fs::remove(temp, ec);
    return Status::IOError("writing '" + temp + "' failed (disk full?)");
  }
  if (Status st = FsyncFile(temp); !st.ok()) {
    fs::remove(temp, ec);
    return st;
  }
  fs::rename(temp, graph_path, ec);
  if (ec) {
    fs::remove(temp, ec);
    return Status::IOError("renaming '" + temp + "' to '" + graph_path + "' failed: " + ec.message());
  }
  std::ostringstream meta;
  meta << kMagic << "\n"
       << "metric " << SimilarityName(similarity_) << "\n"
       << "items " << size() << "\n"
       << "dim " << dim_ << "\n"
       << "m " << m_ << "\n"
       << "ef_construction " << ef_construction_ << "\n"
       << "model_fingerprint " << Hex(fingerprint) << "\n"
       << "graph " << graph_name << "\n"
       << "graph_bytes " << bytes << "\n"
       << "model_vectors " << model_vectors << "\n";
  if (Status st = WriteFileAtomically(paths.meta, meta.str()); !st.ok()) {
    fs::remove(graph_path, ec);
    return st.WithContext("writing the index description");
  }
  // Older graphs of this metric are no longer named by META; temporaries of builds that were
  // killed (their process is gone) are debris.
  for (const fs::directory_entry& e : fs::directory_iterator(paths.dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name == graph_name || name.rfind(paths.stem, 0) != 0) continue;
    const std::size_t tmp = name.rfind(".hnsw.tmp.");
    if (tmp != std::string::npos) {
      const long pid = std::strtol(name.c_str() + tmp + 10, nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove(e.path(), ec);
    } else if (name.size() > 5 && name.compare(name.size() - 5, 5, ".hnsw") == 0) {
      fs::remove(e.path(), ec);
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<AnnIndex>> AnnIndex::Load(const IndexPaths& paths, const ItemMatrix& m, std::uint64_t fingerprint) {
  const std::string metric = SimilarityName(m.similarity());
  // The vectors file the index sits next to: "--model" of a rebuild writes it there again.
  const std::string vectors = paths.meta.substr(0, paths.meta.size() - metric.size() - 7);
  const std::string command = "`item2vec index --model " + vectors + " --metric " + metric + "`";
  const std::string rebuild = "rebuild it with " + command;
  std::ifstream in(paths.meta);
  if (!in)
    return Status::NotFound("no " + metric + " index for this model: '" + paths.meta +
                            "' does not exist (build one with " + command + ")");
  std::string line;
  if (!std::getline(in, line) || line != kMagic)
    return Status::DataError("'" + paths.meta + "' is not an item2vec index description (first line '" + line +
                             "'); " + rebuild);
  std::map<std::string, std::string> kv;
  while (std::getline(in, line)) {
    const std::size_t sp = line.find(' ');
    if (sp != std::string::npos) kv[line.substr(0, sp)] = line.substr(sp + 1);
  }
  const auto num = [&](const std::string& key) -> long long {
    auto it = kv.find(key);
    return it == kv.end() ? -1 : std::strtoll(it->second.c_str(), nullptr, 10);
  };
  std::string mismatch;
  if (kv["metric"] != metric) mismatch = "metric " + kv["metric"] + ", not " + metric;
  else if (num("items") != static_cast<long long>(m.size()))
    mismatch = std::to_string(num("items")) + " items, the model has " + std::to_string(m.size());
  else if (num("dim") != m.dim())
    mismatch = "dim " + std::to_string(num("dim")) + ", the model has " + std::to_string(m.dim());
  else if (kv["model_fingerprint"] != Hex(fingerprint))
    mismatch = "model fingerprint " + kv["model_fingerprint"] + ", the model's is " + Hex(fingerprint) +
               " (the vectors changed since the index was built)";
  if (!mismatch.empty())
    return Status::DataError("stale index '" + paths.meta + "': built from another model version (" + mismatch +
                             "; built from '" + kv["model_vectors"] + "'); " + rebuild);
  const std::string graph_path = paths.dir + "/" + kv["graph"];
  std::error_code ec;
  const std::uintmax_t bytes = fs::file_size(graph_path, ec);
  if (ec || static_cast<long long>(bytes) != num("graph_bytes"))
    return Status::DataError("index graph '" + graph_path + "' named by '" + paths.meta + "' is " +
                             (ec ? std::string("missing") : std::to_string(bytes) + " bytes, expected " + kv["graph_bytes"]) +
                             "; " + rebuild);
  std::unique_ptr<AnnIndex> index(new AnnIndex());
  index->similarity_ = m.similarity();
  index->dim_ = m.dim();
  index->m_ = static_cast<int>(num("m"));
  index->ef_construction_ = static_cast<int>(num("ef_construction"));
  index->impl_->space = MakeSpace(m.similarity(), m.dim());
  try {
    index->impl_->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(index->impl_->space.get(), graph_path);
  } catch (const std::exception& e) {
    return Status::DataError("index graph '" + graph_path + "' cannot be read (" + e.what() + "); " + rebuild);
  }
  if (index->size() != m.size())
    return Status::DataError("index graph '" + graph_path + "' holds " + std::to_string(index->size()) +
                             " items, the model " + std::to_string(m.size()) + "; " + rebuild);
  return index;
}

Status AnnIndex::Search(const ItemMatrix& m, const QuerySet& qs, int top_k, int ef, int threads,
                        SearchResults* out) const {
  if (top_k < 1) return Status::InvalidArgument("top-k must be at least 1 for an index search");
  if (ef < 1) return Status::InvalidArgument("--ef must be at least 1");
  if (threads < 1) return Status::InvalidArgument("search threads must be at least 1");
  if (m.dim() != dim_ || m.size() != size() || m.similarity() != similarity_)
    return Status::InvalidArgument("the index was not built from this matrix");
  const std::size_t k = static_cast<std::size_t>(top_k);
  out->rank.assign(qs.count, 0);
  out->top_items.assign(qs.count * k, -1);
  out->top_scores.assign(qs.count * k, -std::numeric_limits<float>::infinity());
  if (qs.count == 0) return Status::Ok();
  hnswlib::HierarchicalNSW<float>& g = *impl_->graph;
  // searchKnn widens to max(ef, k) itself; the base width is set once, before the threads.
  g.setEf(static_cast<std::size_t>(ef));
  const int d = m.dim();
  std::atomic<bool> failed{false};
  // Per worker: the re-scored candidates of its current query (hnswlib's own result heap
  // is allocated inside searchKnn).
  std::vector<std::vector<std::pair<float, std::int64_t>>> scratch(static_cast<std::size_t>(threads));
  for (auto& s : scratch) s.reserve(k + 64);
  ParallelFor(qs.count, threads, [&](int worker, std::size_t q) {
    const float* v = qs.vectors + q * static_cast<std::size_t>(d);
    const std::size_t ex_n = qs.exclude_begin ? qs.exclude_begin[q + 1] - qs.exclude_begin[q] : 0;
    const ItemId* ex = ex_n ? qs.exclude + qs.exclude_begin[q] : nullptr;
    std::vector<std::pair<float, std::int64_t>>& found = scratch[static_cast<std::size_t>(worker)];
    found.clear();
    try {
      auto heap = g.searchKnn(v, std::min(m.size(), k + ex_n));
      for (; !heap.empty(); heap.pop()) {
        const std::int64_t item = static_cast<std::int64_t>(heap.top().second);
        if (ex != nullptr && std::find(ex, ex + ex_n, static_cast<ItemId>(item)) != ex + ex_n) continue;
        found.emplace_back(m.Dot(v, static_cast<std::size_t>(item)), item);
      }
    } catch (const std::exception&) {
      failed = true;
      return;
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    if (found.size() > k) found.resize(k);
    const std::int64_t target = qs.targets ? qs.targets[q] : -1;
    for (std::size_t i = 0; i < found.size(); ++i) {
      out->top_items[q * k + i] = found[i].second;
      out->top_scores[q * k + i] = found[i].first;
      if (found[i].second == target) out->rank[q] = static_cast<std::int64_t>(i + 1);
    }
  });
  if (failed) return Status::Internal("the HNSW search failed");
  return Status::Ok();
}

}  // namespace item2vec
