#include "worker/train_job.h"

#include <chrono>
#include <cstdlib>
#include <optional>
#include <iostream>

#include <spdlog/spdlog.h>

#include "common/atomic_file.h"
#include "common/checkpoint.h"
#include "common/stop_signal.h"
#include "common/faulty_transport.h"
#include "common/input_files.h"
#include "common/json_writer.h"
#include "common/logging.h"
#include "common/mpi_transport.h"
#include "common/sequence_reader.h"
#include "common/serialize.h"
#include "common/train_options.h"
#include "common/vocabulary.h"
#include "ps/cooccurrence_init.h"
#include "ps/partition.h"
#include "ps/protocol.h"
#include "ps/server.h"
#include "ps/shard_checkpoint.h"
#include "ps/shard_store.h"
#include "ps/warm_start.h"
#include "worker/memory_plan.h"
#include "worker/checkpointing.h"
#include "worker/model_writer.h"
#include "worker/progress.h"
#include "worker/worker.h"

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;

// A status travelling from rank 0 to all ranks with the data of a setup step.
template <typename T>
struct Shared {
  int code = 0;
  std::string message;
  T value;
  template <class Archive>
  void serialize(Archive& ar, unsigned) { ar& code; ar& message; ar& value; }
};

template <typename T>
Status BroadcastResult(Transport& t, Result<T>* result) {
  Shared<T> msg;
  std::string bytes;
  if (t.rank() == 0) {
    msg.code = static_cast<int>(result->status().code());
    msg.message = result->status().message();
    if (result->ok()) msg.value = std::move(result->value());
    bytes = ToBytes(msg);
  }
  ITEM2VEC_RETURN_IF_ERROR(t.Broadcast(&bytes, 0));
  ITEM2VEC_RETURN_IF_ERROR(FromBytes(bytes, &msg));
  if (msg.code != 0) {
    *result = Status::Make(static_cast<Status::Code>(msg.code), msg.message);
  } else {
    *result = std::move(msg.value);
  }
  return Status::Ok();
}

// Ends the job from one rank: the message names the rank and the cause.
[[noreturn]] void FailJob(Transport& t, const Status& st) {
  spdlog::error("{}", st.ToString());
  spdlog::error("ending the job (exit code {})", ExitCodeOf(st));
  spdlog::default_logger()->flush();
  t.Abort(ExitCodeOf(st));
  std::abort();  // not reached: Abort does not return
}

Status CountShard(const std::vector<InputFile>& files, int worker, int num_workers, std::int64_t max_sentence,
                  ItemCounter* counter) {
  SequenceReader reader(files, ShardRanges(files, worker, num_workers), max_sentence);
  std::vector<std::string_view> items;
  while (reader.Next(&items))
    for (std::string_view item : items) counter->Add(item);
  return reader.status();
}

// Merges the workers' values into worker 0 along a binary tree (log2 W rounds): in the
// round of `step`, worker w with w % 2step == step sends its value to w - step and is done.
// Each send and each receive waits at most `timeout` seconds. merge(T* into, T&& other)
// returns a Status.
template <typename T, typename MergeFn>
Status MergeTree(Transport& t, int worker, int num_workers, int tag, double timeout, const std::string& what,
                 T* value, MergeFn merge) {
  for (int step = 1; step < num_workers; step *= 2) {
    if (worker % (2 * step) == step) {
      const std::string bytes = ToBytes(*value);
      const Transport::Handle h = t.Isend(worker - step, tag, bytes.data(), bytes.size());
      return t.Wait(h, timeout, "sending " + what + " to rank " + std::to_string(worker - step));
    }
    if (worker % (2 * step) == 0 && worker + step < num_workers) {
      const auto deadline = Clock::now() + std::chrono::duration<double>(timeout);
      Envelope e;
      Backoff backoff;
      while (!t.Probe(worker + step, tag, &e)) {
        if (Clock::now() > deadline)
          return Status::Timeout("rank " + std::to_string(worker + step) + " sent no " + what + " within " +
                                 std::to_string(static_cast<long long>(timeout)) + "s");
        backoff.Pause();
      }
      std::string bytes(e.bytes, '\0');
      ITEM2VEC_RETURN_IF_ERROR(t.Receive(e, bytes.data()));
      T other;
      ITEM2VEC_RETURN_IF_ERROR(
          FromBytes(bytes, &other).WithContext(what + " from rank " + std::to_string(worker + step)));
      ITEM2VEC_RETURN_IF_ERROR(merge(value, std::move(other)));
    }
  }
  return Status::Ok();
}

