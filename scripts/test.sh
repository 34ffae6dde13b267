#!/usr/bin/env bash
# Builds item2vec and runs the whole test suite with ctest: unit tests, MPI integration
# tests (2-4 ranks), prep/eval tests, the nightly pipeline and the Slurm test.
# Tests that need something this machine lacks (gensim, Slurm daemons, ml-100k) are
# reported as skipped, never as passed. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/scripts/build.sh"
# Keep MPI on this machine and allow root (containers, CI); tests set these too.
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
cd "$repo/build"
ctest --output-on-failure -j "$(nproc)" "$@"
