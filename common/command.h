// Command: the one entry path of every `item2vec` subcommand.
//
// Contract: RunCommand(command, args) takes a subcommand's wiring (its name, usage text,
// options bound to its variables, required options, whether it needs MPI, and its body) and
// does, in order:
//  1. parse: the command line, then the INI file named by --config (every command takes one;
//     the command line wins), into the variables bound to `options` (ParseCommandOptions,
//     common/command_line.h); --help and --config are added when the options lack them;
//  2. --help: prints `usage`, the options and `epilog` to stdout (under MPI: rank 0 only)
//     and returns 0 without checking anything else;
//  3. `after_parse` (when set): the command's own reading of what was parsed (defaults that
//     depend on other options, value spellings);
//  4. required options: each one not given (or given empty) fails with InvalidArgument
//     "--NAME is required: WHY (see item2vec NAME --help)";
//  5. the MPI session where `mpi` asks for one: kAlways starts MPI on every rank (train);
//     kWhenLaunched only when the launcher (mpirun, srun) started more than one process, and
//     then also a Transport over all ranks and a CollectiveComm on it (prep, walk; one
//     process runs without MPI and the CollectiveComm works within it). The session lives
//     until RunCommand returns, after every rank's last collective;
//  6. runs `body` and returns its exit code.
// Reporting: a failure in steps 1-4, and every CommandContext::Fail of the body, prints the
// Status once: commands with a `log_role` (train, prep, walk: spdlog lines with rank and role,
// common/logging.h, started at step 1 with level info) log it as an error on launcher rank 0;
// the others print "item2vec NAME: MESSAGE" to stderr. The exit code is ExitCodeOf(status)
// (2 for a usage error, 3 bad input, 4 I/O, ...; common/status.h).
// One catch-all: an exception out of any step or the body (a bug, std::bad_alloc, an injected
// fault) prints "item2vec NAME: unexpected error[ on rank R]: WHAT" (logged as critical where
// the command logs) and exits 1; with MPI started it ends every rank at once (MPI_Abort with
// code 1), since the other ranks would wait for this one.
// Thread-safety: call once per process, from main's thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "common/collective_comm.h"
#include "common/logging.h"
#include "common/status.h"

namespace item2vec {

class MpiSession;
class MpiTransport;
struct Command;

// What the body gets: where it runs, MPI when it asked for it, and the one way to report a
// failure.
class CommandContext {
 public:
  CommandContext(std::string name, std::string log_role);
  ~CommandContext();
  CommandContext(const CommandContext&) = delete;
  CommandContext& operator=(const CommandContext&) = delete;

  const std::string& name() const { return name_; }
  // This process's rank and the number of ranks (from MPI once started, else the launcher's
  // environment: 0 and 1 for a plain process).
  int rank() const { return rank_; }
  int size() const { return size_; }
  // kAlways: the MPI session (nullptr before step 5 and for the other modes).
  const MpiSession* mpi() const { return mpi_.get(); }
  // kWhenLaunched: the collectives over every rank (or within this one process).
  CollectiveComm& comm() { return comm_; }

  // Prints `status` as the command reports failures and returns its exit code (0 when OK,
  // printing nothing).
  int Fail(const Status& status);
  // The exit code of work the ranks share through comm() (prep, walk): when a collective failed
  // on this rank (comm().broken()) the ranks are out of step and a peer may wait forever inside
  // it, so this rank logs why and ends every rank; a failure every rank agrees on is reported
  // once, with a note that no output file was replaced by a partial one; OK is 0.
  int SharedOutcome(const Status& status);
  // Ends every rank with `code` at once when MPI runs (ranks out of step, a rank that cannot
  // go on); with one process it does nothing and the caller returns the code.
  void Abort(int code);
  // The catch-all's message and exit code: 1 (every rank ends with it under MPI).
  int Crash(const std::string& what);
  // Step 5 of RunCommand: MPI on every rank, with a transport and comm() when asked.
  void StartMpi(bool with_transport);

 private:
  bool Logs() const { return !log_role_.empty(); }

  std::string name_, log_role_;
  int rank_ = 0, size_ = 1;
  std::unique_ptr<MpiSession> mpi_;
  std::unique_ptr<MpiTransport> transport_;
  CollectiveComm comm_;
};

struct Command {
  enum class Mpi { kNone, kWhenLaunched, kAlways };
  struct Required {
    std::string option;  // long name, without "--"
    std::string why;     // "a model directory or a vectors file"
  };

  std::string name;   // "similar": the word after `item2vec`
  std::string usage;  // --help: what comes before the options ("Usage: item2vec ...\n\n...")
  std::string epilog; // --help: what comes after them (exit codes), may be empty
  boost::program_options::options_description options;
  std::vector<Required> required;
  Mpi mpi = Mpi::kNone;
  std::string log_role;  // non-empty: the command logs through spdlog with this role
  std::function<Status()> after_parse;
  std::function<int(CommandContext&)> body;

  // Options start with --help; add the command's own to `options`.
  Command(std::string command_name, std::string usage_text);
  // Options described elsewhere (train, prep, walk: their options' own headers).
  Command(std::string command_name, std::string usage_text, boost::program_options::options_description described)
      : name(std::move(command_name)), usage(std::move(usage_text)), options(std::move(described)) {}
};

int RunCommand(Command& command, const std::vector<std::string>& args);
// The same for a command whose body is one function returning a Status (tune, and through
// RunTableCommand the commands below): its failure is reported by CommandContext::Fail.
int RunCommand(Command& command, const std::vector<std::string>& args, std::function<Status()> run);
// The whole entry of a command whose options are one struct, wired by its option table
// (`command` tables, common/option_table.h: usage, options, required ones), and whose body is one
// function of them returning a Status (eval, similar, index, embed-users, export, report,
// publish): `return RunTableCommand(IndexCommand, BuildIndex, args);`.
template <typename Options, typename Run>
int RunTableCommand(Command (*wiring)(Options*), Run run, const std::vector<std::string>& args) {
  Options options;
  Command command = wiring(&options);
  return RunCommand(command, args, [&] { return run(options); });
}
// The same for a command whose ranks share its work when the launcher started several (prep,
// walk): sets Mpi::kWhenLaunched, logs with the command's name as role, and runs `body`.
int RunSharedWorkCommand(Command& command, const std::vector<std::string>& args,
                         std::function<int(CommandContext&)> body);
// The body of such a command (prep, walk): `config` is its checked options (a failure is
// reported and its code returned); at `log_level`, rank 0 announces the work (when `announce` is
// set), every rank runs `run` over comm(), the ranks end with their shared outcome
// (CommandContext::SharedOutcome), and on success rank 0 logs the summary.
template <typename Config, typename Summary>
int RunSharedWork(CommandContext& ctx, const Result<Config>& config, const std::string& log_level,
                  Result<Summary> (*run)(const Config&, CollectiveComm&),
                  void (*log_summary)(const Summary&, const Config&), void (*announce)(const Config&) = nullptr) {
  if (!config.ok()) return ctx.Fail(config.status());
  SetLogLevel(log_level);
  if (announce != nullptr && ctx.rank() == 0) announce(config.value());
  const Result<Summary> summary = run(config.value(), ctx.comm());
  if (const int code = ctx.SharedOutcome(summary.status())) return code;
  if (ctx.rank() == 0) log_summary(summary.value(), config.value());
  return 0;
}

}  // namespace item2vec
