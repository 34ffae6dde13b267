// item2vec-kernel-bench: a micro-benchmark of the worker's SGNS kernels (Google Benchmark),
// next to the machine's own roofline figures.
//
// What it measures, on one core:
// - BM_Kernel/<mode>/<dim>/<rows>: SgnsKernel::Train on a synthetic Batch laid out like the
//   trainer's: a sequence of random items, each position a centre whose contexts are its
//   kContexts neighbours (so consecutive groups share most context rows, as in a sliding
//   window), negatives = 5 drawn from a per-batch pool of kPool output slots (--negative-pool
//   4096); input and output slots in separate halves of a `rows`-slot buffer. The shared and
//   hogbatch kernels cut a centre's contexts into groups of kHogBatchShare sharing 5
//   negatives, the pair kernel draws 5 per pair. Modes: 0 pair and 2 shared (fused on
//   AVX2+FMA, worker/pair_block.h), 1 hogbatch (register-blocked), 3-5 the same kernels'
//   portable loops (pair's is word2vec.c's).
//   Counters: pairs/s (positive pairs), GFLOP/s, and bytes/pair, the row bytes a pair must
//   move to and from memory if nothing stays in cache (its rows read and written once): the
//   kernel's arithmetic intensity is flops_per_pair / bytes_per_pair.
// - BM_PeakFma: fused multiply-adds on independent register accumulators (AVX2+FMA where
//   the CPU has it): the core's peak GFLOP/s.
// - BM_StreamTriad: a[i] = b[i] + s * c[i] over arrays far larger than the caches: the
//   bytes/s one core gets from memory.
// The roofline bound of a kernel is min(peak, intensity * bandwidth); docs/benchmarks.md
// puts the measured figures next to it. Run: build/bin/item2vec-kernel-bench
// (scripts/bench/kernel_bench.sh writes the table).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "common/random.h"
#include "worker/batch.h"
#include "worker/batch_builder.h"
#include "worker/sgns_kernel.h"
#include "worker/sigmoid_table.h"

