#include "ps/warm_start.h"

#include <fstream>
#include <vector>

#include "common/matrix_file.h"
#include "common/word2vec_format.h"

namespace item2vec {
namespace {

constexpr const char* kOutputMatrix = "output_vectors.i2v";

}  // namespace

Result<Vocabulary> ReadModelVocabulary(const std::string& dir, int dim) {
  const std::string path = dir + "/vocab.tsv";
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("--init-from: cannot open '" + path + "' (is '" + dir + "' a model directory?)");
  std::vector<std::string> items;
  std::vector<Count> counts;
  std::string line;
  std::int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const auto tab = line.rfind('\t');
    if (tab == std::string::npos || tab == 0)
      return Status::DataError("'" + path + "' line " + std::to_string(line_no) + ": expected item<TAB>count");
    try {
      counts.push_back(std::stoll(line.substr(tab + 1)));
    } catch (const std::exception&) {
      return Status::DataError("'" + path + "' line " + std::to_string(line_no) + ": count is not a number");
    }
    items.push_back(line.substr(0, tab));
  }
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
  ITEM2VEC_RETURN_IF_ERROR(output.Open(dir + "/" + kOutputMatrix).WithContext("--init-from"));
  if (output.header().rows != items.size() || static_cast<int>(output.header().dim) != dim)
    return Status::DataError("--init-from: '" + dir + "/" + kOutputMatrix + "' does not match vocab.tsv and --dim");
  return Vocabulary::FromSorted(std::move(items), std::move(counts));
}

void AddMissingItems(const Vocabulary& previous, Count min_count, ItemCounter* counter) {
  for (ItemId id = 0; id < previous.size(); ++id) {
    const auto it = counter->counts().find(previous.item(id));
    const Count today = it == counter->counts().end() ? 0 : it->second;
    if (today < min_count && previous.count(id) > today) counter->Add(previous.item(id), previous.count(id) - today);
  }
}

WarmStartCounts CompareVocabularies(const Vocabulary& previous, const Vocabulary& current) {
  WarmStartCounts c;
  for (ItemId id = 0; id < current.size(); ++id)
    (previous.Find(current.item(id)) != Vocabulary::kNotFound ? c.kept : c.added) += 1;
  c.dropped = static_cast<std::int64_t>(previous.size()) - c.kept;
  return c;
}

Result<std::int64_t> LoadPreviousRows(const std::string& dir, const Vocabulary& vocab, const Partition& partition,
                                      int server, ShardStore* store) {
  const int dim = store->dim();
  std::vector<float> row(static_cast<std::size_t>(dim));
  std::int64_t taken = 0;
  // Input matrix: vectors.bin carries the item of every row.
  Word2VecBinaryReader vectors;
  ITEM2VEC_RETURN_IF_ERROR(vectors.Open(dir + "/vectors.bin"));
  std::string item;
  while (vectors.Next(&item, row.data())) {
    const ItemId id = vocab.Find(item);
    if (id == Vocabulary::kNotFound || partition.ServerOf(id) != server) continue;
    std::copy(row.begin(), row.end(), store->Row(Matrix::kInput, id));
    ++taken;
  }
  ITEM2VEC_RETURN_IF_ERROR(vectors.status());
  // Output matrix: rows in the previous vocab.tsv order.
  std::ifstream names(dir + "/vocab.tsv", std::ios::binary);
  MatrixFileReader output;
  ITEM2VEC_RETURN_IF_ERROR(output.Open(dir + "/" + kOutputMatrix));
  std::string line;
  for (std::uint64_t r = 0; r < output.header().rows; ++r) {
    ITEM2VEC_RETURN_IF_ERROR(output.Next(row.data()));
    if (!std::getline(names, line)) return Status::DataError("'" + dir + "/vocab.tsv' is shorter than its matrices");
    const ItemId id = vocab.Find(std::string_view(line).substr(0, line.rfind('\t')));
    if (id == Vocabulary::kNotFound || partition.ServerOf(id) != server) continue;
    std::copy(row.begin(), row.end(), store->Row(Matrix::kOutput, id));
  }
  ITEM2VEC_RETURN_IF_ERROR(output.Finish());
  return taken;
}

}  // namespace item2vec
