// --new-items cooccurrence over the ranks: which kept items each new item starts from.
//
// Contract (a collective of every rank): rank 0's new-item ids go to all ranks; each
// worker counts the kept items around new items in its shard (one extra pass); the
// counters merge into worker 0 along the tree; rank 0's K strongest neighbours per new item
// go to all ranks (the servers need them). Two broadcasts; every point-to-point wait has a
// deadline. A failing rank ends the job (FailJob), so no rank waits on it forever.
// Returns the neighbours on every rank (empty when there are no new items).
#pragma once

#include <vector>

#include "common/input_files.h"
#include "common/train_options.h"
#include "common/transport.h"
#include "common/vocabulary.h"
#include "job/cooccurrence_init.h"

namespace item2vec {

NewItemNeighbours FindNewItemNeighbours(Transport& t, const TrainOptions& o, const std::vector<InputFile>& files,
                                        const Vocabulary& vocab, std::vector<ItemId> new_ids, int workers);

}  // namespace item2vec