namespace item2vec {
namespace {

constexpr int kNegative = 5;
constexpr int kContexts = 6;    // contexts per centre: dynamic window 5 averages 2 * 3
constexpr int kGroups = 4096;   // centres per batch
constexpr std::uint32_t kPool = 4096;  // --negative-pool

// FLOPs of one positive pair: per target (centre + negatives) a dot, an axpy into the
// context's gradient and an axpy into the target (2 * dim each), then one axpy into the
// context. Both kernels do this much arithmetic per pair.
double FlopsPerPair(int dim) { return (6.0 * (kNegative + 1) + 2.0) * dim; }

// Row bytes per pair with no reuse in cache: the pair kernel reads and writes the context
// and every target row; HogBatch shares the centre and its negatives over a group.
double BytesPerPair(KernelKind mode, int dim) {
  const double row = 4.0 * dim * 2;  // read and write once
  if (!SharesNegatives(mode)) return row * (1 + 1 + kNegative);
  const double share = static_cast<double>(kHogBatchShare);
  return row * (share + 1 + kNegative) / share;
}

Batch MakeBatch(KernelKind mode, int dim, int rows, std::uint64_t seed) {
  Batch batch;
  Rng rng(seed);
  const std::uint32_t half = static_cast<std::uint32_t>(rows / 2);
  // Item k of the sequence has input slot k % half and output slot half + the same.
  std::vector<std::uint32_t> sequence(kGroups + kContexts);
  for (auto& x : sequence) x = rng.Below(half);
  std::vector<std::uint32_t> pool(std::min(kPool, half));
  for (auto& x : pool) x = half + rng.Below(half);
  auto draw = [&](int n) {
    for (int k = 0; k < n; ++k) batch.negatives.push_back(pool[rng.Below(static_cast<std::uint32_t>(pool.size()))]);
  };
  const std::uint32_t share = SharesNegatives(mode) ? kHogBatchShare : kContexts;
  for (int p = 0; p < kGroups; ++p) {
    const std::uint32_t centre = half + sequence[static_cast<std::size_t>(p + kContexts / 2)];
    for (int j0 = 0; j0 < kContexts; j0 += static_cast<int>(share)) {
      Group group;
      group.centre = centre;
      group.ctx_begin = static_cast<std::uint32_t>(batch.contexts.size());
      group.neg_begin = static_cast<std::uint32_t>(batch.negatives.size());
      for (int j = j0; j < std::min(kContexts, j0 + static_cast<int>(share)); ++j) {
        const int at = p + j + (j >= kContexts / 2 ? 1 : 0);  // the neighbours of position p + kContexts / 2
        batch.contexts.push_back(sequence[static_cast<std::size_t>(at)]);
        if (!SharesNegatives(mode)) draw(kNegative);
      }
      if (SharesNegatives(mode)) draw(kNegative);
      group.ctx_end = static_cast<std::uint32_t>(batch.contexts.size());
      group.alpha = 0.025f;
      batch.groups.push_back(group);
    }
  }
  batch.rows.resize(static_cast<std::size_t>(rows) * static_cast<std::size_t>(dim));
  // word2vec.c's scale: input rows in [-0.5/d, 0.5/d], output rows small too.
  for (float& x : batch.rows) x = static_cast<float>((rng.UniformDouble() - 0.5) / dim);
  batch.total_rows = static_cast<std::size_t>(rows);
  return batch;
}

void BM_Kernel(benchmark::State& state) {
  // 0 pair, 1 hogbatch, 2 shared (fused or register-blocked where the CPU has AVX2+FMA), then
  // the portable loops: 3 pair, 4 hogbatch, 5 shared
  static const KernelKind kKinds[] = {KernelKind::kPair, KernelKind::kHogBatch, KernelKind::kShared};
  const KernelKind mode = kKinds[state.range(0) % 3];
  const bool blocked = state.range(0) < 3;
  const int dim = static_cast<int>(state.range(1));
  const int rows = static_cast<int>(state.range(2));
  SigmoidTable sigmoid;
  SgnsKernel kernel(dim, kNegative, &sigmoid, mode, kContexts, CbowMode::kOff, blocked);
  Batch batch = MakeBatch(mode, dim, rows, 42);
  const HugePageVector<float> initial = batch.rows;
  std::int64_t pairs = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(kernel.Train(&batch));
    pairs += static_cast<std::int64_t>(kGroups) * kContexts;  // per batch, whatever the grouping
    // Keep the rows in word2vec's range: after many rounds the same pairs saturate.
    if (pairs % (static_cast<std::int64_t>(kGroups) * kContexts * 64) == 0) {
      state.PauseTiming();
      batch.rows = initial;
      state.ResumeTiming();
    }
  }
  const double p = static_cast<double>(pairs);
  state.counters["pairs/s"] = benchmark::Counter(p, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] = benchmark::Counter(p * FlopsPerPair(dim) / 1e9, benchmark::Counter::kIsRate);
  state.counters["bytes/pair"] = BytesPerPair(mode, dim);
  state.counters["flop/byte"] = FlopsPerPair(dim) / BytesPerPair(mode, dim);
  state.SetLabel(std::string(KernelKindName(mode)) + (blocked ? "" : "-loop"));
}

// Twelve independent 8-wide FMA chains: enough to cover the FMA latency on two ports.
__attribute__((target("avx2,fma"), noinline)) float PeakFmaAvx2(std::int64_t rounds) {
  using v8 = float __attribute__((vector_size(32)));
  v8 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = v8{} + static_cast<float>(i) * 1e-3f;
  const v8 a = v8{} + 0.999f, b = v8{} + 1e-4f;
  for (std::int64_t r = 0; r < rounds; ++r)
    for (int i = 0; i < 12; ++i) acc[i] = acc[i] * a + b;
  float s = 0;
  for (int i = 0; i < 12; ++i)
    for (int k = 0; k < 8; ++k) s += acc[i][k];
  return s;
}

void BM_PeakFma(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    state.SkipWithError("this CPU has no AVX2+FMA");
    return;
  }
  constexpr std::int64_t kRounds = 1 << 20;
  std::int64_t rounds = kRounds;
  for (auto _ : state) {
    benchmark::DoNotOptimize(rounds);  // the compiler must not fold the call away
    benchmark::DoNotOptimize(PeakFmaAvx2(rounds));
  }
  const double flops = static_cast<double>(state.iterations()) * kRounds * 12 * 8 * 2;
  state.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsRate);
}

void BM_StreamTriad(benchmark::State& state) {
  const std::size_t n = std::size_t{1} << 25;  // 3 arrays of 128 MiB
  std::vector<float> a(n, 0.0f), b(n, 1.0f), c(n, 2.0f);
  for (auto _ : state) {
    float* __restrict pa = a.data();
    const float* __restrict pb = b.data();
    const float* __restrict pc = c.data();
    for (std::size_t i = 0; i < n; ++i) pa[i] = pb[i] + 0.5f * pc[i];
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
  const double bytes = static_cast<double>(state.iterations()) * static_cast<double>(n) * 4 * 3;
  state.counters["GB/s"] = benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsRate);
}

// mode (0 pair, 1 hogbatch, 2 shared, 3-5 their portable loops) x dim x rows in the batch
// buffer (4096 rows fit L2 at d=32, 65536 rows of d=100/300 are far beyond it, like a big
// batch of a long-tail corpus).
BENCHMARK(BM_Kernel)->ArgsProduct({{0, 1, 2, 3, 4, 5}, {32, 100, 300}, {4096, 65536}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PeakFma);
BENCHMARK(BM_StreamTriad)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace item2vec

BENCHMARK_MAIN();