// Merges the workers' item counters into worker 0. `timeout` bounds each wait for a peer's
// counts (the caller allows for the peer still counting).
Status MergeCounts(Transport& t, int worker, int num_workers, double timeout, ItemCounter* counter) {
  return MergeTree(t, worker, num_workers, protocol::kVocabCounts, timeout, "item counts", counter,
                   [](ItemCounter* into, ItemCounter&& other) {
                     into->Merge(other);
                     return Status::Ok();
                   });
}

// Rank 0: today's vocabulary from the merged counts. With --init-from, also the warm-start
// counts and, when new_ids is not null, the ids of today's items the previous model lacks.
Result<Vocabulary> FinishVocabulary(ItemCounter& counter, const TrainOptions& o, WarmStartCounts* warm,
                                    std::vector<ItemId>* new_ids) {
  std::optional<Vocabulary> previous;
  if (!o.init_from.empty()) {
    Result<Vocabulary> prev = ReadModelVocabulary(o.init_from, o.dim);
    if (!prev.ok()) return prev.status();
    previous = std::move(prev.value());
    if (o.keep_missing) AddMissingItems(*previous, o.min_count, &counter);
  }
  if (counter.total() == 0)
    return Status::DataError("the input holds no items: every --input file is empty or blank");
  Vocabulary vocab = Vocabulary::Build(counter, o.min_count, o.max_vocab);
  if (vocab.empty()) {
    Count top = 0;
    for (const auto& kv : counter.counts()) top = std::max(top, kv.second);
    return Status::DataError("the vocabulary is empty after --min-count " + std::to_string(o.min_count) +
                             ": " + std::to_string(counter.distinct()) + " distinct items, the most frequent seen " +
                             std::to_string(top) + " times; lower --min-count");
  }
  if (previous) {
    *warm = CompareVocabularies(*previous, vocab);
    if (new_ids != nullptr) {
      const std::vector<bool> is_new = NewItemMask(*previous, vocab);
      for (ItemId id = 0; id < is_new.size(); ++id)
        if (is_new[id]) new_ids->push_back(id);
    }
    spdlog::info("warm start from {}: {} items kept, {} added, {} dropped", o.init_from, warm->kept, warm->added,
                 warm->dropped);
  }
  return vocab;
}

// Where a resumed run starts: found = false means from the beginning.
struct ResumePoint {
  bool found = false;
  std::string path;
  CheckpointManifest manifest;
  template <class Archive>
  void serialize(Archive& ar, unsigned) { ar& found; ar& path; ar& manifest; }
};

// Rank 0: the newest checkpoint that verifies, checked against today's settings and input.
Result<ResumePoint> FindResumePoint(const TrainOptions& o, const std::vector<InputFile>& files) {
  ResumePoint point;
  std::vector<std::string> rejected;
  Result<CheckpointManifest> m = FindNewestValidCheckpoint(o.CheckpointDir(), &rejected);
  for (const std::string& r : rejected)
    spdlog::error("--resume: skipping damaged checkpoint {}; trying the one before it", r);
  if (!m.ok()) {
    if (m.status().code() != Status::Code::kNotFound) return m.status();
    if (rejected.empty()) {
      spdlog::info("--resume: no checkpoint in {}: starting from the beginning", o.CheckpointDir());
    } else {
      spdlog::warn("--resume: every checkpoint in {} is damaged: starting from the beginning", o.CheckpointDir());
    }
    return point;
  }
  const auto now = ResumeSettings(o);
  std::string diff;
  for (const auto& [key, value] : now) {
    std::string then = "(unset)";
    for (const auto& kv : m->settings)
      if (kv.first == key) then = kv.second;
    if (then != value) diff += (diff.empty() ? "" : ", ") + ("--" + key + " " + then + " then, " + value + " now");
  }
  const std::string ckpt = CheckpointPath(o.CheckpointDir(), m->sequence);
  if (!diff.empty())
    return Status::InvalidArgument("--resume: checkpoint " + ckpt + " was written with other settings (" + diff +
                                   "); use the same settings, or remove " + o.CheckpointDir() + " to start over");
  bool same_input = m->inputs.size() == files.size();
  for (std::size_t i = 0; same_input && i < files.size(); ++i)
    same_input = m->inputs[i].path == files[i].path && m->inputs[i].size == files[i].size;
  if (!same_input) {
    std::string then, now_files;
    for (const auto& f : m->inputs) then += " " + f.path + " (" + std::to_string(f.size) + " B)";
    for (const auto& f : files) now_files += " " + f.path + " (" + std::to_string(f.size) + " B)";
    return Status::InvalidArgument("--resume: the input changed since checkpoint " + ckpt + ": then" + then +
                                   "; now" + now_files + ". Resume with the same input, or remove " +
                                   o.CheckpointDir() + " to start over");
  }
  point.found = true;
  point.path = ckpt;
  point.manifest = std::move(m.value());
  spdlog::info("--resume: continuing from checkpoint {} ({}, {} workers and {} servers then)", ckpt,
               point.manifest.reason, point.manifest.num_workers, point.manifest.num_servers);
  return point;
}

