// EvalCommand: the wiring of `item2vec eval` over EvalOptions (model/evaluation.h).
//
// Contract: EvalCommand(o) is the Command (common/command.h) of `item2vec eval`: its usage text
// and its options bound to *o's fields with their defaults (the fields' values at the call) and
// help, from the table tools/eval/eval_options.opt (generated at build time). Pure.
#pragma once

#include "common/command.h"
#include "model/evaluation.h"

namespace item2vec {

Command EvalCommand(EvalOptions* o);

}  // namespace item2vec
