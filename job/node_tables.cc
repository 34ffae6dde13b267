#include "job/node_tables.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/process_usage.h"
#include "job/rank_collectives.h"
#include "job/train_state.h"
#include "job/vocabulary_share.h"

namespace item2vec {
namespace {

constexpr std::uint64_t kTablesMagic = 0x31736c6261746e69ull;  // "intables1"

struct Header {
  std::uint64_t magic, size, item_bytes, fingerprint, table_size;
  std::int64_t total_count;
  double shard_distinct;
};

std::size_t Aligned(std::size_t n) { return (n + 7) / 8 * 8; }

// Byte offsets of the sections in the block.
struct Layout {
  std::size_t offsets, counts, table, keep, threshold, alias, bytes, end;
  Layout(std::size_t n, std::size_t table_size, std::size_t item_bytes) {
    offsets = Aligned(sizeof(Header));
    counts = offsets + 8 * (n + 1);
    table = counts + 8 * n;
    keep = Aligned(table + 4 * table_size);
    threshold = Aligned(keep + 4 * n);
    alias = Aligned(threshold + 4 * n);
    bytes = Aligned(alias + 4 * n);
    end = bytes + item_bytes;
  }
};

Layout LayoutOf(const VocabularySummary& s) {
  return Layout(s.size, Vocabulary::TableSize(s.size), s.item_bytes);
}

}  // namespace

std::size_t TablesBytes(const VocabularySummary& summary) { return LayoutOf(summary).end; }

protocol::RankUsage OwnRankUsage(int rank, const NodeTables& tables) {
  const ProcessUsage u = MeasureProcessUsage();
  protocol::RankUsage r{rank, u.peak_rss_bytes, u.cpu_seconds};
  if (tables.memory != nullptr) {
    r.tables_bytes = static_cast<std::int64_t>(tables.memory->size());
    r.tables_pss_bytes = tables.memory->ProportionalBytes();
  }
  return r;
}

void WriteTables(const Vocabulary& vocab, double sample, double exponent, char* block) {
  const VocabularySummary& s = vocab.summary();
  const Layout at = LayoutOf(s);
  const Header h{kTablesMagic, s.size, s.item_bytes, s.fingerprint, vocab.arrays().table_size, s.total_count,
                 s.shard_distinct};
  std::memcpy(block, &h, sizeof h);
  const VocabularyArrays& a = vocab.arrays();
  const std::size_t n = vocab.size();
  std::memcpy(block + at.offsets, a.offsets, 8 * (n + 1));
  std::memcpy(block + at.counts, a.counts, 8 * n);
  std::memcpy(block + at.table, a.table, 4 * a.table_size);
  std::memcpy(block + at.bytes, a.bytes, s.item_bytes);
  KeepProbabilities(vocab.counts(), sample, reinterpret_cast<float*>(block + at.keep));
  BuildAliasTable(vocab.counts(), exponent, reinterpret_cast<std::uint32_t*>(block + at.threshold),
                  reinterpret_cast<ItemId*>(block + at.alias), nullptr);
}

Result<Vocabulary> TablesOf(const std::shared_ptr<const NodeSharedMemory>& memory, SamplingView* sampling) {
  const char* block = memory->data();
  Header h;
  if (memory->size() < sizeof h) return Status::Corruption("the node's shared tables are truncated");
  std::memcpy(&h, block, sizeof h);
  VocabularySummary s;
  s.size = h.size;
  s.total_count = h.total_count;
  s.item_bytes = h.item_bytes;
  s.fingerprint = h.fingerprint;
  s.shard_distinct = h.shard_distinct;
  const Layout at = LayoutOf(s);
  if (h.magic != kTablesMagic || at.end > memory->size() || h.table_size != Vocabulary::TableSize(s.size))
    return Status::Corruption("the node's shared tables are not what rank 0 announced");
  VocabularyArrays a;
  a.bytes = block + at.bytes;
  a.offsets = reinterpret_cast<const std::uint64_t*>(block + at.offsets);
  a.counts = reinterpret_cast<const Count*>(block + at.counts);
  a.table = reinterpret_cast<const ItemId*>(block + at.table);
  a.table_size = h.table_size;
  sampling->keep = reinterpret_cast<const float*>(block + at.keep);
  sampling->threshold = reinterpret_cast<const std::uint32_t*>(block + at.threshold);
  sampling->alias = reinterpret_cast<const ItemId*>(block + at.alias);
  return Vocabulary::FromArrays(a, s, memory);
}

namespace {

// Each worker's node leader: the lowest worker of its host, where the host has /dev/shm;
// else the worker itself.
std::vector<int> NodeLeaders(const TrainJob& job, const std::vector<std::int64_t>& has_shm) {
  std::vector<int> leader(static_cast<std::size_t>(job.workers));
  for (int w = 0; w < job.workers; ++w) {
    leader[w] = w;
    if (has_shm[w] == 0) continue;
    for (int v = 0; v < w; ++v)
      if (has_shm[v] != 0 && job.transport->HostOf(v) == job.transport->HostOf(w)) {
        leader[w] = v;
        break;
      }
  }
  return leader;
}

constexpr const char* kTablesStem = "item2vec-tables";

// Named after the leader's pid and host (RemoveOrphans), the job and the leader's rank.
std::string TablesPath(const std::string& token, int leader, std::int64_t leader_pid) {
  return CreatorName(NodeSharedDirectory(), kTablesStem, static_cast<long>(leader_pid),
                     token + "-" + std::to_string(leader));
}

// A leader: the tables of killed jobs of this host go before a new block is made.
void RemoveStaleTables() {
  if (const int n = RemoveOrphans(NodeSharedDirectory(), kTablesStem); n > 0)
    spdlog::warn("removed {} stale {}/{}-* file(s) of job(s) killed while they built their tables", n,
                 NodeSharedDirectory(), kTablesStem);
}

// A leader: the tables of its vocabulary (with names) in a new block, shared or private.
void BuildTables(TrainJob* job, bool shared, const std::string& path, Result<Vocabulary>* vocab) {
  Transport& t = *job->transport;
  const std::size_t bytes = TablesBytes(vocab->value().summary());
  if (shared) RemoveStaleTables();
  Result<NodeSharedMemory> block = shared ? NodeSharedMemory::Create(path, bytes) : NodeSharedMemory::Private(bytes);
  if (!block.ok()) FailJob(t, block.status().WithContext("building the vocabulary's tables"));
  WriteTables(vocab->value(), job->options.sample, job->options.ns_exponent, block->data());
  if (Status ss = block->Seal(); !ss.ok()) FailJob(t, ss);
  job->tables.memory = std::make_shared<NodeSharedMemory>(std::move(block.value()));
  *vocab = TablesOf(job->tables.memory, &job->tables.sampling);  // the rank's own copy goes
  if (!vocab->ok()) FailJob(t, vocab->status());
}

// A worker beside its leader: maps the leader's block.
void MapTables(TrainJob* job, const std::string& path, Result<Vocabulary>* vocab) {
  Transport& t = *job->transport;
  const VocabularySummary summary = vocab->value().summary();
  Result<NodeSharedMemory> block = NodeSharedMemory::Open(path, TablesBytes(summary));
  if (!block.ok()) FailJob(t, block.status().WithContext("mapping the node's vocabulary tables"));
  job->tables.memory = std::make_shared<NodeSharedMemory>(std::move(block.value()));
  *vocab = TablesOf(job->tables.memory, &job->tables.sampling);
  if (!vocab->ok()) FailJob(t, vocab->status());
  if (vocab->value().Fingerprint() != summary.fingerprint)
    FailJob(t, Status::Corruption("the node's shared tables differ from rank 0's vocabulary"));
}

}  // namespace

std::optional<int> ShareNodeTables(TrainJob* job, bool servers_named, Result<Vocabulary>* vocab) {
  Transport& t = *job->transport;
  const int rank = job->rank;
  // The tables' size first: a worker whose /dev/shm has no room for them builds its own.
  Result<VocabularySummary> summary = Status::Internal("unset");
  if (rank == 0) summary = vocab->ok() ? Result<VocabularySummary>(vocab->value().summary()) : vocab->status();
  if (std::optional<int> exit = ShareFromRankZero(t, &summary)) return exit;
  // Per rank: whether it has /dev/shm with room, then its pid (the tables' names carry their
  // creator's: RemoveOrphans).
  std::vector<std::int64_t> has_shm(static_cast<std::size_t>(2 * job->world), 0);
  if (!job->is_server && !NodeSharedDirectory(TablesBytes(summary.value())).empty())
    has_shm[static_cast<std::size_t>(rank)] = 1;
  has_shm[static_cast<std::size_t>(job->world + rank)] = getpid();
  if (Status as = t.AllreduceInt64(&has_shm, Transport::Reduce::kSum); !as.ok()) FailJob(t, as);
  const std::vector<int> leader = NodeLeaders(*job, has_shm);
  std::vector<int> named;
  for (int w = 0; w < job->workers; ++w)
    if (leader[w] == w) named.push_back(w);
  if (servers_named)
    for (int r = job->workers; r < job->world; ++r) named.push_back(r);
  std::string token;
  if (rank == 0)
    token = std::to_string(getpid()) + "-" +
            std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000007);
  if (Status bs = t.Broadcast(&token, 0); !bs.ok()) FailJob(t, bs);
  if (std::optional<int> exit = ShareVocabulary(t, named, job->options.peer_timeout, vocab)) return exit;
  const bool worker = !job->is_server, leads = worker && leader[rank] == rank;
  const bool shared = worker && has_shm[rank] != 0;
  const std::string path = worker ? TablesPath(token, leader[rank], has_shm[job->world + leader[rank]]) : "";
  if (leads) BuildTables(job, shared, path, vocab);
  if (Status bs = t.Barrier(); !bs.ok()) FailJob(t, bs);  // every leader's block is written
  if (worker && !leads) MapTables(job, path, vocab);
  if (Status bs = t.Barrier(); !bs.ok()) FailJob(t, bs);  // every worker has mapped its node's block
  if (leads && shared) job->tables.memory->Unlink();
  for (int w = 0; w < job->workers && worker; ++w) job->tables.ranks_sharing += leader[w] == leader[rank];
  return std::nullopt;
}

}  // namespace item2vec
