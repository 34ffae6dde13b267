#include "tools/export/export_command.h"

#include <cmath>
#include <iostream>

#include "common/atomic_file.h"
#include "common/command.h"
#include "common/vocab_tsv.h"
#include "common/word2vec_format.h"
#include "model/model_loader.h"
#include "tools/export/export_formats.h"
#include "tools/export/export_options.h"

namespace item2vec {
namespace {

// The table to write: the model's rows (the first max_items), counts, titles, normalised rows.
Result<ExportTable> LoadTable(const ExportOptions& o) {
  Result<ModelPaths> paths = ResolveModel(o.model, VectorFormat::kAuto);
  if (!paths.ok()) return paths.status();
  Result<Embeddings> read = ReadWord2Vec(paths->vectors, paths->format);
  if (!read.ok()) return read.status();
  ExportTable t;
  t.dim = read->dim;
  const std::size_t d = static_cast<std::size_t>(t.dim);
  std::size_t n = read->items.size();
  if (o.max_items > 0) n = std::min(n, static_cast<std::size_t>(o.max_items));
  t.items.assign(read->items.begin(), read->items.begin() + static_cast<std::ptrdiff_t>(n));
  t.rows.assign(read->data.begin(), read->data.begin() + static_cast<std::ptrdiff_t>(n * d));
  if (o.normalize)
    for (std::size_t i = 0; i < n; ++i) {
      double norm = 0;
      for (std::size_t k = 0; k < d; ++k) norm += static_cast<double>(t.rows[i * d + k]) * t.rows[i * d + k];
      if (norm > 0)
        for (std::size_t k = 0; k < d; ++k) t.rows[i * d + k] = static_cast<float>(t.rows[i * d + k] / std::sqrt(norm));
    }
  if (!paths->vocab_tsv.empty()) {
    Result<VocabTsv> vocab = ReadVocabTsv(paths->vocab_tsv);
    if (!vocab.ok()) return vocab.status();
    if (vocab->items.size() < n || !std::equal(t.items.begin(), t.items.end(), vocab->items.begin()))
      return Status::DataError("'" + paths->vocab_tsv + "' does not list the items of '" + paths->vectors +
                               "' in the same order: not the same model");
    t.counts.assign(vocab->counts.begin(), vocab->counts.begin() + static_cast<std::ptrdiff_t>(n));
  }
  if (!o.names.empty()) {
    Result<NameMap> names = ReadNames(o.names, o.name_options);
    if (!names.ok()) return names.status();
    for (const std::string& item : t.items) {
      auto it = names->find(item);
      t.titles.push_back(it == names->end() ? "" : it->second);
    }
  }
  return t;
}

// Checks the values, then writes the table in the chosen format.
Status Export(const ExportOptions& o) {
  if (o.format != "projector" && o.format != "npy")
    return Status::InvalidArgument("--format must be projector or npy, got '" + o.format + "'");
  if (o.max_items < 0) return Status::InvalidArgument("--max-items must be 0 (all) or positive");
  Result<ExportTable> table = LoadTable(o);
  if (!table.ok()) return table.status();
  ITEM2VEC_RETURN_IF_ERROR(EnsureWritableDirectory(o.output));
  ITEM2VEC_RETURN_IF_ERROR(o.format == "projector" ? WriteProjector(*table, o.output) : WriteNpy(*table, o.output));
  std::cout << "wrote " << table->items.size() << " items x " << table->dim << " dims to " << o.output
            << (o.format == "projector" ? "/vectors.tsv, metadata.tsv, projector_config.pbtxt\n" : "/vectors.npy, items.txt\n");
  return Status::Ok();
}

}  // namespace

int RunExportCommand(const std::vector<std::string>& args) {
  return RunTableCommand(ExportCommand, Export, args);
}

}  // namespace item2vec
