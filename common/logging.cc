#include "common/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace item2vec {

Status InitLogging(int rank, const std::string& role, const std::string& level) {
  // A second call (a command that learns its role late, as train does) replaces the logger.
  spdlog::drop("item2vec-" + std::to_string(rank));
  auto logger = spdlog::stderr_logger_st("item2vec-" + std::to_string(rank));
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] [rank " + std::to_string(rank) + " " + role + "] [%l] %v");
  const auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off")
    return Status::InvalidArgument("unknown --log-level '" + level + "'");
  spdlog::set_level(lvl);
  spdlog::flush_on(spdlog::level::info);
  return Status::Ok();
}

void SetLogLevel(const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); }

}  // namespace item2vec
