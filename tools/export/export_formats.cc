#include "tools/export/export_formats.h"

#include <charconv>

#include "common/atomic_file.h"

namespace item2vec {
namespace {

// A metadata field: one line, no tab (the Projector splits lines on '\n' and fields on tabs).
std::string Field(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return out;
}

void AppendFloat(float v, std::string* out) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back to v
  out->append(buf, r.ptr);
}

}  // namespace

std::string NpyHeader(std::size_t rows, int dim) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                     std::to_string(dim) + "), }";
  // magic (6) + version (2) + length (2) + dict + padding + '\n': a multiple of 64 bytes.
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string header("\x93NUMPY\x01\x00", 8);
  header += static_cast<char>(dict.size() & 0xff);
  header += static_cast<char>((dict.size() >> 8) & 0xff);
  return header + dict;
}

Status WriteProjector(const ExportTable& t, const std::string& dir) {
  if (t.dim < 2)
    return Status::InvalidArgument("the Embedding Projector needs vectors of at least 2 dimensions; this model has " +
                                   std::to_string(t.dim));
  const std::size_t d = static_cast<std::size_t>(t.dim);
  AtomicFile vectors, metadata;
  ITEM2VEC_RETURN_IF_ERROR(vectors.Open(dir + "/vectors.tsv"));
  ITEM2VEC_RETURN_IF_ERROR(metadata.Open(dir + "/metadata.tsv"));
  const bool header = !t.counts.empty() || !t.titles.empty();
  if (header)
    metadata.Write(std::string("item") + (t.titles.empty() ? "" : "\ttitle") + (t.counts.empty() ? "" : "\tcount") + "\n");
  std::string line;
  for (std::size_t i = 0; i < t.items.size(); ++i) {
    line.clear();
    for (std::size_t k = 0; k < d; ++k) {
      if (k > 0) line += '\t';
      AppendFloat(t.rows[i * d + k], &line);
    }
    line += '\n';
    vectors.Write(line);
    line = Field(t.items[i]);
    if (!t.titles.empty()) line += "\t" + Field(t.titles[i]);
    if (!t.counts.empty()) line += "\t" + std::to_string(t.counts[i]);
    metadata.Write(line + "\n");
  }
  ITEM2VEC_RETURN_IF_ERROR(vectors.Commit());
  ITEM2VEC_RETURN_IF_ERROR(metadata.Commit());
  return WriteFileAtomically(dir + "/projector_config.pbtxt",
                             "embeddings {\n  tensor_name: \"item2vec\"\n  tensor_path: \"vectors.tsv\"\n"
                             "  metadata_path: \"metadata.tsv\"\n}\n");
}

Status WriteNpy(const ExportTable& t, const std::string& dir) {
  AtomicFile npy, items;
  ITEM2VEC_RETURN_IF_ERROR(npy.Open(dir + "/vectors.npy"));
  npy.Write(NpyHeader(t.items.size(), t.dim));
  // The rows as they are in memory: '<f4' (little-endian float32).
  static_assert(sizeof(float) == 4 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "vectors.npy is written as '<f4'");
  npy.Write(t.rows.data(), t.rows.size() * sizeof(float));
  ITEM2VEC_RETURN_IF_ERROR(npy.Commit());
  ITEM2VEC_RETURN_IF_ERROR(items.Open(dir + "/items.txt"));
  for (const std::string& item : t.items) items.Write(item + "\n");
  return items.Commit();
}

}  // namespace item2vec
