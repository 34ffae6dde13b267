#include "worker/progress.h"

#include <algorithm>
#include <string>

#include <spdlog/spdlog.h>

namespace item2vec {

void ProgressSender::MaybeSend(const protocol::ProgressReport& report) {
  const auto now = Clock::now();
  if (std::chrono::duration<double>(now - last_).count() < interval_) return;
  if (handle_ >= 0 && !t_->Test(handle_)) return;
  last_ = now;
  buffer_ = report;
  handle_ = t_->Isend(0, protocol::kProgress, &buffer_, sizeof buffer_);
}

Status ProgressSender::SendFinal(const protocol::ProgressReport& report, double timeout) {
  if (handle_ >= 0) ITEM2VEC_RETURN_IF_ERROR(t_->Wait(handle_, timeout, "progress report to rank 0"));
  buffer_ = report;
  buffer_.final = 1;
  handle_ = t_->Isend(0, protocol::kProgress, &buffer_, sizeof buffer_);
  Status st = t_->Wait(handle_, timeout, "final report to rank 0");
  handle_ = -1;
  return st;
}

ProgressMonitor::ProgressMonitor(Transport* t, int num_workers, std::int64_t total_words, double interval)
    : t_(t), workers_(num_workers), total_words_(total_words), interval_(interval), start_(Clock::now()),
      last_log_(start_), reports_(static_cast<std::size_t>(num_workers)),
      timeline_(num_workers, ProgressReportInterval(interval, num_workers)) {
  for (int w = 0; w < num_workers; ++w) reports_[static_cast<std::size_t>(w)].worker = w;
}

bool ProgressMonitor::Drain() {
  bool any = false;
  Envelope e;
  while (t_->Probe(Transport::kAnySource, protocol::kProgress, &e)) {
    protocol::ProgressReport r;
    if (e.bytes != sizeof r) {  // not ours: consume and ignore
      std::vector<char> sink(e.bytes);
      (void)t_->Receive(e, sink.data());
      continue;
    }
    if (!t_->Receive(e, &r).ok() || r.worker < 0 || r.worker >= workers_) continue;
    reports_[static_cast<std::size_t>(r.worker)] = r;
    timeline_.Add(r);
    any = true;
  }
  return any;
}

void ProgressMonitor::Update(const protocol::ProgressReport& own) {
  reports_[0] = own;
  timeline_.Add(own);
  Drain();
  const auto now = Clock::now();
  if (std::chrono::duration<double>(now - last_log_).count() >= interval_) {
    last_log_ = now;
    Log();
  }
}

void ProgressMonitor::Log() {
  const protocol::ProgressReport tot = Totals();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double frac = total_words_ > 0 ? std::min(1.0, static_cast<double>(tot.words) / static_cast<double>(total_words_)) : 0;
  const double rate = elapsed > 0 ? static_cast<double>(tot.raw_tokens) / elapsed : 0;
  const double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
  const double loss = tot.loss_count > 0 ? tot.loss_sum / tot.loss_count : 0;
  // Per-worker rates make a straggler (a slow node or link) visible: all of them up to 16
  // workers, beyond that the slowest one.
  std::string per_worker;
  std::size_t slowest = 0;
  for (std::size_t w = 0; w < reports_.size(); ++w) {
    if (reports_[w].raw_tokens < reports_[slowest].raw_tokens) slowest = w;
    if (reports_.size() <= 16)
      per_worker += fmt::format("{}{}:{:.0f}", w == 0 ? "" : " ", w,
                                elapsed > 0 ? static_cast<double>(reports_[w].raw_tokens) / elapsed : 0);
  }
  if (reports_.size() > 16)
    per_worker = fmt::format("slowest {}:{:.0f}", slowest,
                             elapsed > 0 ? static_cast<double>(reports_[slowest].raw_tokens) / elapsed : 0);
  spdlog::info("progress {:5.1f}%  {:.0f} tokens/s  alpha {:.6f}  loss {:.4f}  elapsed {:.0f}s  ETA {:.0f}s  "
               "per worker tokens/s {}",
               100 * frac, rate, reports_[0].alpha, loss, elapsed, eta, per_worker);
}

Status ProgressMonitor::WaitForFinals(const protocol::ProgressReport& own_final, double timeout,
                                      const std::function<Status()>& between_polls) {
  reports_[0] = own_final;
  reports_[0].final = 1;
  timeline_.Add(reports_[0]);
  auto last_heard = Clock::now();
  Backoff backoff;
  while (true) {
    if (Drain()) {
      last_heard = Clock::now();
      backoff.Reset();
    }
    int missing = -1;
    for (const auto& r : reports_)
      if (!r.final) {
        missing = static_cast<int>(r.worker);
        break;
      }
    if (missing < 0) return Status::Ok();
    if (between_polls) {
      const auto before = Clock::now();
      ITEM2VEC_RETURN_IF_ERROR(between_polls());
      // A checkpoint held the workers: their silence meanwhile is not a failure.
      if (std::chrono::duration<double>(Clock::now() - before).count() > 0.1) last_heard = Clock::now();
    }
    if (std::chrono::duration<double>(Clock::now() - last_heard).count() > timeout)
      return Status::Timeout("worker rank " + std::to_string(missing) + " sent no progress for " +
                             std::to_string(static_cast<int>(timeout)) + " s");
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_log_).count() >= interval_) {
      last_log_ = now;
      Log();
    }
    backoff.Pause();
  }
}

protocol::ProgressReport ProgressMonitor::Totals() const {
  protocol::ProgressReport t;
  for (const auto& r : reports_) {
    t.words += r.words;
    t.raw_tokens += r.raw_tokens;
    t.pairs += r.pairs;
    t.loss_sum += r.loss_sum;
    t.loss_count += r.loss_count;
    t.seconds = std::max(t.seconds, r.seconds);
    t.wait_seconds += r.wait_seconds;
    t.read_seconds += r.read_seconds;
    t.kernel_seconds += r.kernel_seconds;
    t.cpu_seconds += r.cpu_seconds;
    t.bytes_sent += r.bytes_sent;
    t.bytes_received += r.bytes_received;
    t.split_lines += r.split_lines;
    t.capped_sets += r.capped_sets;
  }
  return t;
}

}  // namespace item2vec
