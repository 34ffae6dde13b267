// PublishCommandOptions: every setting of `item2vec publish`, as typed, and the command's wiring.
//
// Contract: PublishCommand(o) is the Command (common/command.h) of `item2vec publish`: its usage text, its
// options bound to *o's fields with their defaults (the fields' values at the call) and help,
// and its required options, from the table tools/publish/publish_options.opt (generated at build time).
// A plain value; read-only once parsed.
#pragma once

#include <string>

#include "common/command.h"
#include "tools/publish/publisher.h"
#include "tools/publish/sparrow_layout.h"

namespace item2vec {

struct PublishCommandOptions {
  PublishOptions publish;
  SparrowLayoutOptions sparrow;
  std::string password_file, layout = "versioned", ttl = "24h";
};

Command PublishCommand(PublishCommandOptions* o);

}  // namespace item2vec
