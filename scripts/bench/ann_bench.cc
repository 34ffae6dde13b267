// item2vec-ann-bench: recall and speed of the HNSW index (model/ann_index.h) against
// the exact search (model/nearest_neighbors.h) on generated vectors with cluster
// structure, through the same library code `item2vec index`, `similar --index` and
// `eval --index` use.
//
// Data: `clusters` centres in a `latent`-dimensional space (N(0,1)), each item a centre plus
// N(0, spread^2) latent noise, mapped to `dim` dimensions by a fixed Gaussian matrix plus
// N(0, noise^2) isotropic noise: clustered vectors whose intrinsic dimension is far below
// `dim`, as trained embeddings are. Queries are fresh points of the same distribution (not
// in the index). Prints one markdown table: exact search and the index at each --efs width,
// with queries/s on --threads threads, recall@k against the exact top-k, build time and
// peak RSS. Deterministic for a seed except the build with threads > 1 (hnswlib's order).
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/random.h"
#include "model/ann_index.h"
#include "model/nearest_neighbors.h"
#include "model/similarity.h"

namespace {

using namespace item2vec;
using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double CurrentRssMiB() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f != nullptr) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * 4096.0 / (1024.0 * 1024.0);
}

float Normal(Rng& rng) {
  const double u1 = std::max(1e-300, rng.UniformDouble()), u2 = rng.UniformDouble();
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}

struct Options {
  std::size_t items = 1000000, queries = 2000;
  int dim = 100, clusters = 1000, latent = 24, k = 10, threads = 2, m = 16, ef_construction = 200;
  double spread = 0.35, noise = 0.05;
  std::string efs = "10,20,32,40,64,100", metric = "cosine";
  std::string graph_dir;   // keep the built index here and reuse it on the next run
  std::size_t exact_timed = 200;  // queries of the exact search timed before each row
  std::uint64_t seed = 1;
};

// Points [first, first + n) of the generator, row-major into out.
void Generate(const Options& o, const std::vector<float>& centres, const std::vector<float>& proj, std::uint64_t stream,
              std::size_t n, float* out) {
  Rng rng(SeedFor(o.seed, stream));
  std::vector<float> z(static_cast<std::size_t>(o.latent));
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = static_cast<std::size_t>(rng.Next() % static_cast<std::uint64_t>(o.clusters));
    for (int j = 0; j < o.latent; ++j)
      z[j] = centres[c * o.latent + j] + static_cast<float>(o.spread) * Normal(rng);
    float* x = out + i * static_cast<std::size_t>(o.dim);
    for (int k = 0; k < o.dim; ++k) {
      float s = static_cast<float>(o.noise) * Normal(rng);
      const float* p = proj.data() + static_cast<std::size_t>(k) * o.latent;
      for (int j = 0; j < o.latent; ++j) s += p[j] * z[j];
      x[k] = s;
    }
  }
}

int Usage() {
  std::fprintf(stderr,
               "Usage: item2vec-ann-bench [--items N] [--dim D] [--clusters C] [--latent R] [--spread S]\n"
               "  [--noise E] [--queries Q] [--k K] [--threads T] [--m M] [--ef-construction E]\n"
               "  [--efs 10,20,32,40,64,100] [--metric cosine|dot|euclidean] [--seed S] [--graph-dir DIR]\n"
               "  [--exact-timed N]\n"
               "--graph-dir keeps the index (saved and reloaded through AnnIndex::Save/Load, tied to the\n"
               "generated data's fingerprint) so a rerun with other --efs skips the build.\n");
  return 2;
}

}  // namespace

