// The train command's vocabulary step: the resume point, then the vocabulary every rank uses.
//
// Contract: BuildJobVocabulary runs after set-up on every rank (a collective). Rank 0 finds
// the resume point with --resume (job/resume.h), or else removes an earlier run's
// checkpoints; the result is broadcast. The vocabulary then comes from the checkpoint, or
// from the workers' shard counts merged into rank 0 (job/vocabulary_build.h) and, with
// --init-from, compared with the previous model's; every rank gets its summary, the workers
// its names (job/vocabulary_share.h), and the servers too on a fresh warm start. Each
// worker keeps the number of its shard's in-vocabulary tokens (shard_words) and frees its
// counts before the model is allocated. Errors every rank sees end every rank with the same
// exit code (logged once by rank 0); a failure on one rank ends the job (FailJob).
#pragma once

#include "job/train_state.h"

namespace item2vec {

StepExit BuildJobVocabulary(TrainJob* job);

}  // namespace item2vec
