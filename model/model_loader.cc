#include "model/model_loader.h"

#include "common/vocab_tsv.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/model_dir.h"

namespace item2vec {
namespace fs = std::filesystem;

Result<VectorFormat> ParseVectorFormat(const std::string& name) {
  if (name == "auto") return VectorFormat::kAuto;
  if (name == "text") return VectorFormat::kText;
  if (name == "binary") return VectorFormat::kBinary;
  return Status::InvalidArgument("--format must be text, binary or auto; got '" + name + "'");
}

Result<ModelPaths> ResolveModel(const std::string& model, VectorFormat format) {
  if (model.empty()) return Status::InvalidArgument("--model is required: a model directory or a vectors file");
  std::error_code ec;
  const fs::file_status st = fs::status(model, ec);
  if (ec || !fs::exists(st)) return Status::NotFound("model '" + model + "' does not exist");
  ModelPaths paths;
  if (!fs::is_directory(st)) {
    paths.vectors = model;
    paths.format = format;
    return paths;
  }
  // One directory for every file: the published model, even if a run switches it meanwhile.
  const std::string dir = ResolveModelDir(model);
  const std::string bin = dir + "/vectors.bin", txt = dir + "/vectors.txt";
  if (format != VectorFormat::kText && fs::exists(bin, ec)) {
    paths.vectors = bin;
    paths.format = VectorFormat::kBinary;
  } else if (format != VectorFormat::kBinary && fs::exists(txt, ec)) {
    paths.vectors = txt;
    paths.format = VectorFormat::kText;
  } else {
    return Status::NotFound("model directory '" + model + "' has no " +
                            (format == VectorFormat::kText     ? std::string("vectors.txt")
                             : format == VectorFormat::kBinary ? std::string("vectors.bin")
                                                               : std::string("vectors.bin or vectors.txt")) +
                            " (is it the --output of item2vec train?)");
  }
  if (fs::exists(dir + "/vocab.tsv", ec)) paths.vocab_tsv = dir + "/vocab.tsv";
  if (fs::exists(dir + "/train.json", ec)) paths.train_json = dir + "/train.json";
  return paths;
}

namespace {

// The "dim" of train.json, or -1 when it has none. A flat scan suffices: the trainer
// writes the key once.
long TrainJsonDim(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const std::size_t at = text.find("\"dim\":");
  if (at == std::string::npos) return -1;
  return std::strtol(text.c_str() + at + 6, nullptr, 10);
}

// True when the first row after the header is a valid word2vec *text* row of `dim`
// values: a binary file practically never has one, since its values are raw bytes.
bool FirstRowLooksLikeText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string header, row;
  long long rows = 0, dim = 0;
  if (!std::getline(in, header) || std::sscanf(header.c_str(), "%lld %lld", &rows, &dim) != 2 || dim <= 0) return false;
  if (!std::getline(in, row)) return false;
  if (!row.empty() && row.back() == '\r') row.pop_back();
  std::istringstream fields(row);
  std::string item, value;
  if (!(fields >> item)) return false;
  long long n = 0;
  while (fields >> value) {
    char* end = nullptr;
    std::strtof(value.c_str(), &end);
    if (*end != '\0') return false;
    ++n;
  }
  return n == dim;
}

}  // namespace

Result<std::unique_ptr<LoadedModel>> LoadModel(const ModelPaths& paths, Similarity similarity) {
  const bool binary = paths.format == VectorFormat::kBinary ||
                      (paths.format == VectorFormat::kAuto && paths.vectors.size() >= 4 &&
                       paths.vectors.compare(paths.vectors.size() - 4, 4, ".bin") == 0);
  if (binary && FirstRowLooksLikeText(paths.vectors))
    return Status::DataError("'" + paths.vectors + "' is read as word2vec binary but looks like a word2vec text "
                             "file; use --format text");
  Result<Embeddings> read = ReadWord2Vec(paths.vectors, binary ? VectorFormat::kBinary : VectorFormat::kText);
  if (!read.ok()) {
    Status st = read.status().WithContext("reading vectors");
    if (!binary && st.code() == Status::Code::kDataError)
      st = Status::DataError(st.message() + " (if it is a word2vec binary file, use --format binary)");
    return st;
  }
  Embeddings& e = *read;
  if (e.items.empty()) return Status::DataError("vectors file '" + paths.vectors + "' has no rows");
  if (!paths.train_json.empty()) {
    const long dim = TrainJsonDim(paths.train_json);
    if (dim > 0 && dim != e.dim)
      return Status::DataError("dimension mismatch: '" + paths.vectors + "' has " + std::to_string(e.dim) +
                               "-dimensional vectors but '" + paths.train_json + "' says dim " +
                               std::to_string(dim) + " (files from different runs?)");
  }
  const std::size_t d = static_cast<std::size_t>(e.dim);
  for (std::size_t i = 0; i < e.items.size(); ++i)
    for (std::size_t k = 0; k < d; ++k)
      if (!std::isfinite(e.data[i * d + k]))
        return Status::DataError("'" + paths.vectors + "' row " + std::to_string(i + 1) + " (item '" +
                                 e.items[i] + "'): value " + std::to_string(k + 1) +
                                 " is not a finite number (wrong --format for this file?)");
  auto model = std::make_unique<LoadedModel>();
  model->matrix = ItemMatrix::FromRows(e.data.data(), e.items.size(), e.dim, similarity);
  std::vector<float>().swap(e.data);  // the raw rows are no longer needed
  model->items = std::move(e.items);
  Result<ItemIndex> index = ItemIndex::Build(model->items);
  if (!index.ok()) return index.status().WithContext("'" + paths.vectors + "'");
  model->index = std::move(*index);
  Result<std::vector<std::string>> cold = ReadColdItems(paths);
  if (!cold.ok()) return cold.status();
  if (!cold->empty()) model->cold.assign(model->items.size(), 0);
  for (const std::string& item : *cold)
    if (const std::int64_t row = model->index.Find(item); row >= 0) model->cold[static_cast<std::size_t>(row)] = 1;
  return model;
}

Result<std::vector<std::string>> ReadColdItems(const ModelPaths& paths) {
  std::vector<std::string> cold;
  if (paths.vocab_tsv.empty()) return cold;
  VocabTsvReader reader;
  ITEM2VEC_RETURN_IF_ERROR(reader.Open(paths.vocab_tsv));
  std::string_view item;
  Count count = 0;
  while (reader.Next(&item, &count))
    if (count == 0) cold.emplace_back(item);
  ITEM2VEC_RETURN_IF_ERROR(reader.status());
  return cold;
}

}  // namespace item2vec