// The command line into *o; returns -1, or the exit code when it is --help or wrong.
int ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") return Usage() - 2;
    if (i + 1 >= argc) return Usage();
    const char* v = argv[++i];
    if (a == "--items") o->items = std::strtoull(v, nullptr, 10);
    else if (a == "--dim") o->dim = std::atoi(v);
    else if (a == "--clusters") o->clusters = std::atoi(v);
    else if (a == "--latent") o->latent = std::atoi(v);
    else if (a == "--spread") o->spread = std::atof(v);
    else if (a == "--noise") o->noise = std::atof(v);
    else if (a == "--queries") o->queries = std::strtoull(v, nullptr, 10);
    else if (a == "--k") o->k = std::atoi(v);
    else if (a == "--threads") o->threads = std::atoi(v);
    else if (a == "--m") o->m = std::atoi(v);
    else if (a == "--ef-construction") o->ef_construction = std::atoi(v);
    else if (a == "--efs") o->efs = v;
    else if (a == "--metric") o->metric = v;
    else if (a == "--seed") o->seed = std::strtoull(v, nullptr, 10);
    else if (a == "--graph-dir") o->graph_dir = v;
    else if (a == "--exact-timed") o->exact_timed = std::strtoull(v, nullptr, 10);
    else return Usage();
  }
  return -1;
}

// Scales each of `count` rows of dim d to unit length (cosine: the rows the index holds are unit).
void NormaliseRows(float* rows, std::size_t count, std::size_t d) {
  for (std::size_t q = 0; q < count; ++q) {
    double sq = 0;
    for (std::size_t k = 0; k < d; ++k) sq += static_cast<double>(rows[q * d + k]) * rows[q * d + k];
    const double norm = std::sqrt(sq);
    for (std::size_t k = 0; k < d; ++k) rows[q * d + k] = static_cast<float>(rows[q * d + k] / norm);
  }
}

// The share of the exact top k that the approximate top k found.
double Recall(const SearchResults& exact, const SearchResults& approx, std::size_t queries, int k) {
  std::size_t hits = 0;
  for (std::size_t q = 0; q < queries; ++q) {
    const std::int64_t* e = exact.top_items.data() + q * k;
    const std::int64_t* a = approx.top_items.data() + q * k;
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j)
        if (e[i] >= 0 && e[i] == a[j]) ++hits;
  }
  return static_cast<double>(hits) / static_cast<double>(queries * k);
}

