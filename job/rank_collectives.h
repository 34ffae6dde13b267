// Rank collectives of the job's setup: how one rank's result reaches every rank, how the
// workers' values merge into worker 0, and how a rank ends the whole job.
//
// Contract:
// - BroadcastResult sends rank 0's Result<T> (value or error) to every rank, so all ranks
//   take the same branch; T must be Boost-serializable.
// - MergeTree merges the workers' values into worker 0 along a binary tree (log2 W rounds):
//   in the round of `step`, worker w with w % 2step == step sends its value to w - step and
//   is done. Each send and each receive waits at most `timeout` seconds.
//   merge(T* into, T&& other) returns a Status.
// - FailJob logs the status, naming this rank, and aborts every rank with its exit code.
// - ShareFromRankZero is BroadcastResult for a setup step: a transport failure ends the job
//   (FailJob); an error result is logged once, by rank 0, and every rank gets its exit code;
//   nullopt when the result holds a value.
// Collectives: every rank (BroadcastResult) or every worker (MergeTree) must call them.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "common/deadline_wait.h"
#include "common/job_result.h"
#include "common/serialize.h"
#include "common/status.h"
#include "common/transport.h"

namespace item2vec {

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
[[noreturn]] inline void FailJob(Transport& t, const Status& st) {
  spdlog::error("{}", st.ToString());
  spdlog::error("ending the job (exit code {})", ExitCodeOf(st));
  spdlog::default_logger()->flush();
  // Any rank, once the output is locked (common/job_result.h).
  RecordJobFailure(ExitCodeOf(st), "rank " + std::to_string(t.rank()) + ": " + st.ToString());
  t.Abort(ExitCodeOf(st));
  std::abort();  // not reached: Abort does not return
}

template <typename T>
std::optional<int> ShareFromRankZero(Transport& t, Result<T>* result) {
  if (Status bs = BroadcastResult(t, result); !bs.ok()) FailJob(t, bs);
  if (result->ok()) return std::nullopt;
  if (t.rank() == 0) spdlog::error("{}", result->status().ToString());
  return ExitCodeOf(result->status());
}

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
      Envelope e;
      ITEM2VEC_RETURN_IF_ERROR(ProbeUntil(t, worker + step, tag, timeout, "sent no " + what, &e));
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

}  // namespace item2vec
