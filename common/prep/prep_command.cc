#include "common/prep/prep_command.h"

#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "common/prep/prep_options.h"
#include "common/prep/prep_pipeline.h"

namespace item2vec {
namespace {

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

// The launcher's rank and size, read from the environment (Open MPI, PMIx, MPICH/Slurm PMI).
void LauncherRank(int* rank, int* size) {
  *size = EnvInt("OMPI_COMM_WORLD_SIZE", EnvInt("PMIX_SIZE", EnvInt("PMI_SIZE", 1)));
  *rank = EnvInt("OMPI_COMM_WORLD_RANK", EnvInt("PMIX_RANK", EnvInt("PMI_RANK", 0)));
}

}  // namespace

int RunPrepCommand(const std::vector<std::string>& args) {
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
                 "Example (MovieLens, liked movies, last one held out per user):\n"
                 "  item2vec prep -i ratings.csv -o ml/ --user-col userId --item-col movieId \\\n"
                 "      --time-col timestamp --rating-col rating --min-rating 3.5 --holdout last\n\n"
              << PrepOptionsDescription(&defaults, &config) << "\n"
              << "Exit codes: 0 ok, 2 bad options or unknown columns, 3 missing input, bad row under\n"
                 "--strict or empty result, 4 write failure.\n";
    return 0;
  }
  int rank = 0, size = 1;
  LauncherRank(&rank, &size);
  // Logging starts at info so that option errors are shown; --log-level applies once valid.
  if (Status log_status = InitLogging(rank, "prep", "info"); !log_status.ok() && st.ok()) st = log_status;
  Result<PrepConfig> config = st.ok() ? ResolvePrepOptions(options) : Result<PrepConfig>(st);
  if (!config.ok()) {
    if (rank == 0) spdlog::error("{}", config.status().ToString());
    return ExitCodeOf(config.status());
  }
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  if (size > 1) {
    if (rank != 0) {
      spdlog::info("prep runs on rank 0 only; rank {} of {} has nothing to do", rank, size);
      return 0;
    }
    spdlog::info("prep runs on rank 0 only (single process); the other {} rank(s) exit at once", size - 1);
  }
  Result<PrepSummary> summary = RunPrep(config.value());
  if (!summary.ok()) {
    spdlog::error("{}", summary.status().ToString());
    spdlog::error("prep failed (exit code {}); no output file was replaced by a partial one",
                  ExitCodeOf(summary.status()));
    return ExitCodeOf(summary.status());
  }
  const PrepSummary& s = summary.value();
  spdlog::info("done in {:.1f}s: {} users, {} sequences, {} tokens, {} items, {} held-out records -> {}", s.seconds,
               s.users, s.session.sequences, s.session.tokens, s.items, s.session.heldout_records,
               config->output);
  spdlog::info("{} rows read, {} rejected, {} events filtered (rating {}, event type {}, item count {}); "
               "{} short sequences dropped",
               s.rows_read, s.RowsRejected(), s.EventsFiltered(), s.filtered_rating, s.filtered_event_type,
               s.filtered_item_count, s.session.short_sequences);
  return 0;
}

}  // namespace item2vec