int main(int argc, char** argv) {
  Options o;
  if (const int code = ParseArgs(argc, argv, &o); code >= 0) return code;
  Result<Similarity> metric = ParseSimilarity(o.metric);
  if (!metric.ok() || o.items < 2 || o.dim < 1 || o.clusters < 1 || o.latent < 1 || o.k < 1 || o.threads < 1) {
    std::fprintf(stderr, "item2vec-ann-bench: bad options%s%s\n", metric.ok() ? "" : ": ",
                 metric.ok() ? "" : metric.status().ToString().c_str());
    return 2;
  }
  std::vector<int> efs;
  {
    std::stringstream ss(o.efs);
    std::string t;
    while (std::getline(ss, t, ',')) efs.push_back(std::atoi(t.c_str()));
  }
  const std::size_t d = static_cast<std::size_t>(o.dim);
  Rng setup(SeedFor(o.seed, 0));
  std::vector<float> centres(static_cast<std::size_t>(o.clusters) * o.latent), proj(d * o.latent);
  for (float& c : centres) c = Normal(setup);
  for (float& p : proj) p = Normal(setup) / std::sqrt(static_cast<float>(o.latent));

  auto t0 = Clock::now();
  LoadedModel model;  // for the fingerprint that ties a saved index to this data
  {
    std::vector<float> rows(o.items * d);
    Generate(o, centres, proj, 1, o.items, rows.data());
    model.matrix = ItemMatrix::FromRows(rows.data(), o.items, o.dim, *metric);
    model.items.reserve(o.items);
    for (std::size_t i = 0; i < o.items; ++i) model.items.push_back(std::to_string(i));
  }
  const ItemMatrix& matrix = model.matrix;
  std::vector<float> queries(o.queries * d);
  Generate(o, centres, proj, 2, o.queries, queries.data());
  if (NormalisesRows(*metric)) NormaliseRows(queries.data(), o.queries, d);
  const double gen_seconds = SecondsSince(t0);
  const double rss_data = CurrentRssMiB();
  std::fprintf(stderr, "generated %zu x %d (%d clusters, latent %d) + %zu queries in %.1fs, RSS %.0f MiB\n", o.items,
               o.dim, o.clusters, o.latent, o.queries, gen_seconds, rss_data);

  const QuerySet qs{queries.data(), o.queries, nullptr, nullptr, nullptr};
  SearchOptions so;
  so.threads = o.threads;
  so.top_k = o.k;
  SearchResults exact;
  t0 = Clock::now();
  if (Status st = ExactSearch(matrix, qs, so, &exact); !st.ok()) {
    std::fprintf(stderr, "exact search: %s\n", st.ToString().c_str());
    return 1;
  }
  const double exact_seconds = SecondsSince(t0);
  const double exact_qps = static_cast<double>(o.queries) / exact_seconds;
  std::fprintf(stderr, "exact search: %.0f queries/s\n", exact_qps);

  AnnBuildOptions bo;
  bo.m = o.m;
  bo.ef_construction = o.ef_construction;
  bo.threads = o.threads;
  t0 = Clock::now();
  Result<std::unique_ptr<AnnIndex>> index = Status::NotFound("no saved index");
  std::string built_how = "built";
  IndexPaths saved;
  if (!o.graph_dir.empty()) {
    saved = IndexPathsFor(o.graph_dir + "/bench." + std::to_string(o.items) + "x" + std::to_string(o.dim) + ".m" +
                              std::to_string(o.m) + ".efc" + std::to_string(o.ef_construction),
                          *metric);
    index = AnnIndex::Load(saved, matrix, ModelFingerprint(model));
    if (index.ok()) built_how = "loaded (built by an earlier run)";
  }
  if (!index.ok()) {
    index = AnnIndex::Build(matrix, bo);
    if (!index.ok()) {
      std::fprintf(stderr, "build: %s\n", index.status().ToString().c_str());
      return 1;
    }
  }
  const double build_seconds = SecondsSince(t0);
  const double rss_index = CurrentRssMiB();
  std::fprintf(stderr, "%s in %.1fs, index %.0f MiB\n", built_how.c_str(), build_seconds, rss_index - rss_data);
  if (!o.graph_dir.empty() && built_how == "built") {
    const auto save_start = Clock::now();
    if (Status st = (*index)->Save(saved, ModelFingerprint(model), "generated"); !st.ok())
      std::fprintf(stderr, "saving the index: %s\n", st.ToString().c_str());
    else
      std::fprintf(stderr, "saved to %s in %.1fs\n", saved.meta.c_str(), SecondsSince(save_start));
  }

  std::printf("| search | ef | recall@%d | queries/s | exact queries/s just before | speed-up vs exact |\n"
              "|---|---:|---:|---:|---:|---:|\n", o.k);
  std::printf("| exact (blocked kernel, %d threads) | - | 1.0000 | %.0f | | 1.0x |\n", o.threads, exact_qps);
  SearchResults approx, timed;
  for (int ef : efs) {
    // The exact search again, on a slice, right before: the ratio compares runs under the
    // same load (the machine may be shared).
    const QuerySet slice{queries.data(), std::min(o.exact_timed, o.queries), nullptr, nullptr, nullptr};
    t0 = Clock::now();
    if (Status st = ExactSearch(matrix, slice, so, &timed); !st.ok()) return 1;
    const double exact_now = static_cast<double>(slice.count) / SecondsSince(t0);
    t0 = Clock::now();
    if (Status st = (*index)->Search(matrix, qs, o.k, ef, o.threads, &approx); !st.ok()) {
      std::fprintf(stderr, "search: %s\n", st.ToString().c_str());
      return 1;
    }
    const double s = SecondsSince(t0);
    const double recall = Recall(exact, approx, o.queries, o.k);
    const double qps = static_cast<double>(o.queries) / s;
    std::printf("| HNSW M=%d efC=%d, %d threads | %d | %.4f | %.0f | %.0f | %.1fx |\n", o.m, o.ef_construction,
                o.threads, ef, recall, qps, exact_now, qps / exact_now);
    std::fflush(stdout);
  }
  std::printf("\n%zu items x %d dims, %s, %zu queries, k %d; index %s in %.1f s on %d threads; RSS: data %.0f MiB, "
              "+index %.0f MiB, peak %.0f MiB\n",
              o.items, o.dim, o.metric.c_str(), o.queries, o.k, built_how.c_str(), build_seconds, o.threads, rss_data,
              rss_index - rss_data, PeakRssMiB());
  return 0;
}
