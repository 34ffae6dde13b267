// ExitWatchdog: a rank that has decided the job must end leaves within a bounded time, whatever
// blocks the call that was meant to end it.
//
// Contract: ArmExitWatchdog(code, seconds) starts a detached thread that sleeps `seconds` and then
// ends the process with std::_Exit(code) (no destructors, no atexit handlers, no stdio flush:
// flush logs before arming). It returns at once and never blocks. Call it right before a call
// that should end the process but may not return, such as MPI_Abort when mpirun, its daemon or
// the PMIx server cannot be reached (a node cut off, a lost daemon): the rank then exits with the
// job's own exit code after `seconds` instead of hanging until the kernel's TCP timeouts.
// Should the thread not start (no resources), SIGALRM with whole seconds does the same. The first
// call wins; later calls do nothing. The grace period comes from ITEM2VEC_ABORT_GRACE_SECONDS
// when it is set to a number > 0 (AbortGraceSeconds), else kDefaultAbortGraceSeconds.
// Thread-safety: any thread may call it, once or many times.
#pragma once

namespace item2vec {

// Long enough for an MPI_Abort that can reach mpirun to end the job its own way (and mpirun to
// report it), short enough that a rank behind a cut ends well within 30 s of it.
inline constexpr double kDefaultAbortGraceSeconds = 3.0;

// ITEM2VEC_ABORT_GRACE_SECONDS when set to a number > 0, else kDefaultAbortGraceSeconds.
double AbortGraceSeconds();

// Ends the process with std::_Exit(exit_code) after `seconds`, from a thread of its own.
void ArmExitWatchdog(int exit_code, double seconds);

}  // namespace item2vec
