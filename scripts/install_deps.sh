#!/usr/bin/env bash
# Installs every Debian package item2vec needs to build, test and benchmark (Debian 12).
# Run as root (or through sudo). Idempotent.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
  exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
packages=(
  build-essential cmake                       # compiler and build
  libopenmpi-dev openmpi-bin                  # MPI (ranks, point-to-point transport)
  libboost-serialization-dev libboost-program-options-dev
  libspdlog-dev libgtest-dev                  # logging, tests
  python3 python3-numpy python3-gensim        # gensim peer and vector-loading test
  libopenblas0-pthread                        # the BLAS gensim's inner loops call: with Debian's
                                              # reference BLAS the gensim peer is slower than a usual install
  fasttext                                    # fastText peer for the benchmark
  slurm-wlm munge                             # the Slurm test runs a real single-node Slurm
  libhiredis-dev redis-server redis-tools python3-redis  # item2vec publish, its Redis test
  procps util-linux time bc                   # pgrep (failure test), flock (nightly), /usr/bin/time and bc (bench scripts)
  iproute2                                    # ip netns, tc (scripts/cluster, cluster tests)
  libbenchmark-dev                            # the kernel micro-benchmark (scripts/bench/kernel_bench.cc)
  linux-perf                                  # scripts/bench/profile_train.sh (perf record per rank)
  zlib1g-dev libzstd-dev gzip zstd            # compressed input (.gz, .zst part files) and its tests
  libhnswlib-dev                              # item2vec index (HNSW approximate neighbours)
  python3-hnswlib                             # the test that Python's hnswlib opens our index
  libcurl4-openssl-dev                        # train --pushgateway (Prometheus Pushgateway push)
  prometheus-pushgateway prometheus-node-exporter  # the metrics tests push to / scrape the real ones
  chromium fonts-dejavu-core python3-pil      # the report test renders report.html and checks the screenshot
  ccache                                      # optional: faster rebuilds in scripts/build.sh
)
apt-get update -q
apt-get install -y -q "${packages[@]}"
echo "install_deps: all packages installed"
