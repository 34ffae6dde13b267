#include "job/warm_start.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unordered_map>
#include <vector>

#include "common/matrix_file.h"
#include "common/model_dir.h"
#include "common/vocab_tsv.h"
#include "common/word2vec_format.h"
#include "job/model_writer.h"

namespace item2vec {

Result<Vocabulary> ReadModelVocabulary(const std::string& model_dir, int dim) {
  const std::string dir = ResolveModelDir(model_dir);
  const std::string path = dir + "/vocab.tsv";
  Result<VocabTsv> tsv = ReadVocabTsv(path);
  if (tsv.status().code() == Status::Code::kNotFound)
    return Status::NotFound("--init-from: cannot open '" + path + "' (is '" + dir + "' a model directory?)");
  if (!tsv.ok()) return tsv.status().WithContext("--init-from");
  std::vector<std::string>& items = tsv->items;
  if (items.empty()) return Status::DataError("'" + path + "' is empty");
  Word2VecBinaryReader vectors;
  ITEM2VEC_RETURN_IF_ERROR(vectors.Open(dir + "/vectors.bin").WithContext("--init-from"));
  if (vectors.dim() != dim)
    return Status::InvalidArgument("--init-from: '" + dir + "/vectors.bin' has dim " + std::to_string(vectors.dim()) +
                                   " but --dim is " + std::to_string(dim));
  if (vectors.rows() != static_cast<std::int64_t>(items.size()))
    return Status::DataError("--init-from: '" + dir + "/vectors.bin' has " + std::to_string(vectors.rows()) +
                             " rows but vocab.tsv has " + std::to_string(items.size()));
  MatrixFileReader output;
  ITEM2VEC_RETURN_IF_ERROR(output.Open(dir + "/" + kOutputMatrixFile).WithContext("--init-from"));
  if (output.header().rows != items.size() || static_cast<int>(output.header().dim) != dim)
    return Status::DataError("--init-from: '" + dir + "/" + kOutputMatrixFile + "' does not match vocab.tsv and --dim");
  return Vocabulary::FromSorted(std::move(items), std::move(tsv->counts));
}

void AddMissingItems(const Vocabulary& previous, Count min_count, ItemCounter* counter) {
  for (ItemId id = 0; id < previous.size(); ++id) {
    const std::string_view item = previous.item(id);
    const Count today = counter->Get(item);
    if (today < min_count && previous.count(id) > today) counter->Add(item, previous.count(id) - today);
  }
}

WarmStartCounts CompareVocabularies(const Vocabulary& previous, const Vocabulary& current) {
  WarmStartCounts c;
  for (ItemId id = 0; id < current.size(); ++id)
    (previous.Find(current.item(id)) != Vocabulary::kNotFound ? c.kept : c.added) += 1;
  c.dropped = static_cast<std::int64_t>(previous.size()) - c.kept;
  return c;
}

namespace {

// The new items of one server and the weighted sums that will become their rows.
class NeighbourMeans {
 public:
  NeighbourMeans(const NewItemNeighbours* all, const Partition& partition, int server, int dim) : dim_(dim) {
    if (all == nullptr) return;
    for (std::size_t i = 0; i < all->size(); ++i) {
      if (partition.ServerOf(all->items[i]) != server) continue;
      const std::uint32_t target = static_cast<std::uint32_t>(targets_.size());
      targets_.push_back(all->items[i]);
      for (std::uint64_t e = all->offsets[i]; e < all->offsets[i + 1]; ++e)
        if (all->weights[e] > 0) needs_.push_back(Need{all->neighbours[e], target, all->weights[e]});
    }
    std::sort(needs_.begin(), needs_.end(),
              [](const Need& a, const Need& b) { return a.kept != b.kept ? a.kept < b.kept : a.target < b.target; });
    sum_.assign(targets_.size() * static_cast<std::size_t>(dim), 0.0);
    weight_.assign(targets_.size(), 0.0);
    has_previous_.assign(targets_.size(), 0);
  }

  bool empty() const { return targets_.empty(); }