// A worker's starting state when the checkpoint had another worker count: shards differ,
// so positions cannot carry over. Each worker starts its shard at the beginning of the
// epoch in progress and the learning rate continues from the global progress; worker 0
// carries the earlier counters. (With the same worker count the state is exact.)
Result<WorkerCheckpoint> RemapWorkerState(const ResumePoint& point, const TrainOptions& o,
                                          const std::vector<InputFile>& files, int worker, int workers,
                                          std::int64_t shard_words) {
  std::int64_t done = 0, total = 0;
  WorkerCheckpoint out;
  out.worker = worker;
  out.num_workers = workers;
  out.shard_words = shard_words;
  for (int w = 0; w < point.manifest.num_workers; ++w) {
    Result<WorkerCheckpoint> old = LoadWorkerCheckpoint(point.path, w);
    if (!old.ok()) return old.status();
    done += old->builder.words_done;
    total += static_cast<std::int64_t>(o.epochs) * old->shard_words;
    if (worker == 0) {
      const auto& r = old->report;
      out.report.words += r.words;
      out.report.raw_tokens += r.raw_tokens;
      out.report.pairs += r.pairs;
      out.report.split_lines += r.split_lines;
      out.report.seconds = std::max(out.report.seconds, r.seconds);
      out.report.bytes_sent += r.bytes_sent;
      out.report.bytes_received += r.bytes_received;
    }
  }
  const double progress = total > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 0;
  out.builder.epoch = std::min(o.epochs, static_cast<int>(progress * o.epochs));
  out.builder.words_done = static_cast<std::int64_t>(progress * static_cast<double>(o.epochs) * static_cast<double>(shard_words));
  const std::vector<FileRange> ranges = ShardRanges(files, worker, workers);
  out.builder.position = ReaderPosition{0, ranges.empty() ? 0 : ranges[0].begin, false};
  out.builder.rng = Rng(SeedFor(o.seed, 0x5eed ^ point.manifest.sequence, static_cast<std::uint64_t>(worker)));
  return out;
}

