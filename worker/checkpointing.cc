#include "worker/checkpointing.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <set>

#include <spdlog/spdlog.h>

#include "common/deadline_wait.h"
#include "common/serialize.h"
#include "common/stop_signal.h"
#include "ps/protocol.h"
#include "worker/progress.h"

namespace item2vec {
namespace {

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string FormatSeconds(double s) {
  if (s >= 3600 && static_cast<long long>(s) % 3600 == 0) return std::to_string(static_cast<long long>(s) / 3600) + "h";
  if (s >= 60 && static_cast<long long>(s) % 60 == 0) return std::to_string(static_cast<long long>(s) / 60) + "m";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gs", s);
  return buf;
}

}  // namespace


Result<CheckpointFileEntry> SaveWorkerCheckpoint(const WorkerCheckpoint& state, const std::string& checkpoint_path) {
  CheckpointFileWriter w;
  ITEM2VEC_RETURN_IF_ERROR(w.Open(checkpoint_path, WorkerFileName(state.worker), ToBytes(state)));
  return w.Commit();
}

Result<WorkerCheckpoint> LoadWorkerCheckpoint(const std::string& checkpoint_path, int worker) {
  CheckpointFileReader r;
  ITEM2VEC_RETURN_IF_ERROR(r.Open(checkpoint_path + "/" + WorkerFileName(worker)));
  ITEM2VEC_RETURN_IF_ERROR(r.Finish());
  WorkerCheckpoint state;
  if (!FromBytes(r.header(), &state).ok() || state.worker != worker)
    return Status::Corruption("'" + r.path() + "' does not hold worker " + std::to_string(worker) + "'s state");
  return state;
}

Result<CheckpointFileEntry> SaveVocabularyCheckpoint(const Vocabulary& vocab, const std::string& checkpoint_path) {
  CheckpointFileWriter w;
  ITEM2VEC_RETURN_IF_ERROR(w.Open(checkpoint_path, VocabularyFileName(), ToBytes(vocab)));
  return w.Commit();
}

Result<Vocabulary> LoadVocabularyCheckpoint(const std::string& checkpoint_path, std::uint64_t fingerprint) {
  CheckpointFileReader r;
  ITEM2VEC_RETURN_IF_ERROR(r.Open(checkpoint_path + "/" + VocabularyFileName()));
  ITEM2VEC_RETURN_IF_ERROR(r.Finish());
  Vocabulary vocab;
  if (!FromBytes(r.header(), &vocab).ok() || vocab.Fingerprint() != fingerprint)
    return Status::Corruption("'" + r.path() + "' does not hold the vocabulary its manifest names");
  return vocab;
}

WorkerCheckpointing::WorkerCheckpointing(Transport* transport, CheckpointConfig config, int worker, int num_workers,
                                         int num_servers, ProgressMonitor* monitor)
    : t_(transport), config_(std::move(config)), worker_(worker), workers_(num_workers), servers_(num_servers),
      monitor_(monitor), last_checkpoint_(Clock::now()), last_epoch_(config_.first_epoch) {}

Status WorkerCheckpointing::SendTo(int dest, int tag, const void* data, std::size_t bytes, const std::string& what) {
  return t_->Wait(t_->Isend(dest, tag, data, bytes), config_.timeout, what);
}

bool WorkerCheckpointing::DecideOnRankZero(int epoch, bool finished) {
  Envelope e;
  while (t_->Probe(Transport::kAnySource, protocol::kStopRequest, &e)) {
    (void)t_->Receive(e, nullptr);
    if (stop_reason_.empty()) stop_reason_ = "stop signal on rank " + std::to_string(e.source);
  }
  if (stop_reason_.empty() && StopRequested()) stop_reason_ = StopSignalName();
  if (!stop_reason_.empty()) {
    stop_ = true;
    reason_ = stop_reason_;
    return true;
  }
  if (config_.every_seconds <= 0) return false;
  if (Seconds(Clock::now() - last_checkpoint_) >= config_.every_seconds) {
    reason_ = "every " + FormatSeconds(config_.every_seconds);
    return true;
  }
  if (!finished && epoch > last_epoch_) {
    reason_ = "epoch " + std::to_string(last_epoch_ + 1) + " done";
    last_epoch_ = epoch;
    return true;
  }
  return false;
}

void WorkerCheckpointing::Announce() {
  sequence_ = config_.next_sequence++;
  std::error_code ec;
  std::filesystem::create_directories(CheckpointPath(config_.dir, sequence_), ec);
  if (ec) spdlog::error("cannot create checkpoint directory '{}': {}", CheckpointPath(config_.dir, sequence_), ec.message());
  const protocol::CheckpointSignal signal{sequence_, stop_ ? 1u : 0u};
  announced_.clear();
  std::vector<Transport::Handle> handles;
  for (int s = 0; s < servers_; ++s)
    handles.push_back(t_->Isend(workers_ + s, protocol::kCheckpointRequest, &signal, sizeof signal));
  for (int w = 1; w < workers_; ++w) {
    if (monitor_->IsFinal(w)) continue;
    announced_.push_back(w);
    handles.push_back(t_->Isend(w, protocol::kCheckpointRequest, &signal, sizeof signal));
  }
  // Small messages complete at once; a worker that has just finished never receives its
  // request, so these handles are only tested, not waited on.
  for (auto h : handles) (void)t_->Test(h);
  spdlog::info("checkpoint {} ({}): saving", sequence_, reason_);
}

bool WorkerCheckpointing::Due(int epoch) {
  if (config_.dir.empty()) return false;
  if (worker_ == 0) {
    // A checkpoint whose server files are still being written completes first; its errors
    // were logged and only a stop fails, so the status is not needed here.
    (void)PollPending(/*block=*/false);
    if (!DecideOnRankZero(epoch, false)) return false;
    if (pending_) {
      if (!stop_) return false;  // the timer waits for the checkpoint in flight
      if (Status st = FinishPending(); !st.ok()) spdlog::error("{}", st.message());
    }
    Announce();
    return true;
  }
  if (!stop_forwarded_ && StopRequested()) {
    stop_forwarded_ = true;
    spdlog::info("got {}: asking rank 0 to checkpoint and stop", StopSignalName());
    (void)t_->Test(t_->Isend(0, protocol::kStopRequest, nullptr, 0));
  }
  Envelope e;
  if (!t_->Probe(0, protocol::kCheckpointRequest, &e)) return false;
  protocol::CheckpointSignal signal;
  if (e.bytes != sizeof signal || !t_->Receive(e, &signal).ok()) return false;
  sequence_ = signal.sequence;
  stop_ = signal.stop != 0;
  return true;
}

Result<bool> WorkerCheckpointing::PollWhileFinished(const WorkerCheckpoint& own_final) {
  if (config_.dir.empty()) return false;
  ITEM2VEC_RETURN_IF_ERROR(PollPending(/*block=*/false));
  if (!DecideOnRankZero(own_final.builder.epoch, true)) return false;
  if (pending_) {
    if (!stop_) return false;
    ITEM2VEC_RETURN_IF_ERROR(FinishPending());
  }
  Announce();
  return Coordinate(own_final, /*mark_servers=*/false);
}

Result<bool> WorkerCheckpointing::Take(const WorkerCheckpoint& state) {
  return worker_ == 0 ? Coordinate(state, /*mark_servers=*/true) : Participate(state);
}

Status WorkerCheckpointing::MarkServers() {
  const protocol::CheckpointSignal signal{sequence_, stop_ ? 1u : 0u};
  std::vector<Transport::Handle> handles;
  for (int s = 0; s < servers_; ++s)
    handles.push_back(t_->Isend(workers_ + s, protocol::kCheckpointMark, &signal, sizeof signal));
  for (auto h : handles) ITEM2VEC_RETURN_IF_ERROR(t_->Wait(h, config_.timeout, "checkpoint mark to a server"));
  return Status::Ok();
}

Result<bool> WorkerCheckpointing::Participate(const WorkerCheckpoint& own) {
  Result<CheckpointFileEntry> file = SaveWorkerCheckpoint(own, CheckpointPath(config_.dir, sequence_));
  ITEM2VEC_RETURN_IF_ERROR(MarkServers());
  CheckpointSaved saved;
  saved.sequence = sequence_;
  saved.rank = worker_;
  if (file.ok()) {
    saved.file = *file;
  } else {
    saved.code = static_cast<int>(file.status().code());
    saved.message = file.status().message();
  }
  const std::string bytes = ToBytes(saved);
  ITEM2VEC_RETURN_IF_ERROR(SendTo(0, protocol::kCheckpointSaved, bytes.data(), bytes.size(), "checkpoint report to rank 0"));
  Envelope e;
  ITEM2VEC_RETURN_IF_ERROR(WaitUntil(
      DeadlineAfter(config_.timeout),
      [&]() -> Result<WaitStep> {
        if (t_->Probe(0, protocol::kCheckpointContinue, &e)) return WaitStep::kDone;
        if (heartbeat_) heartbeat_();
        return WaitStep::kIdle;
      },
      [&] {
        return "rank 0 did not finish checkpoint " + std::to_string(sequence_) + " within " +
               std::to_string(static_cast<int>(config_.timeout)) + " s";
      }));
  protocol::CheckpointSignal signal;
  if (e.bytes != sizeof signal) return Status::Internal("malformed checkpoint continue message");
  ITEM2VEC_RETURN_IF_ERROR(t_->Receive(e, &signal));
  return signal.stop != 0;
}

void WorkerCheckpointing::Keep(const Result<CheckpointFileEntry>& file) {
  if (file.ok()) files_.push_back(file.value());
  else errors_.push_back("rank 0: " + file.status().message());
}

void WorkerCheckpointing::SaveOwnFiles(const WorkerCheckpoint& own, const std::string& path) {
  // The vocabulary does not change during a run: copy the file of the last checkpoint
  // instead of serialising it again, and check the copy against its recorded checksum (a
  // damaged source is written afresh). A copy, not a hard link: each checkpoint stands
  // alone, so one damaged file never spoils both kept checkpoints.
  bool copied = false;
  if (!vocab_dir_.empty()) {
    std::error_code ec;
    std::filesystem::copy_file(vocab_dir_ + "/" + VocabularyFileName(), path + "/" + VocabularyFileName(), ec);
    copied = !ec && VerifyCheckpointFile(path, vocab_entry_).ok();
  }
  if (copied) {
    files_.push_back(vocab_entry_);
  } else {
    Result<CheckpointFileEntry> vocab_file = SaveVocabularyCheckpoint(*config_.vocab, path);
    Keep(vocab_file);
    if (vocab_file.ok()) vocab_entry_ = vocab_file.value();
  }
  vocab_dir_ = path;
  Keep(SaveWorkerCheckpoint(own, path));
  // Workers that had finished before this checkpoint was announced were not asked: their
  // state is "done" too, or the checkpoint could not be resumed.
  for (int w = 1; w < workers_; ++w)
    if (std::find(announced_.begin(), announced_.end(), w) == announced_.end()) Keep(SaveFinishedWorker(w, path));
}

Status WorkerCheckpointing::WaitForSnapshots(const std::string& path, std::vector<int>* release) {
  std::set<int> waiting(announced_.begin(), announced_.end());
  for (int s = 0; s < servers_; ++s) waiting.insert(workers_ + s);
  server_files_pending_.clear();
  for (int s = 0; s < servers_; ++s) server_files_pending_.insert(workers_ + s);
  auto step = [&]() -> Result<WaitStep> {
    if (waiting.empty()) return WaitStep::kDone;
    Envelope e;
    if (t_->Probe(Transport::kAnySource, protocol::kCheckpointSnapshot, &e)) {
      protocol::CheckpointSignal signal;
      if (e.bytes != sizeof signal) return Status::Internal("malformed snapshot note from rank " + std::to_string(e.source));
      ITEM2VEC_RETURN_IF_ERROR(t_->Receive(e, &signal));
      if (signal.sequence == sequence_) waiting.erase(e.source);
      return WaitStep::kProgress;
    }
    bool received = false;
    ITEM2VEC_RETURN_IF_ERROR(ReceiveSaved(&received));
    if (received) {
      for (int w : saved_workers_) {
        if (waiting.erase(w) > 0) release->push_back(w);
      }
      saved_workers_.clear();
      return WaitStep::kProgress;
    }
    monitor_->Poll();
    if (heartbeat_) heartbeat_();
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (*it < workers_ && monitor_->IsFinal(*it)) {
        Keep(SaveFinishedWorker(*it, path));  // finished before it saw the request
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    return WaitStep::kIdle;
  };
  return WaitUntil(DeadlineAfter(config_.timeout, start_), step, [&] {
    std::string missing;
    for (int r : waiting) missing += (missing.empty() ? "" : ", ") + std::to_string(r);
    return "checkpoint " + std::to_string(sequence_) + ": no answer from rank(s) " + missing + " within " +
           std::to_string(static_cast<int>(config_.timeout)) + " s";
  });
}

Result<bool> WorkerCheckpointing::Coordinate(const WorkerCheckpoint& own, bool mark_servers) {
  start_ = Clock::now();
  const std::string path = CheckpointPath(config_.dir, sequence_);
  errors_.clear();
  files_.clear();
  SaveOwnFiles(own, path);
  train_seconds_ = own.report.seconds;
  if (mark_servers) ITEM2VEC_RETURN_IF_ERROR(MarkServers());

  // Phase 1, training paused: every announced worker's file (or its final report), and from
  // every server the note that its snapshot is taken (its file follows in phase 2).
  std::vector<int> release;  // workers that wait for kCheckpointContinue
  ITEM2VEC_RETURN_IF_ERROR(WaitForSnapshots(path, &release));
  pending_ = true;
  const double paused = Seconds(Clock::now() - start_);
  spdlog::debug("checkpoint {}: training paused {:.3f}s; the servers write their shards in the background",
                sequence_, paused);
  paused_seconds_ += paused;

  // A stop waits for the servers' files; otherwise training resumes while they are written.
  Status result;
  if (stop_) result = FinishPending();
  const protocol::CheckpointSignal signal{sequence_, stop_ ? 1u : 0u};
  std::vector<Transport::Handle> handles;
  for (int w : release) handles.push_back(t_->Isend(w, protocol::kCheckpointContinue, &signal, sizeof signal));
  if (stop_)
    for (int s = 0; s < servers_; ++s) handles.push_back(t_->Isend(workers_ + s, protocol::kStop, nullptr, 0));
  for (auto h : handles) ITEM2VEC_RETURN_IF_ERROR(t_->Wait(h, config_.timeout, "releasing ranks after a checkpoint"));
  last_checkpoint_ = Clock::now();
  if (stop_ && !result.ok()) return result;
  return stop_;
}

Result<CheckpointFileEntry> WorkerCheckpointing::SaveFinishedWorker(int worker, const std::string& path) {
  // Its state is "done", from its final report: resumed, it trains nothing.
  WorkerCheckpoint done;
  done.worker = worker;
  done.num_workers = workers_;
  done.builder.epoch = config_.epochs;
  done.report = monitor_->report(worker);
  done.report.final = 0;
  done.builder.words_done = done.report.words;
  done.shard_words = done.report.words / std::max(1, config_.epochs);
  return SaveWorkerCheckpoint(done, path);
}

Status WorkerCheckpointing::ReceiveSaved(bool* received) {
  *received = false;
  Envelope e;
  if (!t_->Probe(Transport::kAnySource, protocol::kCheckpointSaved, &e)) return Status::Ok();
  std::string buf(e.bytes, '\0');
  ITEM2VEC_RETURN_IF_ERROR(t_->Receive(e, buf.data()));
  CheckpointSaved saved;
  ITEM2VEC_RETURN_IF_ERROR(FromBytes(buf, &saved));
  *received = true;
  if (saved.sequence != sequence_) return Status::Ok();
  if (e.source < workers_) saved_workers_.push_back(e.source);
  else server_files_pending_.erase(e.source);
  if (saved.code == 0) files_.push_back(saved.file);
  else errors_.push_back("rank " + std::to_string(e.source) + ": " + saved.message);
  return Status::Ok();
}

Status WorkerCheckpointing::PollPending(bool block) {
  if (!pending_) return Status::Ok();
  // A server's file report, if one is in.
  auto step = [&]() -> Result<WaitStep> {
    if (server_files_pending_.empty()) return WaitStep::kDone;
    bool received = false;
    ITEM2VEC_RETURN_IF_ERROR(ReceiveSaved(&received));
    return received ? WaitStep::kProgress : WaitStep::kIdle;
  };
  if (block) {
    ITEM2VEC_RETURN_IF_ERROR(WaitUntil(DeadlineAfter(config_.timeout), step, [&] {
      return "checkpoint " + std::to_string(sequence_) + ": a server did not finish writing its shard within " +
             std::to_string(static_cast<int>(config_.timeout)) + " s";
    }));
  } else {
    for (Result<WaitStep> r = step(); !r.ok() || *r != WaitStep::kDone; r = step()) {
      if (!r.ok()) return r.status();
      if (*r == WaitStep::kIdle) return Status::Ok();  // still pending; polled again later
    }
  }
  pending_ = false;
  const std::string path = CheckpointPath(config_.dir, sequence_);
  Status result;
  CheckpointManifest m = config_.manifest;
  m.sequence = sequence_;
  m.reason = reason_;
  m.created_unix = static_cast<std::int64_t>(std::time(nullptr));
  m.train_seconds = train_seconds_;
  m.files = files_;
  // Every rank's state or no MANIFEST: a checkpoint marked complete must be resumable.
  if (const std::string missing = CheckpointFilesMissing(m); errors_.empty() && !missing.empty())
    errors_.push_back("rank 0: no " + missing + " was saved (internal error)");
  if (errors_.empty()) {
    result = WriteManifest(path, m);
    if (result.ok()) result = PruneCheckpoints(config_.dir, 2);
  } else {
    for (const auto& e : errors_) spdlog::error("checkpoint {}: {}", sequence_, e);
    result = Status::IOError("checkpoint " + std::to_string(sequence_) + " could not be written (see above)");
  }
  if (result.ok()) {
    std::uint64_t bytes = 0;
    for (const auto& f : files_) bytes += f.bytes;
    ++written_;
    spdlog::info("checkpoint {} ({}) complete: {} files, {:.1f} MiB in {:.2f}s, training paused {:.2f}s -> {}",
                 sequence_, reason_, files_.size() + 1, static_cast<double>(bytes) / 1048576.0,
                 Seconds(Clock::now() - start_), paused_seconds_, path);
  } else if (!stop_) {
    spdlog::error("{}; training goes on, the previous checkpoint stays the newest", result.message());
  }
  paused_seconds_ = 0;
  return stop_ ? result : Status::Ok();
}

Status WorkerCheckpointing::FinishPending() { return PollPending(/*block=*/true); }

}  // namespace item2vec
