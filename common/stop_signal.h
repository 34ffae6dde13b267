// StopSignal: SIGTERM, SIGINT and SIGUSR1 turned into a polled "stop after a checkpoint"
// request.
//
// Contract: InstallStopSignalHandlers() installs async-signal-safe handlers that only set
// a flag; the training loops poll StopRequested() between batches (never in a hot loop)
// and answer with a checkpoint and exit code 75. Slurm sends SIGTERM before the time
// limit; mpirun forwards SIGUSR1 to every rank without killing them afterwards (it follows
// a forwarded SIGTERM with SIGKILL after about a second), so SIGUSR1 is the signal to use
// with mpirun. A second SIGINT restores the default action, so two Ctrl-C still end an
// interactive run at once. Process-wide; safe to call StopRequested() from any thread.
#pragma once

namespace item2vec {

void InstallStopSignalHandlers();
bool StopRequested();
// The name of the signal that asked to stop ("SIGTERM"), or "" when none did.
const char* StopSignalName();
// For tests: behave as if the signal had arrived.
void RequestStopForTesting(int signal_number);

}  // namespace item2vec
