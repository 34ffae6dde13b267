// `item2vec embed-users`: a user's vector is the (optionally recency-weighted) mean of the
// unit-normalised vectors of their items, written in word2vec text format.
//
// Contract:
// - Input: the files of --sequences as train lists them (a file, a directory of part files,
//   .gz/.zst), read by UserRecordReader (model/user_records.h), the reader eval uses:
//   prep's hold-out records "user<TAB>next<TAB>history" (the history, most recent last, is
//   embedded; the next item is not; a malformed line fails as in eval, naming file:line)
//   or plain sequences "item item ..." (the user is the 1-based line number over the
//   files). One vector per user: a user with several records (prep --holdout last:N)
//   gets the vector of its record with the longest history.
// - --last K keeps the K most recent known items; --half-life N weighs the item N places from
//   the end by 0.5^(N'/N) (the last item weighs 1). Items not in the model are skipped; a
//   record with no known item is counted and not written; no user at all to write is bad
//   input (exit 3, nothing written).
// - The output is written atomically (Word2VecWriter). Single-threaded.
#pragma once

#include <string>
#include <vector>

namespace item2vec {

// Returns the process exit code.
int RunEmbedUsersCommand(const std::vector<std::string>& args);

}  // namespace item2vec
