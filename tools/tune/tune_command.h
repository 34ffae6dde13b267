// `item2vec tune`: searches train's settings on a validation split within a time budget
// (tune_search.h), writes the winner as an INI for `train --config`, every trial as CSV and
// JSON and a plot of the search, and optionally trains the winner on the full input and
// evaluates it on the untouched test split.
//
// Contract:
// - tune is one process (not started under mpirun). Each trial is one launch of
//   `LAUNCHER -np N item2vec train ...` on the job's ranks, so a trial that fails or is
//   stopped at the budget cannot take the search with it, and each starts from clean
//   state; the launch costs well under a second (docs/commands/tune.md). The trial's model is
//   evaluated in this process on --valid (eval's code, HR@K and NDCG@K over every record:
//   a record whose query item a setting drops, e.g. by min-count, is a miss) and removed.
// - --test is read only after the search, by the final model (--final-output).
// - Outputs under --output: trials.jsonl (the log a rerun resumes from), trials.csv,
//   trials.json, best.ini, search.html; sample/ with --sample < 1; trials/ while a trial
//   runs. Exit codes: 0 ok, 2 bad options, 3 bad input or the defaults failed, 4 I/O.
#pragma once

#include <string>
#include <vector>

namespace item2vec {

int RunTuneCommand(const std::vector<std::string>& args);

}  // namespace item2vec
