// eval_bench_data: writes a random model directory (vectors.bin, vocab.tsv) and a test
// file for timing `item2vec eval` (see scripts/bench_eval.sh).
//
// Usage: eval_bench_data OUT_DIR [items=1000000] [dim=100] [records=10000] [history=5] [seed=1]
// Items are "i<row>", counts fall with the row (Zipf-like), vectors are N(0, 1), and each
// record has `history` random items and a random next item. Single-threaded; deterministic
// for a seed.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "common/word2vec_format.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: eval_bench_data OUT_DIR [items] [dim] [records] [history] [seed]\n";
    return 2;
  }
  const std::string out = argv[1];
  const auto arg = [&](int i, long def) { return argc > i ? std::strtol(argv[i], nullptr, 10) : def; };
  const long items = arg(2, 1000000), dim = arg(3, 100), records = arg(4, 10000), history = arg(5, 5);
  const std::uint64_t seed = static_cast<std::uint64_t>(arg(6, 1));
  if (items < 2 || dim < 1 || records < 1 || history < 1) {
    std::cerr << "eval_bench_data: sizes must be positive (items >= 2)\n";
    return 2;
  }
  std::filesystem::create_directories(out + "/model");
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  item2vec::Word2VecWriter w;
  item2vec::Status st = w.Open("", out + "/model/vectors.bin", items, static_cast<int>(dim));
  if (!st.ok()) {
    std::cerr << "eval_bench_data: " << st.ToString() << "\n";
    return 4;
  }
  std::vector<float> row(static_cast<std::size_t>(dim));
  std::ofstream vocab(out + "/model/vocab.tsv");
  for (long i = 0; i < items; ++i) {
    for (float& x : row) x = g(rng);
    const std::string name = "i" + std::to_string(i);
    w.Add(name, row.data());
    vocab << name << '\t' << (100000000 / (i + 1) + 1) << '\n';
  }
  st = w.Commit();
  if (!st.ok() || !vocab) {
    std::cerr << "eval_bench_data: writing the model failed: " << st.ToString() << "\n";
    return 4;
  }
  std::uniform_int_distribution<long> pick(0, items - 1);
  std::ofstream test(out + "/test.tsv");
  for (long r = 0; r < records; ++r) {
    test << 'u' << r << "\ti" << pick(rng) << '\t';
    for (long h = 0; h < history; ++h) test << (h ? " i" : "i") << pick(rng);
    test << '\n';
  }
  if (!test) {
    std::cerr << "eval_bench_data: writing the test file failed\n";
    return 4;
  }
  std::cout << "wrote " << out << "/model (" << items << " x " << dim << ") and " << out << "/test.tsv (" << records
            << " records)\n";
  return 0;
}
