#include "common/command.h"

#include <exception>
#include <iostream>

#include <boost/any.hpp>
#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include "common/command_line.h"
#include "common/shared_options.h"
#include "common/logging.h"
#include "common/mpi_transport.h"

namespace po = boost::program_options;

namespace item2vec {
namespace {

// --help and --config for every command, unless its options have them already.
void AddCommonOptions(po::options_description* options) {
  if (options->find_nothrow("help", false) == nullptr) options->add_options()("help,h", "print this help and exit");
  if (options->find_nothrow("config", false) == nullptr) AddConfigOption(options, nullptr);
}

// A required option counts as given when it has a value that is not empty.
bool Given(const po::variables_map& given, const std::string& name) {
  auto it = given.find(name);
  if (it == given.end() || it->second.defaulted()) return false;
  const boost::any& v = it->second.value();
  if (const auto* s = boost::any_cast<std::string>(&v)) return !s->empty();
  if (const auto* list = boost::any_cast<std::vector<std::string>>(&v)) return !list->empty();
  return true;
}

Status CheckRequired(const Command& command, const po::variables_map& given) {
  for (const Command::Required& r : command.required)
    if (!Given(given, r.option))
      return Status::InvalidArgument("--" + r.option + " is required: " + r.why + " (see item2vec " + command.name +
                                     " --help)");
  return Status::Ok();
}

// Steps 1 to 6 of RunCommand (common/command.h); the catch-all is around it.
int RunSteps(Command& c, const std::vector<std::string>& args, CommandContext* ctx) {
  AddCommonOptions(&c.options);
  bool help = false;
  po::variables_map given;
  const Status parsed = ParseCommandOptions(c.options, args, c.name, &help, &given);
  if (help) {
    if (ctx->rank() == 0) std::cout << c.usage << c.options << "\n" << c.epilog << std::flush;
    return 0;
  }
  if (!parsed.ok()) return ctx->Fail(parsed);
  if (c.after_parse)
    if (Status st = c.after_parse(); !st.ok()) return ctx->Fail(st);
  if (Status st = CheckRequired(c, given); !st.ok()) return ctx->Fail(st);
  if (c.mpi == Command::Mpi::kAlways || (c.mpi == Command::Mpi::kWhenLaunched && ctx->size() > 1))
    ctx->StartMpi(/*with_transport=*/c.mpi == Command::Mpi::kWhenLaunched);
  return c.body(*ctx);
}

}  // namespace

Command::Command(std::string command_name, std::string usage_text)
    : name(std::move(command_name)), usage(std::move(usage_text)), options("item2vec " + name + " options") {
  options.add_options()("help,h", "print this help and exit");
}

CommandContext::CommandContext(std::string name, std::string log_role)
    : name_(std::move(name)), log_role_(std::move(log_role)) {
  LauncherRankFromEnvironment(&rank_, &size_);
  // Logging starts at info so that option errors are shown; the command applies its
  // --log-level once the options are valid.
  if (Logs()) (void)InitLogging(rank_, log_role_, "info");
}

CommandContext::~CommandContext() = default;

void CommandContext::StartMpi(bool with_transport) {
  mpi_ = std::make_unique<MpiSession>(nullptr, nullptr);
  rank_ = mpi_->rank();
  size_ = mpi_->size();
  if (!with_transport) return;
  transport_ = std::make_unique<MpiTransport>();
  comm_ = CollectiveComm(transport_.get());
  if (rank_ == 0 && Logs()) spdlog::info("{} on {} MPI ranks", name_, size_);
}

int CommandContext::Fail(const Status& status) {
  if (status.ok()) return 0;
  if (!Logs()) {
    std::cerr << "item2vec " << name_ << ": " << status.ToString() << "\n";
  } else if (rank_ == 0) {
    spdlog::error("{}", status.ToString());
  }
  return ExitCodeOf(status);
}

int CommandContext::SharedOutcome(const Status& status) {
  if (comm_.broken()) {
    spdlog::critical("{} failed on rank {}: {}; ending every rank", name_, rank_, status.ToString());
    spdlog::default_logger()->flush();
    Abort(ExitCodeOf(status));
  }
  if (status.ok()) return 0;
  const int code = Fail(status);
  if (rank_ == 0)
    spdlog::error("{} failed (exit code {}); no output file was replaced by a partial one", name_, code);
  return code;
}

void CommandContext::Abort(int code) {
  if (transport_ != nullptr) transport_->Abort(code);
  if (mpi_ != nullptr) MpiSession::Abort(code);
}

int CommandContext::Crash(const std::string& what) {
  const std::string where = size_ > 1 ? " on rank " + std::to_string(rank_) : "";
  if (Logs()) {
    spdlog::critical("item2vec {}: unexpected error{}: {}", name_, where, what);
    spdlog::default_logger()->flush();
  } else {
    std::cerr << "item2vec " << name_ << ": unexpected error" << where << ": " << what << std::endl;
  }
  Abort(1);
  return 1;
}

int RunCommand(Command& command, const std::vector<std::string>& args) {
  CommandContext ctx(command.name, command.log_role);
  try {
    return RunSteps(command, args, &ctx);
  } catch (const std::exception& e) {
    return ctx.Crash(e.what());
  } catch (...) {
    return ctx.Crash("an exception that is not a std::exception");
  }
}

int RunCommand(Command& command, const std::vector<std::string>& args, std::function<Status()> run) {
  command.body = [&run](CommandContext& ctx) { return ctx.Fail(run()); };
  return RunCommand(command, args);
}

int RunSharedWorkCommand(Command& command, const std::vector<std::string>& args,
                         std::function<int(CommandContext&)> body) {
  command.mpi = Command::Mpi::kWhenLaunched;
  command.log_role = command.name;
  command.body = std::move(body);
  return RunCommand(command, args);
}

}  // namespace item2vec