  // A previous row of today's item `id`: adds it to the sums of the new items that need it,
  // and notes when `id` is itself one of them (it then keeps its previous row).
  void Add(ItemId id, const float* row) {
    const auto it = std::lower_bound(targets_.begin(), targets_.end(), id);
    if (it != targets_.end() && *it == id) has_previous_[static_cast<std::size_t>(it - targets_.begin())] = 1;
    auto n = std::lower_bound(needs_.begin(), needs_.end(), id, [](const Need& a, ItemId k) { return a.kept < k; });
    const std::size_t d = static_cast<std::size_t>(dim_);
    for (; n != needs_.end() && n->kept == id; ++n) {
      double* __restrict sum = sum_.data() + n->target * d;
      const double w = n->weight;
      for (std::size_t j = 0; j < d; ++j) sum[j] += w * static_cast<double>(row[j]);
      weight_[n->target] += w;
    }
  }

  // Writes the means over the store's rows of matrix m, then clears the sums for the next
  // matrix. Returns the number of rows written.
  std::int64_t WriteMeans(Matrix m, ShardStore* store) {
    const std::size_t d = static_cast<std::size_t>(dim_);
    std::int64_t written = 0;
    std::vector<float> row(d);
    for (std::size_t t = 0; t < targets_.size(); ++t) {
      if (weight_[t] > 0 && !has_previous_[t]) {
        const double* sum = sum_.data() + t * d;
        for (std::size_t j = 0; j < d; ++j) row[j] = static_cast<float>(sum[j] / weight_[t]);
        store->WriteRow(m, targets_[t], row.data());
        ++written;
      }
    }
    std::fill(sum_.begin(), sum_.end(), 0.0);
    std::fill(weight_.begin(), weight_.end(), 0.0);
    return written;
  }

 private:
  struct Need {
    ItemId kept;
    std::uint32_t target;  // index into targets_
    double weight;
  };
  int dim_;
  std::vector<ItemId> targets_;  // this server's new items, ascending
  std::vector<Need> needs_;      // sorted by kept id
  std::vector<double> sum_;      // targets_ x dim
  std::vector<double> weight_;
  std::vector<char> has_previous_;
};

}  // namespace

Result<std::int64_t> LoadPreviousRows(const std::string& dir, const Vocabulary& vocab, const Partition& partition,
                                      int server, ShardStore* store) {
  Result<PreviousRows> rows = LoadPreviousRows(dir, vocab, partition, server, nullptr, store);
  if (!rows.ok()) return rows.status();
  return rows->taken;
}

Result<PreviousRows> LoadPreviousRows(const std::string& model_dir, const Vocabulary& vocab, const Partition& partition,
                                      int server, const NewItemNeighbours* neighbours, ShardStore* store) {
  const std::string dir = ResolveModelDir(model_dir);  // every file from the same model
  const int dim = store->dim();
  std::vector<float> row(static_cast<std::size_t>(dim));
  NeighbourMeans means(neighbours, partition, server, dim);
  PreviousRows result;
  // Input matrix: vectors.bin carries the item of every row.
  Word2VecBinaryReader vectors;
  ITEM2VEC_RETURN_IF_ERROR(vectors.Open(dir + "/vectors.bin"));
  std::string item;
  while (vectors.Next(&item, row.data())) {
    const ItemId id = vocab.Find(item);
    if (id == Vocabulary::kNotFound) continue;
    if (!means.empty()) means.Add(id, row.data());
    if (partition.ServerOf(id) != server) continue;
    store->WriteRow(Matrix::kInput, id, row.data());
    ++result.taken;
  }
  ITEM2VEC_RETURN_IF_ERROR(vectors.status());
  result.from_neighbours = means.WriteMeans(Matrix::kInput, store);
  // Output matrix: rows in the previous vocab.tsv order.
  VocabTsvReader names;
  ITEM2VEC_RETURN_IF_ERROR(names.Open(dir + "/vocab.tsv"));
  MatrixFileReader output;
  ITEM2VEC_RETURN_IF_ERROR(output.Open(dir + "/" + kOutputMatrixFile));
  std::string_view name;
  Count count = 0;
  for (std::uint64_t r = 0; r < output.header().rows; ++r) {
    ITEM2VEC_RETURN_IF_ERROR(output.Next(row.data()));
    if (!names.Next(&name, &count)) {
      ITEM2VEC_RETURN_IF_ERROR(names.status());
      return Status::DataError("'" + dir + "/vocab.tsv' is shorter than its matrices");
    }
    const ItemId id = vocab.Find(name);
    if (id == Vocabulary::kNotFound) continue;
    if (!means.empty()) means.Add(id, row.data());
    if (partition.ServerOf(id) != server) continue;
    store->WriteRow(Matrix::kOutput, id, row.data());
  }
  ITEM2VEC_RETURN_IF_ERROR(output.Finish());
  means.WriteMeans(Matrix::kOutput, store);
  return result;
}

namespace {

// side_values.tsv: the columns (first line "#columns<TAB>...") and the value names.
Status ReadSideValues(const std::string& path, std::vector<std::string>* columns, std::vector<std::string>* values) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open '" + path + "'");
  std::string line;
  if (!std::getline(in, line) || line.rfind("#columns\t", 0) != 0)
    return Status::DataError("'" + path + "' does not start with its #columns line");
  for (std::size_t b = 9; b <= line.size();) {
    std::size_t e = line.find('\t', b);
    if (e == std::string::npos) e = line.size();
    columns->push_back(line.substr(b, e - b));
    b = e + 1;
  }
  while (std::getline(in, line)) values->push_back(line);
  return Status::Ok();
}

}  // namespace

