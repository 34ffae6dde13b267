// The start of training: the workers wait until every server's rows are laid out.
//
// Contract:
// - AnnounceRowsReady (a server, once its rows are laid out or loaded) sends every worker an
//   empty kRowsReady message (ps/protocol.h) and waits for the sends, at most `timeout` s.
// - WaitForServerRows (a worker) returns once every server rank (workers .. workers +
//   servers - 1) has announced its rows. At most `timeout` s in all (the job passes
//   --peer-timeout: laying out a large shard on a loaded node can take far longer than
//   --liveness-timeout, but a server that hangs or swaps while laying out its rows must not
//   hold the job for ever). A Timeout names the first server still silent, its host, and
//   what to do; the job then ends with exit code 5 (common/status.h).
// - Point to point, not a collective: ranks that are neither wait for nothing. Not
//   thread-safe (the rank's one transport thread).
#pragma once

#include "common/status.h"
#include "common/transport.h"

namespace item2vec {

Status AnnounceRowsReady(Transport& t, int workers, double timeout);

Status WaitForServerRows(Transport& t, int workers, int servers, double timeout);

}  // namespace item2vec
