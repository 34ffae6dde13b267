#include "tools/prep/prep_command.h"

#include <exception>
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "common/collective_comm.h"
#include "common/shared_work.h"
#include "tools/prep/prep_options.h"
#include "tools/prep/prep_pipeline.h"

namespace item2vec {

int RunCollectiveCommand(const std::vector<std::string>& args) {
  PrepOptions options;
  bool help = false;
  Status st = ParsePrepOptions(args, &options, &help);
  if (help) {
    std::string config;
    PrepOptions defaults;
    std::cout << "Usage: item2vec prep --input LOG.csv [LOG2.csv ...] --output DIR [options]\n\n"
                 "Turns event logs (CSV with quotes, TSV, or '::'-separated as in MovieLens 1M; with\n"
                 "or without a header; LF or CRLF) into training sequences for `item2vec train`:\n"
                 "one line per user (or session) of space-separated item ids in time order, in\n"
                 "DIR/train/part-NNNNN, plus DIR/test.tsv of held-out (user, next item, history)\n"
                 "records and DIR/summary.json. Logs larger than --memory are sorted on disk.\n\n"
                 "Under mpirun (mpirun -np N item2vec prep ...) the N ranks share the work: each\n"
                 "reads a byte range of the input (split at line starts; a file whose split point\n"
                 "falls inside a quoted field with a line break is read whole by one rank), spills\n"
                 "its rows into per-rank user-hash buckets, then sorts every N-th bucket. The part\n"
                 "files and test.tsv are byte-identical to a single-process run (summary.json too,\n"
                 "but for its sort statistics and time). --memory is per rank, and DIR must be on\n"
                 "a file system every rank sees. Bad rows are reported (by rank 0) after the\n"
                 "reading pass, and --strict fails then with the log's first bad row. Without\n"
                 "mpirun, or with -np 1, prep is one process.\n\n"
                 "Example (MovieLens, liked movies, last one held out per user):\n"
                 "  item2vec prep -i ratings.csv -o ml/ --user-col userId --item-col movieId \\\n"
                 "      --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last\n\n"
              << PrepOptionsDescription(&defaults, &config) << "\n"
              << "Exit codes: 0 ok, 2 bad options or unknown columns, 3 missing input, bad row under\n"
                 "--strict or empty result, 4 write failure.\n";
    return 0;
  }
  int rank = 0, size = 1;
  LauncherRankFromEnvironment(&rank, &size);
  // Logging starts at info so that option errors are shown; --log-level applies once valid.
  if (Status log_status = InitLogging(rank, "prep", "info"); !log_status.ok() && st.ok()) st = log_status;
  Result<PrepConfig> config = st.ok() ? ResolvePrepOptions(options) : Result<PrepConfig>(st);
  if (!config.ok()) {
    if (rank == 0) spdlog::error("{}", config.status().ToString());
    return ExitCodeOf(config.status());
  }
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  // Several ranks: MPI for the collectives of the shared work. It stays initialised until
  // this function returns, after every rank's last collective.
  SharedWork shared;
  rank = shared.Start(size, "prep");
  CollectiveComm& comm = shared.comm();
  Result<PrepSummary> summary = Status::Internal("prep did not run");
  try {
    summary = RunPrep(config.value(), comm);
  } catch (const std::exception& e) {
    // Out of memory and the like: this rank cannot go on, and its peers would wait for it.
    spdlog::critical("prep failed on rank {}: {}", rank, e.what());
    shared.Abort(1);
    return 1;
  }
  if (comm.broken()) {
    // A collective failed here: the ranks are out of step and a peer may wait forever
    // inside it, so this rank tells why and ends them all.
    spdlog::critical("prep failed on rank {}: {}; ending every rank", rank, summary.status().ToString());
    spdlog::default_logger()->flush();
    shared.Abort(ExitCodeOf(summary.status()));
  }
  if (!summary.ok()) {
    // Every rank has the same status; rank 0 tells it.
    if (rank == 0) {
      spdlog::error("{}", summary.status().ToString());
      spdlog::error("prep failed (exit code {}); no output file was replaced by a partial one",
                    ExitCodeOf(summary.status()));
    }
    return ExitCodeOf(summary.status());
  }
  if (rank != 0) return 0;
  const PrepSummary& s = summary.value();
  spdlog::info("done in {:.1f}s: {} users, {} sequences, {} tokens, {} items, {} held-out records -> {}", s.seconds,
               s.users, s.session.sequences, s.session.tokens, s.items, s.session.heldout_records,
               config->output);
  spdlog::info("{} rows read, {} rejected, {} events filtered (rating {}, event type {}, item count {}); "
               "{} short sequences dropped",
               s.rows_read, s.RowsRejected(), s.EventsFiltered(), s.filtered_rating, s.filtered_event_type,
               s.filtered_item_count, s.session.short_sequences);
  if (config->session.mode == SequenceMode::kSet)
    spdlog::info("each line is a set (items deduplicated and sorted by id): train it with `item2vec train "
                 "--window-mode set --input {}/train ...`, which pairs every item of a line with every other; the "
                 "default sliding window would pair items by their id order instead", config->output);
  return 0;
}

}  // namespace item2vec
