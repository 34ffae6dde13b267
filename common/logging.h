// Logging setup: spdlog to stderr with the rank and role in every line.
//
// Contract: InitLogging() is called at the command-line edge (again when the role becomes
// known, which replaces the logger); afterwards
// spdlog::info(...) etc. can be used anywhere. Lines look like
// "[2026-11-27 18:30:00.123] [rank 2 server] [info] message".
#pragma once

#include <string>

#include "common/status.h"

namespace item2vec {

Status InitLogging(int rank, const std::string& role, const std::string& level);
// The level of the lines logged from now on: trace, debug, info, warn or error (an unknown
// name turns logging off, as spdlog reads it).
void SetLogLevel(const std::string& level);

}  // namespace item2vec
