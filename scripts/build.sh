#!/usr/bin/env bash
# Configures and builds item2vec (Release) into build/: binaries in build/bin/.
# Usage: scripts/build.sh [extra cmake args]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
launcher=()
# ccache, where installed, makes rebuilds after a checkout switch cheap.
if command -v ccache > /dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$repo" -B "$repo/build" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@" > /dev/null
cmake --build "$repo/build" -j "$(nproc)"
echo "build: $repo/build/bin/item2vec"
