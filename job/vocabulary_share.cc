#include "job/vocabulary_share.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "common/deadline_wait.h"
#include "common/serialize.h"
#include "job/rank_collectives.h"
#include "ps/protocol.h"

namespace item2vec {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 30;

}  // namespace

Status ReceiveChunked(Transport& t, int source, int tag, double timeout, const std::string& what,
                      std::string* bytes) {
  Envelope e;
  std::uint64_t size = 0;
  const std::string failure = "sent no " + what;
  ITEM2VEC_RETURN_IF_ERROR(ProbeUntil(t, source, tag, timeout, failure, &e));
  if (e.bytes != sizeof size) return Status::Corruption(what + ": a message of the wrong size");
  ITEM2VEC_RETURN_IF_ERROR(t.Receive(e, &size));
  bytes->assign(size, '\0');
  for (std::size_t off = 0; off < size; off += e.bytes) {
    ITEM2VEC_RETURN_IF_ERROR(ProbeUntil(t, source, tag, timeout, failure, &e));
    if (e.bytes == 0 || e.bytes > size - off) return Status::Corruption(what + ": a chunk of the wrong size");
    ITEM2VEC_RETURN_IF_ERROR(t.Receive(e, bytes->data() + off));
  }
  return Status::Ok();
}

void PostChunked(Transport& t, int dest, int tag, const std::string& bytes, std::uint64_t* size,
                 std::vector<Transport::Handle>* handles) {
  *size = bytes.size();
  handles->push_back(t.Isend(dest, tag, size, sizeof *size));
  for (std::size_t off = 0; off < bytes.size(); off += kChunkBytes)
    handles->push_back(t.Isend(dest, tag, bytes.data() + off, std::min(kChunkBytes, bytes.size() - off)));
}

Status WaitAll(Transport& t, const std::vector<Transport::Handle>& handles, double timeout, const std::string& what) {
  for (Transport::Handle h : handles) ITEM2VEC_RETURN_IF_ERROR(t.Wait(h, timeout, what));
  return Status::Ok();
}

Status SendChunked(Transport& t, int dest, int tag, double timeout, const std::string& what,
                   const std::string& bytes) {
  std::uint64_t size = 0;
  std::vector<Transport::Handle> handles;
  PostChunked(t, dest, tag, bytes, &size, &handles);
  return WaitAll(t, handles, timeout, "sending " + what + " to rank " + std::to_string(dest));
}

Status ForwardBytesDownTree(Transport& t, const std::vector<int>& ranks, int tag, double timeout, std::string* bytes) {
  const auto me = std::find(ranks.begin(), ranks.end(), t.rank());
  if (me == ranks.end()) return Status::Ok();
  const std::size_t i = static_cast<std::size_t>(me - ranks.begin());
  if (i > 0) ITEM2VEC_RETURN_IF_ERROR(ReceiveChunked(t, ranks[(i - 1) / 2], tag, timeout, "the vocabulary", bytes));
  for (std::size_t child = 2 * i + 1; child <= 2 * i + 2 && child < ranks.size(); ++child)
    ITEM2VEC_RETURN_IF_ERROR(SendChunked(t, ranks[child], tag, timeout, "the vocabulary", *bytes));
  return Status::Ok();
}

StepExit ShareVocabulary(Transport& t, const std::vector<int>& named, double timeout, Result<Vocabulary>* vocab) {
  Result<VocabularySummary> summary = Status::Internal("unset");
  if (t.rank() == 0) summary = vocab->ok() ? Result<VocabularySummary>(vocab->value().summary()) : vocab->status();
  if (StepExit exit = ShareFromRankZero(t, &summary)) return exit;
  if (std::find(named.begin(), named.end(), t.rank()) == named.end()) {
    *vocab = Vocabulary::FromSummary(summary.value());
    return std::nullopt;
  }
  std::string bytes;
  if (t.rank() == 0 && named.size() > 1) bytes = ToBytes(vocab->value());
  if (Status fs = ForwardBytesDownTree(t, named, protocol::kVocabulary, timeout, &bytes); !fs.ok())
    FailJob(t, fs.WithContext("sharing the vocabulary"));
  if (t.rank() == 0) return std::nullopt;
  Vocabulary received;
  if (Status ps = FromBytes(bytes, &received); !ps.ok()) FailJob(t, ps.WithContext("reading the vocabulary"));
  if (received.Fingerprint() != summary.value().fingerprint)
    FailJob(t, Status::Corruption("the vocabulary received differs from rank 0's"));
  received.set_shard_distinct(summary.value().shard_distinct);
  *vocab = std::move(received);
  return std::nullopt;
}

}  // namespace item2vec