// --new-items cooccurrence, called by every rank: rank 0's new-item ids go to all ranks;
// each worker counts the kept items around new items in its shard (one extra pass); the
// counters merge into worker 0 along the tree; rank 0's K strongest neighbours per new item
// go to all ranks (the servers need them). Two broadcasts; every point-to-point wait has a
// deadline. A failing rank ends the job (FailJob), so no rank waits on it forever.
NewItemNeighbours FindNewItemNeighbours(Transport& t, const TrainOptions& o, const std::vector<InputFile>& files,
                                        const Vocabulary& vocab, std::vector<ItemId> new_ids, int workers) {
  const int rank = t.rank();
  const auto start = Clock::now();
  std::string bytes;
  if (rank == 0) bytes = ToBytes(new_ids);
  if (Status bs = t.Broadcast(&bytes, 0); !bs.ok()) FailJob(t, bs.WithContext("sending the new items"));
  if (Status fs = FromBytes(bytes, &new_ids); !fs.ok()) FailJob(t, fs.WithContext("receiving the new items"));
  NewItemNeighbours neighbours;
  if (new_ids.empty()) return neighbours;  // every rank knows: nothing to count
  const std::size_t capacity = 4 * static_cast<std::size_t>(o.new_item_neighbours);
  if (rank < workers) {
    std::vector<bool> is_new(vocab.size(), false);
    for (ItemId id : new_ids) {
      if (id >= vocab.size()) FailJob(t, Status::Corruption("new item id " + std::to_string(id) + " out of range"));
      is_new[id] = true;
    }
    CooccurrenceCounter counter(is_new, capacity);
    const auto count_start = Clock::now();
    Status cs = CountShardCooccurrence(files, ShardRanges(files, rank, workers), o.max_sentence, vocab, o.window,
                                       &counter);
    if (!cs.ok()) FailJob(t, cs.WithContext("--new-items cooccurrence"));
    // The shards are of equal size, so a peer should finish counting about when this rank
    // did: allow it twice this rank's counting time on top of --peer-timeout.
    const double count_seconds = std::chrono::duration<double>(Clock::now() - count_start).count();
    const double timeout = o.peer_timeout + 2 * count_seconds;
    Status ms = MergeTree(t, rank, workers, protocol::kCooccurrenceCounts, timeout, "co-occurrence counts", &counter,
                          [](CooccurrenceCounter* into, CooccurrenceCounter&& other) { return into->Merge(other); });
    if (!ms.ok()) FailJob(t, ms.WithContext("--new-items cooccurrence: merging co-occurrence counts"));
    if (rank == 0) {
      neighbours = counter.TopNeighbours(o.new_item_neighbours);
      bytes = ToBytes(neighbours);
      spdlog::info("--new-items cooccurrence: {} of {} new items co-occur with kept items (at most {} neighbours "
                   "each; counting pass {:.2f}s, merged counter {:.1f} MiB)",
                   neighbours.size(), new_ids.size(), o.new_item_neighbours,
                   std::chrono::duration<double>(Clock::now() - start).count(), counter.BytesUsed() / 1048576.0);
    }
  }
  if (Status bs = t.Broadcast(&bytes, 0); !bs.ok()) FailJob(t, bs.WithContext("sending the new items' neighbours"));
  if (rank != 0) {
    if (Status fs = FromBytes(bytes, &neighbours); !fs.ok())
      FailJob(t, fs.WithContext("receiving the new items' neighbours"));
  }
  return neighbours;
}

std::string TrainJson(const TrainOptions& o, const Vocabulary& vocab, int world, int servers,
                      const ProgressMonitor& monitor, const WarmStartCounts& warm, std::int64_t from_neighbours,
                      double train_seconds, double total_seconds, const std::string& resumed_from,
                      int checkpoints_written) {
  const protocol::ProgressReport tot = monitor.Totals();
  JsonWriter j;
  j.BeginObject();
  j.Key("settings").Raw(TrainOptionsToJson(o));
  j.Key("ranks").BeginObject();
  j.Key("world").Int(world).Key("servers").Int(servers).Key("workers").Int(world - servers);
  j.EndObject();
  j.Key("vocab_size").Int(static_cast<std::int64_t>(vocab.size()));
  j.Key("train_words").Int(vocab.total_count());
  if (!o.init_from.empty()) {
    j.Key("warm_start").BeginObject();
    j.Key("from").String(o.init_from).Key("kept").Int(warm.kept).Key("added").Int(warm.added);
    j.Key("dropped").Int(warm.dropped).Key("new_items").String(o.new_items);
    // Known only to the run that initialised them (a resumed run took its rows from a checkpoint).
    if (from_neighbours >= 0) j.Key("initialised_from_neighbours").Int(from_neighbours);
    j.EndObject();
  }
  j.Key("resumed_from").String(resumed_from);
  j.Key("checkpoints_written").Int(checkpoints_written);
  j.Key("tokens_seen").Int(tot.raw_tokens);
  j.Key("words_trained").Int(tot.words);
  j.Key("pairs").Int(tot.pairs);
  j.Key("split_lines").Int(tot.split_lines);
  j.Key("train_seconds").Double(train_seconds);
  j.Key("total_seconds").Double(total_seconds);
  j.Key("tokens_per_second").Double(train_seconds > 0 ? static_cast<double>(tot.raw_tokens) / train_seconds : 0);
  j.Key("final_loss").Double(tot.loss_count > 0 ? tot.loss_sum / tot.loss_count : 0);
  j.Key("bytes_per_token").Double(tot.raw_tokens > 0 ? static_cast<double>(tot.bytes_sent + tot.bytes_received) /
                                                           static_cast<double>(tot.raw_tokens)
                                                     : 0);
  j.Key("workers").BeginArray();
  for (const auto& r : monitor.reports()) {
    j.BeginObject();
    j.Key("worker").Int(r.worker).Key("tokens").Int(r.raw_tokens).Key("seconds").Double(r.seconds);
    j.Key("wait_seconds").Double(r.wait_seconds).Key("read_seconds").Double(r.read_seconds);
    j.Key("compute_seconds").Double(r.seconds - r.wait_seconds - r.read_seconds);
    j.Key("bytes_sent").Int(r.bytes_sent).Key("bytes_received").Int(r.bytes_received);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.str() + "\n";
}

}  // namespace