Result<std::int64_t> LoadPreviousSideRows(const std::string& model_dir, const Vocabulary& vocab, const SideLayout& side,
                                          const Partition& partition, int server, ShardStore* store) {
  const std::string dir = ResolveModelDir(model_dir);
  std::error_code ec;
  if (!std::filesystem::exists(dir + "/" + kSideRowsFile, ec)) return std::int64_t{0};
  std::vector<std::string> columns, values;
  ITEM2VEC_RETURN_IF_ERROR(ReadSideValues(dir + "/" + kSideValuesFile, &columns, &values));
  Result<VocabTsv> names = ReadVocabTsv(dir + "/vocab.tsv");
  if (!names.ok()) return names.status();
  MatrixFileReader rows;
  ITEM2VEC_RETURN_IF_ERROR(rows.Open(dir + "/" + kSideRowsFile));
  const std::uint64_t previous_items = (rows.header().rows - values.size()) / 2;
  if (static_cast<int>(rows.header().dim) != store->dim() || rows.header().rows < values.size() ||
      previous_items > names->items.size())
    return Status::DataError("'" + dir + "/" + kSideRowsFile + "' does not match side_values.tsv, vocab.tsv and --dim");
  std::unordered_map<std::string_view, std::uint32_t> value_of;
  for (std::uint32_t v = 0; v < side.num_values(); ++v) value_of.emplace(side.value_names()[v], v);
  const bool same_columns = columns == side.columns();
  std::vector<float> row(static_cast<std::size_t>(store->dim()));
  std::int64_t taken = 0;
  auto take = [&](ItemId key) {
    if (partition.ServerOf(key) != server) return;
    store->WriteRow(Matrix::kInput, key, row.data());
    ++taken;
  };
  for (const std::string& name : values) {
    ITEM2VEC_RETURN_IF_ERROR(rows.Next(row.data()));
    if (const auto it = value_of.find(name); it != value_of.end()) take(side.ValueKey(it->second));
  }
  for (std::uint64_t i = 0; i < previous_items; ++i) {
    const ItemId id = vocab.Find(names->items[i]);
    ITEM2VEC_RETURN_IF_ERROR(rows.Next(row.data()));
    if (id != Vocabulary::kNotFound) take(id);
    ITEM2VEC_RETURN_IF_ERROR(rows.Next(row.data()));
    if (id != Vocabulary::kNotFound && same_columns) take(side.WeightKey(id));
  }
  ITEM2VEC_RETURN_IF_ERROR(rows.Finish());
  return taken;
}

}  // namespace item2vec
