// EmbedUsersOptions: every setting of `item2vec embed-users`, as typed, and the command's wiring.
//
// Contract: EmbedUsersCommand(o) is the Command (common/command.h) of `item2vec embed-users`: its usage text, its
// options bound to *o's fields with their defaults (the fields' values at the call) and help,
// and its required options, from the table tools/users/embed_users_options.opt (generated at build time).
// A plain value; read-only once parsed.
#pragma once

#include <string>
#include <vector>

#include "common/command.h"

namespace item2vec {

struct EmbedUsersOptions {
  std::vector<std::string> inputs;
  std::string model, output;
  int last = 0;
  double half_life = 0;
};

Command EmbedUsersCommand(EmbedUsersOptions* o);

}  // namespace item2vec
