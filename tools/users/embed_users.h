// `item2vec embed-users`: a user's vector is the (optionally recency-weighted) mean of the
// unit-normalised vectors of their items, written in word2vec text format.
//
// Contract:
// - Input lines are either prep's hold-out records "user<TAB>next<TAB>history" (the history,
//   most recent last, is embedded; the next item is not) or plain sequences "item item ..."
//   (the user is the 1-based line number).
// - --last K keeps the K most recent known items; --half-life N weighs the item N places from
//   the end by 0.5^(N'/N) (the last item weighs 1). Items not in the model are skipped; a
//   user with no known item is counted and not written.
// - The output is written atomically (Word2VecWriter). Single-threaded.
#pragma once

#include <string>
#include <vector>

namespace item2vec {

// Returns the process exit code.
int RunEmbedUsersCommand(const std::vector<std::string>& args);

}  // namespace item2vec
