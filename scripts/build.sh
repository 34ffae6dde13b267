#!/usr/bin/env bash
# Configures and builds item2vec (Release) into build/: binaries in build/bin/.
# Usage: scripts/build.sh [extra cmake args]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$repo" -B "$repo/build" -DCMAKE_BUILD_TYPE=Release "$@" > /dev/null
cmake --build "$repo/build" -j "$(nproc)"
echo "build: $repo/build/bin/item2vec"