int RunTrain(const MpiSession& mpi, const std::vector<std::string>& args) {
  const auto job_start = Clock::now();
  const int rank = mpi.rank(), world = mpi.size();
  TrainOptions o;
  bool help = false;
  Status st = ParseTrainOptions(args, &o, &help);
  if (help) {
    if (rank == 0) {
      std::string config;
      TrainOptions defaults;
      std::cout << "Usage: mpirun -np N item2vec train --input PATH --output DIR [options]\n\n"
                   "Trains item embeddings with skip-gram negative sampling (word2vec.c semantics) on\n"
                   "N MPI ranks: the last --servers ranks hold the model, the others read the input.\n\n"
                << TrainOptionsDescription(&defaults, &config) << "\n";
    }
    return 0;
  }
  if (st.ok()) st = Validate(o, world);
  const int servers = st.ok() ? o.ServerCount(world) : 1;
  const int workers = world - servers;
  const bool is_server = rank >= workers;
  if (Status ls = InitLogging(rank, is_server ? "server" : "worker", st.ok() ? o.log_level : "info"); !ls.ok() && st.ok())
    st = ls;
  if (!st.ok()) {
    if (rank == 0) spdlog::error("{}", st.ToString());
    return ExitCodeOf(st);
  }
  Result<FaultSpec> fault = ParseFaultSpec(o.debug_fault);
  if (!fault.ok()) {
    if (rank == 0) spdlog::error("{}", fault.status().ToString());
    return ExitCodeOf(fault.status());
  }
  std::unique_ptr<Transport> transport_owner = std::make_unique<MpiTransport>();
  if (fault->kind != FaultSpec::Kind::kNone)
    transport_owner = std::make_unique<FaultyTransport>(std::move(transport_owner), *fault);
  Transport& transport = *transport_owner;

  // 1. Rank 0 checks input and output before anyone reads a byte.
  Result<std::vector<InputFile>> files = Status::Internal("unset");
  if (rank == 0) {
    files = ListInputFiles(o.input);
    if (files.ok()) {
      Status out = EnsureWritableDirectory(o.output);
      if (!out.ok()) files = out;
    }
  }
  if (Status bs = BroadcastResult(transport, &files); !bs.ok()) FailJob(transport, bs);
  if (!files.ok()) {
    if (rank == 0) spdlog::error("{}", files.status().ToString());
    return ExitCodeOf(files.status());
  }
  if (rank == 0)
    spdlog::info("{} ranks: {} workers, {} servers; {} input file(s); dim {} window {} negative {} epochs {}", world,
                 workers, servers, files->size(), o.dim, o.window, o.negative, o.epochs);

  // 2. Resume point (rank 0 finds and checks it), then the vocabulary: from the
  // checkpoint, or counted by the workers and merged into rank 0.
  InstallStopSignalHandlers();
  Result<ResumePoint> resume = ResumePoint{};
  if (rank == 0) {
    if (o.resume) {
      resume = FindResumePoint(o, *files);
    } else {
      std::vector<std::uint64_t> all, complete;
      if (ListCheckpoints(o.CheckpointDir(), &all, &complete).ok() && !all.empty()) {
        spdlog::warn("removing {} checkpoint(s) of an earlier run from {} (pass --resume to continue from them)",
                     all.size(), o.CheckpointDir());
        if (Status rs = RemoveCheckpoints(o.CheckpointDir()); !rs.ok()) resume = rs;
      }
    }
  }
  if (Status bs = BroadcastResult(transport, &resume); !bs.ok()) FailJob(transport, bs);
  if (!resume.ok()) {
    if (rank == 0) spdlog::error("{}", resume.status().ToString());
    return ExitCodeOf(resume.status());
  }
  const bool resuming = resume->found;
  const bool same_workers = resuming && resume->manifest.num_workers == workers;

  // --new-items cooccurrence applies to a fresh warm start only: a resumed run's servers
  // take their rows from the checkpoint, already initialised.
  const bool init_from_neighbours = !resuming && !o.init_from.empty() && o.new_items == "cooccurrence";
  std::vector<ItemId> new_ids;  // rank 0, with init_from_neighbours: today's ids absent from the previous model

  ItemCounter counter;
  double count_seconds = 0;
  if (!is_server && !same_workers) {
    const auto count_start = Clock::now();
    Status cs = CountShard(*files, rank, workers, o.max_sentence, &counter);
    if (!cs.ok()) FailJob(transport, cs.WithContext("counting items"));
    count_seconds = std::chrono::duration<double>(Clock::now() - count_start).count();
  }
  Result<Vocabulary> vocab = Status::Internal("unset");
  WarmStartCounts warm;
  if (resuming) {
    if (rank == 0) vocab = LoadVocabularyCheckpoint(resume->path, resume->manifest.vocab_fingerprint);
    warm.kept = resume->manifest.warm_kept;
    warm.added = resume->manifest.warm_added;
    warm.dropped = resume->manifest.warm_dropped;
  } else {
    ItemCounter merged;
    if (!is_server) {
      merged = counter;
      // Shards are of equal size, so a peer finishes counting about when this rank did:
      // allow it twice this rank's counting time on top of --peer-timeout.
      Status ms = MergeCounts(transport, rank, workers, o.peer_timeout + 2 * count_seconds, &merged);
      if (!ms.ok()) FailJob(transport, ms.WithContext("merging item counts"));
    }
    if (rank == 0) vocab = FinishVocabulary(merged, o, &warm, init_from_neighbours ? &new_ids : nullptr);
  }
  if (Status bs = BroadcastResult(transport, &vocab); !bs.ok()) FailJob(transport, bs);
  if (!vocab.ok()) {
    if (rank == 0) spdlog::error("{}", vocab.status().ToString());
    return ExitCodeOf(vocab.status());
  }
  if (rank == 0)
    spdlog::info("vocabulary: {} items, {} training tokens (min-count {})", vocab->size(), vocab->total_count(),
                 o.min_count);
  const Partition partition(servers, vocab->size());

  // Memory: every rank derives the same plan; each node's ranks add up their needs and
  // the job refuses to start when a node lacks the memory (rather than be killed later).
  const MemoryPlan plan = EstimateMemory(*vocab, o, servers, workers);
  if (rank == 0) spdlog::info("{}", FormatMemoryPlan(plan, servers, workers));
  double node_need = is_server ? plan.server_bytes : plan.worker_bytes;
  int node_rank = 0;
  if (Status ns = transport.NodeSum(&node_need, &node_rank); !ns.ok()) FailJob(transport, ns);
  std::vector<double> short_nodes{0};
  if (node_rank == 0) {
    const double available = MemAvailableBytes();
    const bool fits = available <= 0 || node_need <= available;
    spdlog::log(fits ? spdlog::level::info : spdlog::level::err,
                "this node's ranks need {:.1f} MiB, {:.1f} MiB available{}", node_need / 1048576.0,
                available / 1048576.0, fits ? "" : ": does not fit");
    if (!fits) short_nodes[0] = 1;
  }
  if (Status as = transport.AllreduceSum(&short_nodes); !as.ok()) FailJob(transport, as);
  if (short_nodes[0] > 0) {
    if (rank == 0)
      spdlog::error("the model does not fit in memory on {} node(s): add --servers, nodes, or lower --dim "
                    "(see the memory plan above)", short_nodes[0]);
    return ExitCodeOf(Status::InvalidArgument("does not fit"));
  }
  if (o.dry_run) {
    if (rank == 0) std::cout << FormatMemoryPlan(plan, servers, workers) << "\nfits: yes\n";
    return 0;
  }

  // Warm start: the neighbours of the new items, when they start from them.
  NewItemNeighbours neighbours;
  if (init_from_neighbours)
    neighbours = FindNewItemNeighbours(transport, o, *files, *vocab, std::move(new_ids), workers);
  // Sums each rank's count of new items initialised from their neighbours (only the servers
  // have any) into every rank; -1 when not applicable. A collective: all ranks call it.
  auto sum_from_neighbours = [&](std::int64_t mine) -> std::int64_t {
    if (!init_from_neighbours) return -1;
    std::vector<double> sum{static_cast<double>(mine)};
    if (Status as = transport.AllreduceSum(&sum); !as.ok()) FailJob(transport, as.WithContext("warm start"));
    return static_cast<std::int64_t>(sum[0]);
  };

  // 3. Train.
  const std::string checkpoint_dir = o.CheckpointDir();
  if (is_server) {
    ShardStore store(partition, rank - workers, o.dim, o.seed, o.staleness_tolerance);
    if (resuming) {
      Status ls = LoadShard(resume->path, resume->manifest, &store);
      if (!ls.ok()) FailJob(transport, ls.WithContext("resuming from " + resume->path));
    } else if (!o.init_from.empty()) {
      Result<PreviousRows> rows = LoadPreviousRows(o.init_from, *vocab, partition, rank - workers,
                                                   init_from_neighbours ? &neighbours : nullptr, &store);
      if (!rows.ok()) FailJob(transport, rows.status().WithContext("warm start from '" + o.init_from + "'"));
      spdlog::debug("warm start: {} rows taken over from {}, {} new items initialised from their neighbours",
                    rows->taken, o.init_from, rows->from_neighbours);
      neighbours = NewItemNeighbours();  // not needed any more
      sum_from_neighbours(rows->from_neighbours);
    }
    spdlog::debug("holding {} rows of each matrix ({:.1f} MiB)", store.rows(), store.BytesUsed() / 1048576.0);
    ServerStats stats;
    Status ss = RunServer(transport, store, partition, workers, vocab->size(), o.peer_timeout, checkpoint_dir, &stats);
    if (ss.code() == Status::Code::kInterrupted) return ExitCodeOf(ss);
    if (!ss.ok()) FailJob(transport, ss);
    spdlog::debug("served {} pulls and {} pushes, busy {:.2f}s", stats.pulls, stats.pushes, stats.busy_seconds);
    return 0;
  }
  neighbours = NewItemNeighbours();
  const std::int64_t from_neighbours = sum_from_neighbours(0);  // waits for the servers' warm start
  if (rank == 0 && from_neighbours >= 0)
    spdlog::info("warm start: {} of {} new items initialised from the mean of their co-occurring kept items, "
                 "the others random", from_neighbours, warm.added);
  std::int64_t shard_words = 0;
  for (const auto& [item, n] : counter.counts())
    if (vocab->Find(item) != Vocabulary::kNotFound) shard_words += n;
  counter = ItemCounter();
  std::optional<WorkerCheckpoint> resume_state;
  if (resuming) {
    Result<WorkerCheckpoint> state = same_workers
                                         ? LoadWorkerCheckpoint(resume->path, rank)
                                         : RemapWorkerState(*resume, o, *files, rank, workers, shard_words);
    if (!state.ok()) FailJob(transport, state.status().WithContext("resuming from " + resume->path));
    resume_state = std::move(state.value());
    shard_words = resume_state->shard_words;
    if (!same_workers && rank == 0)
      spdlog::warn("--resume: the checkpoint had {} workers, this run {}: each worker restarts its shard at "
                   "epoch {} (positions cannot carry over between layouts); the servers' matrices are exact",
                   resume->manifest.num_workers, workers, resume_state->builder.epoch + 1);
  }

  CheckpointConfig ckpt;
  ckpt.dir = checkpoint_dir;
  ckpt.every_seconds = o.CheckpointEverySeconds();
  ckpt.timeout = std::max(60.0, 10 * o.peer_timeout);
  ckpt.next_sequence = resuming ? resume->manifest.sequence + 1 : 1;
  ckpt.epochs = o.epochs;
  ckpt.first_epoch = resume_state ? resume_state->builder.epoch : 0;
  ckpt.vocab = &*vocab;
  if (rank == 0) {
    CheckpointManifest& m = ckpt.manifest;
    m.settings = ResumeSettings(o);
    m.settings_json = TrainOptionsToJson(o);
    m.vocab_fingerprint = vocab->Fingerprint();
    m.vocab_size = vocab->size();
    m.num_workers = workers;
    m.num_servers = servers;
    m.inputs = *files;
    m.warm_kept = warm.kept;
    m.warm_added = warm.added;
    m.warm_dropped = warm.dropped;
  }
  std::unique_ptr<ProgressMonitor> monitor;
  if (rank == 0)
    monitor = std::make_unique<ProgressMonitor>(&transport, workers, o.epochs * vocab->total_count(), o.progress_seconds);
  WorkerCheckpointing checkpointing(&transport, std::move(ckpt), rank, workers, servers, monitor.get());
  WorkerCheckpoint final_state;

  WorkerSetup setup;
  setup.transport = &transport;
  setup.options = &o;
  setup.vocab = &*vocab;
  setup.files = &*files;
  setup.worker = rank;
  setup.num_workers = workers;
  setup.num_servers = servers;
  setup.shard_words = shard_words;
  setup.peer_timeout = o.peer_timeout;
  setup.resume = resume_state ? &*resume_state : nullptr;
  setup.checkpointing = &checkpointing;
  setup.final_state = &final_state;
  const auto train_start = Clock::now();
  Result<protocol::ProgressReport> report = RunWorker(setup, monitor.get());
  if (report.status().code() == Status::Code::kInterrupted) {
    spdlog::info("stopped after saving a checkpoint: rerun with --resume to continue (exit code 75)");
    return ExitCodeOf(report.status());
  }
  if (!report.ok()) FailJob(transport, report.status().WithContext("training"));
  if (rank != 0) return 0;

  // 4. Rank 0 waits for everyone (checkpointing meanwhile if asked), writes the model,
  // then releases the servers.
  Status fs = monitor->WaitForFinals(*report, o.peer_timeout, [&]() -> Status {
    Result<bool> stop = checkpointing.PollWhileFinished(final_state);
    if (!stop.ok()) return stop.status();
    return *stop ? Status::Interrupted("stopped after a checkpoint") : Status::Ok();
  });
  if (fs.code() == Status::Code::kInterrupted) {
    spdlog::info("stopped after saving a checkpoint: rerun with --resume to continue (exit code 75)");
    return ExitCodeOf(fs);
  }
  if (!fs.ok()) FailJob(transport, fs);
  const double train_seconds = std::chrono::duration<double>(Clock::now() - train_start).count() +
                               (resuming ? resume->manifest.train_seconds : 0);
  const protocol::ProgressReport tot = monitor->Totals();
  spdlog::info("trained {} tokens in {:.2f}s ({:.0f} tokens/s), final loss {:.4f}", tot.raw_tokens, train_seconds,
               tot.raw_tokens / std::max(train_seconds, 1e-9), tot.loss_count > 0 ? tot.loss_sum / tot.loss_count : 0);
  Status ws = WriteModel(&transport, partition, workers, *vocab, o.dim, o.output, o.peer_timeout);
  if (ws.ok()) {
    const double total_seconds = std::chrono::duration<double>(Clock::now() - job_start).count();
    ws = WriteFileAtomically(o.output + "/train.json",
                             TrainJson(o, *vocab, world, servers, *monitor, warm, from_neighbours, train_seconds,
                                       total_seconds, resuming ? resume->path : "", checkpointing.written()));
  }
  if (!ws.ok()) FailJob(transport, ws.WithContext("writing the model to '" + o.output + "'"));
  std::vector<Transport::Handle> handles;
  for (int s = 0; s < servers; ++s) handles.push_back(transport.Isend(workers + s, protocol::kShutdown, nullptr, 0));
  for (auto h : handles)
    if (Status hs = transport.Wait(h, o.peer_timeout, "stopping the servers"); !hs.ok()) FailJob(transport, hs);
  spdlog::info("wrote {}/vectors.txt, vectors.bin, vocab.tsv, train.json", o.output);
  // The model is written: the checkpoints that led to it are obsolete.
  if (Status rs = RemoveCheckpoints(checkpoint_dir); !rs.ok()) spdlog::warn("{}", rs.message());
  return 0;
}

}  // namespace item2vec
