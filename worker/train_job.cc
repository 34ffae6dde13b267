#include "worker/train_job.h"

#include <chrono>
#include <cstdlib>
#include <optional>
#include <iostream>

#include <spdlog/spdlog.h>

#include "common/atomic_file.h"
#include "common/faulty_transport.h"
#include "common/input_files.h"
#include "common/json_writer.h"
#include "common/logging.h"
#include "common/mpi_transport.h"
#include "common/sequence_reader.h"
#include "common/serialize.h"
#include "common/train_options.h"
#include "common/vocabulary.h"
#include "ps/partition.h"
#include "ps/protocol.h"
#include "ps/server.h"
#include "ps/shard_store.h"
#include "ps/warm_start.h"
#include "worker/memory_plan.h"
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

// Merges the workers' counters into worker 0 along a binary tree (log2 W rounds).
Status MergeCounts(Transport& t, int worker, int num_workers, ItemCounter* counter) {
  for (int step = 1; step < num_workers; step *= 2) {
    if (worker % (2 * step) == step) {
      const std::string bytes = ToBytes(*counter);
      const Transport::Handle h = t.Isend(worker - step, protocol::kVocabCounts, bytes.data(), bytes.size());
      return t.Wait(h, 1e9, "sending item counts to rank " + std::to_string(worker - step));
    }
    if (worker % (2 * step) == 0 && worker + step < num_workers) {
      Envelope e;
      Backoff backoff;
      while (!t.Probe(worker + step, protocol::kVocabCounts, &e)) backoff.Pause();
      std::string bytes(e.bytes, '\0');
      ITEM2VEC_RETURN_IF_ERROR(t.Receive(e, bytes.data()));
      ItemCounter other;
      ITEM2VEC_RETURN_IF_ERROR(FromBytes(bytes, &other));
      counter->Merge(other);
    }
  }
  return Status::Ok();
}

Result<Vocabulary> FinishVocabulary(ItemCounter& counter, const TrainOptions& o, WarmStartCounts* warm) {
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
    spdlog::info("warm start from {}: {} items kept, {} added, {} dropped", o.init_from, warm->kept, warm->added,
                 warm->dropped);
  }
  return vocab;
}

std::string TrainJson(const TrainOptions& o, const Vocabulary& vocab, int world, int servers,
                      const ProgressMonitor& monitor, const WarmStartCounts& warm, double train_seconds,
                      double total_seconds) {
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
    j.Key("dropped").Int(warm.dropped).EndObject();
  }
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

  // 2. Workers count their shards; counts merge into rank 0, which builds the vocabulary.
  ItemCounter counter;
  if (!is_server) {
    Status cs = CountShard(*files, rank, workers, o.max_sentence, &counter);
    if (!cs.ok()) FailJob(transport, cs.WithContext("counting items"));
  }
  ItemCounter merged;
  if (!is_server) {
    merged = counter;
    Status ms = MergeCounts(transport, rank, workers, &merged);
    if (!ms.ok()) FailJob(transport, ms.WithContext("merging item counts"));
  }
  Result<Vocabulary> vocab = Status::Internal("unset");
  WarmStartCounts warm;
  if (rank == 0) vocab = FinishVocabulary(merged, o, &warm);
  merged = ItemCounter();
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

  // 3. Train.
  if (is_server) {
    ShardStore store(partition, rank - workers, o.dim, o.seed, o.staleness_tolerance);
    if (!o.init_from.empty()) {
      Result<std::int64_t> taken = LoadPreviousRows(o.init_from, *vocab, partition, rank - workers, &store);
      if (!taken.ok()) FailJob(transport, taken.status().WithContext("warm start from '" + o.init_from + "'"));
      spdlog::debug("warm start: {} rows taken over from {}", *taken, o.init_from);
    }
    spdlog::debug("holding {} rows of each matrix ({:.1f} MiB)", store.rows(), store.BytesUsed() / 1048576.0);
    ServerStats stats;
    Status ss = RunServer(transport, store, partition, workers, vocab->size(), o.peer_timeout, &stats);
    if (!ss.ok()) FailJob(transport, ss);
    spdlog::debug("served {} pulls and {} pushes, busy {:.2f}s", stats.pulls, stats.pushes, stats.busy_seconds);
    return 0;
  }
  std::int64_t shard_words = 0;
  for (const auto& [item, n] : counter.counts())
    if (vocab->Find(item) != Vocabulary::kNotFound) shard_words += n;
  counter = ItemCounter();

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
  std::unique_ptr<ProgressMonitor> monitor;
  if (rank == 0)
    monitor = std::make_unique<ProgressMonitor>(&transport, workers, o.epochs * vocab->total_count(), o.progress_seconds);
  const auto train_start = Clock::now();
  Result<protocol::ProgressReport> report = RunWorker(setup, monitor.get());
  if (!report.ok()) FailJob(transport, report.status().WithContext("training"));
  if (rank != 0) return 0;

  // 4. Rank 0 waits for everyone, writes the model, then releases the servers.
  Status fs = monitor->WaitForFinals(*report, o.peer_timeout);
  if (!fs.ok()) FailJob(transport, fs);
  const double train_seconds = std::chrono::duration<double>(Clock::now() - train_start).count();
  const protocol::ProgressReport tot = monitor->Totals();
  spdlog::info("trained {} tokens in {:.2f}s ({:.0f} tokens/s), final loss {:.4f}", tot.raw_tokens, train_seconds,
               tot.raw_tokens / std::max(train_seconds, 1e-9), tot.loss_count > 0 ? tot.loss_sum / tot.loss_count : 0);
  Status ws = WriteModel(&transport, partition, workers, *vocab, o.dim, o.output, o.peer_timeout);
  if (ws.ok()) {
    const double total_seconds = std::chrono::duration<double>(Clock::now() - job_start).count();
    ws = WriteFileAtomically(o.output + "/train.json",
                             TrainJson(o, *vocab, world, servers, *monitor, warm, train_seconds, total_seconds));
  }
  if (!ws.ok()) FailJob(transport, ws.WithContext("writing the model to '" + o.output + "'"));
  std::vector<Transport::Handle> handles;
  for (int s = 0; s < servers; ++s) handles.push_back(transport.Isend(workers + s, protocol::kShutdown, nullptr, 0));
  for (auto h : handles)
    if (Status hs = transport.Wait(h, o.peer_timeout, "stopping the servers"); !hs.ok()) FailJob(transport, hs);
  spdlog::info("wrote {}/vectors.txt, vectors.bin, vocab.tsv, train.json", o.output);
  return 0;
}

}  // namespace item2vec
