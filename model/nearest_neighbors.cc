#include "model/nearest_neighbors.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>
#include <thread>

namespace item2vec {
namespace {

constexpr int P = ItemMatrix::kPanel;
constexpr int kRows = 4;  // queries per register tile: kRows x P accumulators

struct HeapEntry {
  float score;
  std::int64_t item;
};
// "a comes before b" in the result order; as a heap comparator it keeps the worst on top.
inline bool Better(const HeapEntry& a, const HeapEntry& b) {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

// What one thread owns: a padded copy of its query block and the per-query accumulators.
struct ThreadState {
  std::vector<float> queries;         // query_block x dim, padding rows zero
  std::vector<float> target_score;    // +inf for rows without a target: nothing beats it
  std::vector<std::int64_t> target;   // -1 for rows without a target
  std::vector<std::int64_t> beaten;   // items counted before the target so far
  std::vector<HeapEntry> heap;        // query_block x top_k
  std::vector<int> heap_size;
  std::vector<float> worst;           // score an item must reach to be considered
  std::vector<ItemId> scratch;        // distinct exclusions of one query
};

// Everything the block kernel reads and writes for one (query block, item block) pair.
struct BlockArgs {
  const float* queries;        // rows x dim
  int rows;                    // multiple of kRows
  const float* panels;         // first panel of the item block
  const float* bias;           // the block's first item's bias, nullptr = no bias
  int num_panels;
  std::size_t first_item;
  std::size_t num_items;       // all items in the matrix, to skip padding lanes
  int dim;
  const float* target_score;
  const std::int64_t* target;
  std::int64_t* beaten;
  bool count_ranks;
  int top_k;
  HeapEntry* heap;
  int* heap_size;
  float* worst;
  // Exclusions of each row, for the top-k (the rare insertions only).
  const std::size_t* exclude_begin;  // nullptr = none; indexed by global query id
  const ItemId* exclude;
  std::size_t first_query;
  std::size_t num_queries;
};

bool IsExcluded(const BlockArgs& a, int row, std::int64_t item) {
  if (a.exclude_begin == nullptr) return false;
  const std::size_t q = a.first_query + static_cast<std::size_t>(row);
  for (std::size_t i = a.exclude_begin[q]; i < a.exclude_begin[q + 1]; ++i)
    if (static_cast<std::int64_t>(a.exclude[i]) == item) return true;
  return false;
}

// Called only for scores >= the row's current threshold: rare once the heap is full.
void Offer(const BlockArgs& a, int row, float score, std::int64_t item) {
  if (a.first_query + static_cast<std::size_t>(row) >= a.num_queries) return;  // padding row
  HeapEntry* h = a.heap + static_cast<std::size_t>(row) * a.top_k;
  int& size = a.heap_size[row];
  const HeapEntry e{score, item};
  if (size == a.top_k && !Better(e, h[0])) return;
  if (IsExcluded(a, row, item)) return;
  if (size == a.top_k) {
    std::pop_heap(h, h + size, Better);
    h[size - 1] = e;
  } else {
    h[size++] = e;
  }
  std::push_heap(h, h + size, Better);
  if (size == a.top_k) a.worst[row] = h[0].score;
}

// The hot loop. One clone per instruction set, picked at load time, so the portable
// binary still uses AVX2 where the CPU has it (no -march=native needed). The arithmetic is
// plain IEEE multiply and add in both clones (-ffp-contract=off), hence identical scores.
__attribute__((target_clones("avx2", "default")))
void ScoreBlock(const BlockArgs& a) {
  const int d = a.dim;
  for (int r0 = 0; r0 < a.rows; r0 += kRows) {
    const float* q = a.queries + static_cast<std::size_t>(r0) * d;
    for (int pi = 0; pi < a.num_panels; ++pi) {
      const float* pan = a.panels + static_cast<std::size_t>(pi) * d * P;
      float acc[kRows][P];
      for (int r = 0; r < kRows; ++r)
        for (int p = 0; p < P; ++p) acc[r][p] = 0.0f;
      for (int k = 0; k < d; ++k) {
        const float* pk = pan + static_cast<std::size_t>(k) * P;
        for (int r = 0; r < kRows; ++r) {
          const float qv = q[static_cast<std::size_t>(r) * d + k];
#pragma omp simd
          for (int p = 0; p < P; ++p) acc[r][p] += qv * pk[p];
        }
      }
      const std::size_t base = a.first_item + static_cast<std::size_t>(pi) * P;
      if (a.bias != nullptr) {
        const float* b = a.bias + static_cast<std::size_t>(pi) * P;
        for (int r = 0; r < kRows; ++r) {
#pragma omp simd
          for (int p = 0; p < P; ++p) acc[r][p] += b[p];
        }
      }
      const int valid = static_cast<int>(std::min<std::size_t>(P, a.num_items - base));
      if (a.count_ranks) {
        for (int r = 0; r < kRows; ++r) {
          const float t = a.target_score[r0 + r];
          const std::int64_t tid = a.target[r0 + r] - static_cast<std::int64_t>(base);
          int c = 0;
          if (valid == P) {
#pragma omp simd reduction(+ : c)
            for (int p = 0; p < P; ++p) c += (acc[r][p] > t) | ((acc[r][p] == t) & (p < tid));
          } else {
            for (int p = 0; p < valid; ++p) c += (acc[r][p] > t) | ((acc[r][p] == t) & (p < tid));
          }
          a.beaten[r0 + r] += c;
        }
      }
      if (a.top_k > 0) {
        for (int r = 0; r < kRows; ++r) {
          const float w = a.worst[r0 + r];
          for (int p = 0; p < valid; ++p)
            if (acc[r][p] >= w) Offer(a, r0 + r, acc[r][p], static_cast<std::int64_t>(base) + p);
        }
      }
    }
  }
}

// Processes query blocks taken from *next until none is left.
void Worker(const ItemMatrix& m, const QuerySet& qs, const SearchOptions& o, int query_block,
            int item_block, std::atomic<std::size_t>* next, ThreadState* s, SearchResults* out) {
  const int d = m.dim();
  const std::size_t num_blocks = (qs.count + query_block - 1) / query_block;
  const std::size_t panels_per_block = static_cast<std::size_t>(item_block / P);
  const float inf = std::numeric_limits<float>::infinity();
  for (std::size_t b = next->fetch_add(1); b < num_blocks; b = next->fetch_add(1)) {
    const std::size_t q0 = b * query_block;
    const int n = static_cast<int>(std::min<std::size_t>(query_block, qs.count - q0));
    const int rows = (n + kRows - 1) / kRows * kRows;
    std::memcpy(s->queries.data(), qs.vectors + q0 * d, sizeof(float) * n * d);
    std::fill(s->queries.begin() + static_cast<std::size_t>(n) * d,
              s->queries.begin() + static_cast<std::size_t>(rows) * d, 0.0f);
    for (int r = 0; r < rows; ++r) {
      const std::int64_t t = (r < n && qs.targets != nullptr) ? qs.targets[q0 + r] : -1;
      s->target[r] = t;
      s->target_score[r] = t >= 0 ? m.Dot(&s->queries[static_cast<std::size_t>(r) * d], t) : inf;
      s->beaten[r] = 0;
      s->heap_size[r] = 0;
      s->worst[r] = r < n ? -inf : inf;  // padding rows never offer candidates
    }
    BlockArgs a{};
    a.queries = s->queries.data();
    a.rows = rows;
    a.num_items = m.size();
    a.dim = d;
    a.target_score = s->target_score.data();
    a.target = s->target.data();
    a.beaten = s->beaten.data();
    a.count_ranks = qs.targets != nullptr;
    a.top_k = o.top_k;
    a.heap = s->heap.data();
    a.heap_size = s->heap_size.data();
    a.worst = s->worst.data();
    a.exclude_begin = qs.exclude_begin;
    a.exclude = qs.exclude;
    a.first_query = q0;
    a.num_queries = qs.count;
    for (std::size_t p0 = 0; p0 < m.num_panels(); p0 += panels_per_block) {
      a.panels = m.panel(p0);
      a.bias = m.biases() != nullptr ? m.biases() + p0 * P : nullptr;
      a.num_panels = static_cast<int>(std::min(panels_per_block, m.num_panels() - p0));
      a.first_item = p0 * P;
      ScoreBlock(a);
    }
    // Ranks: remove the excluded items that were counted as beating the target.
    for (int r = 0; r < n && qs.targets != nullptr; ++r) {
      const std::size_t q = q0 + r;
      const std::int64_t t = s->target[r];
      std::int64_t rank = 0;
      if (t >= 0 && !std::isnan(s->target_score[r])) {
        rank = s->beaten[r] + 1;
        if (qs.exclude_begin != nullptr) {
          s->scratch.assign(qs.exclude + qs.exclude_begin[q], qs.exclude + qs.exclude_begin[q + 1]);
          std::sort(s->scratch.begin(), s->scratch.end());
          s->scratch.erase(std::unique(s->scratch.begin(), s->scratch.end()), s->scratch.end());
          const float ts = s->target_score[r];
          for (ItemId e : s->scratch) {
            if (static_cast<std::int64_t>(e) == t) {
              rank = 0;
              break;
            }
            const float es = m.Dot(&s->queries[static_cast<std::size_t>(r) * d], e);
            if (es > ts || (es == ts && static_cast<std::int64_t>(e) < t)) --rank;
          }
        }
      }
      out->rank[q] = rank;
    }
    if (o.top_k > 0) {
      for (int r = 0; r < n; ++r) {
        HeapEntry* h = s->heap.data() + static_cast<std::size_t>(r) * o.top_k;
        const int size = s->heap_size[r];
        std::sort_heap(h, h + size, Better);
        const std::size_t at = (q0 + r) * static_cast<std::size_t>(o.top_k);
        for (int i = 0; i < o.top_k; ++i) {
          out->top_items[at + i] = i < size ? h[i].item : -1;
          out->top_scores[at + i] = i < size ? h[i].score : -inf;
        }
      }
    }
  }
}

}  // namespace

ItemMatrix ItemMatrix::FromRows(const float* rows, std::size_t n, int dim, Similarity similarity) {
  ItemMatrix m;
  m.n_ = n;
  m.dim_ = dim;
  m.similarity_ = similarity;
  m.data_.assign(m.num_panels() * static_cast<std::size_t>(dim) * P, 0.0f);
  if (similarity == Similarity::kEuclidean) m.bias_.assign(m.num_panels() * P, 0.0f);
  for (std::size_t i = 0; i < n; ++i) {
    const float* x = rows + i * static_cast<std::size_t>(dim);
    if (!NormalisesRows(similarity)) {
      float* dst = m.data_.data() + (i / P) * static_cast<std::size_t>(dim) * P + i % P;
      for (int k = 0; k < dim; ++k) dst[static_cast<std::size_t>(k) * P] = x[k];
      if (!m.bias_.empty()) m.bias_[i] = ItemBias(similarity, x, dim);
      continue;
    }
    double sq = 0;
    for (int k = 0; k < dim; ++k) sq += static_cast<double>(x[k]) * x[k];
    const double norm = std::sqrt(sq);
    float* dst = m.data_.data() + (i / P) * static_cast<std::size_t>(dim) * P + i % P;
    if (norm > 0)
      for (int k = 0; k < dim; ++k) dst[static_cast<std::size_t>(k) * P] = static_cast<float>(x[k] / norm);
  }
  return m;
}

void ItemMatrix::CopyRow(std::size_t item, float* out) const {
  const float* src = panel(item / P) + item % P;
  for (int k = 0; k < dim_; ++k) out[k] = src[static_cast<std::size_t>(k) * P];
}

float ItemMatrix::Dot(const float* query, std::size_t item) const {
  const float* src = panel(item / P) + item % P;
  float s = 0.0f;
  for (int k = 0; k < dim_; ++k) s += query[k] * src[static_cast<std::size_t>(k) * P];
  if (!bias_.empty()) s += bias_[item];
  return s;
}

Status ExactSearch(const ItemMatrix& m, const QuerySet& qs, const SearchOptions& o, SearchResults* out) {
  if (o.threads < 1) return Status::InvalidArgument("search threads must be at least 1");
  if (o.top_k < 0) return Status::InvalidArgument("top-k must not be negative");
  if (o.query_block < 0 || o.item_block < 0) return Status::InvalidArgument("block sizes must not be negative");
  if (qs.count > 0 && qs.vectors == nullptr) return Status::InvalidArgument("queries without vectors");
  const std::int64_t n = static_cast<std::int64_t>(m.size());
  for (std::size_t q = 0; q < qs.count; ++q) {
    if (qs.targets != nullptr && (qs.targets[q] < -1 || qs.targets[q] >= n))
      return Status::InvalidArgument("query " + std::to_string(q) + ": target " + std::to_string(qs.targets[q]) +
                                     " is not an item id (" + std::to_string(n) + " items)");
    if (qs.exclude_begin != nullptr) {
      if (qs.exclude_begin[q + 1] < qs.exclude_begin[q])
        return Status::InvalidArgument("query " + std::to_string(q) + ": exclusion offsets decrease");
      for (std::size_t i = qs.exclude_begin[q]; i < qs.exclude_begin[q + 1]; ++i)
        if (static_cast<std::int64_t>(qs.exclude[i]) >= n)
          return Status::InvalidArgument("query " + std::to_string(q) + ": excluded item " +
                                         std::to_string(qs.exclude[i]) + " is not an item id");
    }
  }
  int query_block = o.query_block > 0 ? o.query_block : SearchOptions::kDefaultQueryBlock;
  query_block = (query_block + kRows - 1) / kRows * kRows;
  int item_block = o.item_block;
  if (item_block == 0)
    item_block = static_cast<int>(SearchOptions::kItemBlockBytes / (sizeof(float) * std::max(1, m.dim())));
  item_block = std::max(P, (item_block + P - 1) / P * P);

  out->rank.assign(qs.count, 0);
  out->top_items.assign(qs.count * static_cast<std::size_t>(o.top_k), -1);
  out->top_scores.assign(qs.count * static_cast<std::size_t>(o.top_k), -std::numeric_limits<float>::infinity());
  if (qs.count == 0 || m.size() == 0) return Status::Ok();

  const std::size_t num_blocks = (qs.count + query_block - 1) / query_block;
  const int threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(o.threads), num_blocks));
  std::vector<ThreadState> states(static_cast<std::size_t>(threads));
  const std::size_t qb = static_cast<std::size_t>(query_block);
  for (ThreadState& s : states) {
    s.queries.assign(qb * m.dim(), 0.0f);
    s.target_score.assign(qb, 0.0f);
    s.target.assign(qb, -1);
    s.beaten.assign(qb, 0);
    s.heap.resize(qb * static_cast<std::size_t>(o.top_k));
    s.heap_size.assign(qb, 0);
    s.worst.assign(qb, 0.0f);
    s.scratch.reserve(64);
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  Status status;
  try {
    for (int t = 1; t < threads; ++t)
      pool.emplace_back(Worker, std::cref(m), std::cref(qs), std::cref(o), query_block, item_block, &next,
                        &states[static_cast<std::size_t>(t)], out);
  } catch (const std::system_error&) {
    // Fewer threads than asked: the ones started and this one still finish every block.
    status = Status::Ok();
  }
  Worker(m, qs, o, query_block, item_block, &next, &states[0], out);
  for (std::thread& t : pool) t.join();
  return status;
}

}  // namespace item2vec
