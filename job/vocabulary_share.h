// Sharing rank 0's vocabulary: every rank gets its summary, only the ranks that look items up
// get its names.
//
// Contract: ShareVocabulary is a collective of every rank. Rank 0's Result<Vocabulary> (an
// error ends every rank with its exit code, as ShareFromRankZero) reaches every rank as its
// VocabularySummary (a broadcast of a few bytes); the whole vocabulary (names and counts)
// travels only to the ranks in `named` (rank 0 first, each rank once), down a binary tree
// over that list in chunks below 1 GiB, so no rank sends it more than twice and messages of
// any size pass. The others (the servers) get Vocabulary::FromSummary: no strings. Each wait
// is bounded by `timeout`; a transport failure ends the job (FailJob).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "common/transport.h"
#include "common/vocabulary.h"
#include "job/train_state.h"

namespace item2vec {

StepExit ShareVocabulary(Transport& t, const std::vector<int>& named, double timeout, Result<Vocabulary>* vocab);

// A byte string of any size from one rank to another, as a size (8 bytes) and then chunks
// below 1 GiB, all with `tag`; the receiver probes for each (a wait of at most `timeout`);
// `what` names the bytes in errors. PostChunked only posts the sends (so that a rank can
// receive while its own go out): *size and bytes must live until WaitAll on the handles.
Status SendChunked(Transport& t, int dest, int tag, double timeout, const std::string& what,
                   const std::string& bytes);
void PostChunked(Transport& t, int dest, int tag, const std::string& bytes, std::uint64_t* size,
                 std::vector<Transport::Handle>* handles);
Status WaitAll(Transport& t, const std::vector<Transport::Handle>& handles, double timeout, const std::string& what);
Status ReceiveChunked(Transport& t, int source, int tag, double timeout, const std::string& what,
                      std::string* bytes);

// The byte tree under ShareVocabulary: ranks[0] holds *bytes; every rank in `ranks` ends
// with them. Exposed for tests.
Status ForwardBytesDownTree(Transport& t, const std::vector<int>& ranks, int tag, double timeout, std::string* bytes);

}  // namespace item2vec
