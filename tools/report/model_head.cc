#include "tools/report/model_head.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "common/model_dir.h"
#include "common/vocab_tsv.h"
#include "common/word2vec_format.h"
#include "model/nearest_neighbors.h"

namespace item2vec {
namespace {

// Unit-normalised copies of the first n rows (a zero row stays zero).
std::vector<double> UnitRows(const ModelHead& head, std::size_t n) {
  const std::size_t d = static_cast<std::size_t>(head.dim);
  std::vector<double> out(n * d);
  for (std::size_t i = 0; i < n; ++i) {
    double norm = 0;
    for (std::size_t k = 0; k < d; ++k) norm += static_cast<double>(head.row(i)[k]) * head.row(i)[k];
    norm = norm > 0 ? std::sqrt(norm) : 1;
    for (std::size_t k = 0; k < d; ++k) out[i * d + k] = head.row(i)[k] / norm;
  }
  return out;
}

// The dominant eigenvector of X^T X (X: n x d, centred), orthogonal to `against` when given.
std::vector<double> PowerIteration(const std::vector<double>& x, std::size_t n, std::size_t d,
                                   const std::vector<double>* against) {
  std::vector<double> v(d), w(d);
  for (std::size_t k = 0; k < d; ++k) v[k] = 1.0 + 0.01 * static_cast<double>(k % 7);  // fixed start
  for (int it = 0; it < 200; ++it) {
    std::fill(w.begin(), w.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      double p = 0;
      for (std::size_t k = 0; k < d; ++k) p += x[i * d + k] * v[k];
      for (std::size_t k = 0; k < d; ++k) w[k] += p * x[i * d + k];
    }
    if (against != nullptr) {
      double p = 0;
      for (std::size_t k = 0; k < d; ++k) p += w[k] * (*against)[k];
      for (std::size_t k = 0; k < d; ++k) w[k] -= p * (*against)[k];
    }
    double norm = 0;
    for (double a : w) norm += a * a;
    if (!(norm > 0)) break;
    norm = std::sqrt(norm);
    double moved = 0;
    for (std::size_t k = 0; k < d; ++k) {
      moved += std::abs(w[k] / norm - v[k]);
      v[k] = w[k] / norm;
    }
    if (moved < 1e-9) break;
  }
  return v;
}

}  // namespace

HeadFiles HeadFilesOf(const std::string& model_dir) {
  const std::string dir = ResolveModelDir(model_dir);
  HeadFiles f;
  f.vectors_bin = dir + "/vectors.bin";
  std::error_code ec;
  if (std::filesystem::exists(dir + "/vocab.tsv", ec)) f.vocab_tsv = dir + "/vocab.tsv";
  return f;
}

Result<ModelHead> LoadModelHead(const HeadFiles& files, std::size_t n) {
  Word2VecBinaryReader reader;
  ITEM2VEC_RETURN_IF_ERROR(reader.Open(files.vectors_bin));
  ModelHead head;
  head.dim = reader.dim();
  head.total_items = reader.rows();
  const std::size_t want = std::min<std::size_t>(n, static_cast<std::size_t>(reader.rows()));
  head.rows.resize(want * static_cast<std::size_t>(head.dim));
  std::string item;
  for (std::size_t i = 0; i < want; ++i) {
    if (!reader.Next(&item, head.rows.data() + i * static_cast<std::size_t>(head.dim))) return reader.status();
    head.items.push_back(item);
  }
  head.counts.assign(want, 0);
  if (files.vocab_tsv.empty()) return head;
  VocabTsvReader vocab;
  ITEM2VEC_RETURN_IF_ERROR(vocab.Open(files.vocab_tsv));
  std::string_view name;
  Count count = 0;
  for (std::size_t i = 0; i < want; ++i) {
    if (!vocab.Next(&name, &count)) {
      if (!vocab.status().ok()) return vocab.status();
      return Status::DataError("'" + files.vocab_tsv + "' has fewer items than '" + files.vectors_bin + "'");
    }
    if (name != head.items[i])
      return Status::DataError("'" + files.vocab_tsv + "' line " + std::to_string(i + 1) + " is '" + std::string(name) +
                               "' but row " + std::to_string(i + 1) + " of '" + files.vectors_bin + "' is '" +
                               head.items[i] + "': they are not from the same model");
    head.counts[i] = count;
  }
  return head;
}

Result<HeadNeighbours> FindHeadNeighbours(const ModelHead& head, int k, const std::vector<std::size_t>& queries,
                                          int threads) {
  HeadNeighbours out;
  out.k = k;
  const std::size_t n = head.size(), kk = static_cast<std::size_t>(std::max(0, k));
  out.ids.assign(n * kk, -1);
  out.scores.assign(n * kk, 0.0f);
  out.searched.assign(n, 0);
  std::vector<std::size_t> wanted;
  for (std::size_t q : queries)
    if (q < n && !out.searched[q]) {
      out.searched[q] = 1;
      wanted.push_back(q);
    }
  if (wanted.empty() || k <= 0) return out;
  const ItemMatrix matrix = ItemMatrix::FromRows(head.rows.data(), n, head.dim, Similarity::kCosine);
  const std::size_t d = static_cast<std::size_t>(head.dim);
  std::vector<float> vectors(wanted.size() * d);
  std::vector<std::size_t> exclude_begin(wanted.size() + 1);
  std::vector<ItemId> exclude(wanted.size());
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    matrix.CopyRow(wanted[i], vectors.data() + i * d);  // the stored row: unit length
    exclude_begin[i] = i;
    exclude[i] = static_cast<ItemId>(wanted[i]);  // an item is not its own neighbour
  }
  exclude_begin[wanted.size()] = wanted.size();
  QuerySet set;
  set.vectors = vectors.data();
  set.count = wanted.size();
  set.exclude_begin = exclude_begin.data();
  set.exclude = exclude.data();
  SearchOptions options;
  options.threads = std::max(1, threads);
  options.top_k = k;
  SearchResults results;
  ITEM2VEC_RETURN_IF_ERROR(ExactSearch(matrix, set, options, &results));
  for (std::size_t i = 0; i < wanted.size(); ++i)
    for (std::size_t j = 0; j < kk; ++j) {
      out.ids[wanted[i] * kk + j] = results.top_items[i * kk + j];
      out.scores[wanted[i] * kk + j] = results.top_scores[i * kk + j];
    }
  return out;
}

std::vector<std::array<double, 2>> PrincipalPlane(const ModelHead& head, std::size_t n) {
  n = std::min(n, head.size());
  const std::size_t d = static_cast<std::size_t>(head.dim);
  std::vector<double> x = UnitRows(head, n);
  std::vector<double> mean(d, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) mean[k] += x[i * d + k] / static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) x[i * d + k] -= mean[k];
  const std::vector<double> first = PowerIteration(x, n, d, nullptr);
  const std::vector<double> second = PowerIteration(x, n, d, &first);
  std::vector<std::array<double, 2>> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    double a = 0, b = 0;
    for (std::size_t k = 0; k < d; ++k) {
      a += x[i * d + k] * first[k];
      b += x[i * d + k] * second[k];
    }
    out[i] = {a, b};
  }
  return out;
}

}  // namespace item2vec
