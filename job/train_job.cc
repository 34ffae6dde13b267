#include "job/train_job.h"

#include <chrono>
#include <cstdlib>
#include <optional>
#include <iostream>

#include <malloc.h>

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
#include "job/cooccurrence_init.h"
#include "ps/partition.h"
#include "ps/protocol.h"
#include "ps/server.h"
#include "ps/shard_checkpoint.h"
#include "ps/shard_store.h"
#include "job/warm_start.h"
#include "job/memory_plan.h"
#include "worker/checkpointing.h"
#include "job/model_writer.h"
#include "job/new_item_init.h"
#include "worker/progress.h"
#include "job/rank_collectives.h"
#include "job/resume.h"
#include "job/vocabulary_build.h"
#include "worker/worker.h"

namespace item2vec {
namespace {

using Clock = std::chrono::steady_clock;

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
      // The merge adds other workers' counts into the value, but this shard's own counts
      // are still needed (its learning-rate schedule): merge into a copy. Odd workers are
      // leaves of the tree and only send theirs, so they need no copy.
      ItemCounter* value = &counter;
      if (rank % 2 == 0) {
        merged = counter;
        value = &merged;
      }
      // Shards are of equal size, so a peer finishes counting about when this rank did:
      // allow it twice this rank's counting time on top of --peer-timeout.
      Status ms = MergeCounts(transport, rank, workers, o.peer_timeout + 2 * count_seconds, value);
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
  // This worker's in-vocabulary tokens (its learning-rate schedule); then the counts go, and
  // their memory back to the system (glibc keeps freed small blocks otherwise), before the
  // model and batches are allocated.
  std::int64_t shard_words = 0;
  for (const auto& [item, n] : counter.counts())
    if (vocab->Find(item) != Vocabulary::kNotFound) shard_words += n;
  counter = ItemCounter();
  malloc_trim(0);

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
  // A checkpoint whose shards are still being written completes before the model is
  // written (the servers must have no writer left when they stop).
  if (Status ps = checkpointing.FinishPending(); !ps.ok()) FailJob(transport, ps);
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
