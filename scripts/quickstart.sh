#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to similar movies: installs the Debian
# packages, builds item2vec, and runs the main job on the bundled MovieLens data
# (prep -> train under mpirun -> eval against popularity -> similar movies with titles).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/scripts/install_deps.sh"
"$repo/scripts/build.sh"
"$repo/scripts/run_movielens.sh" "$@"
