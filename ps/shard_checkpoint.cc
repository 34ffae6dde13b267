#include "ps/shard_checkpoint.h"

#include <algorithm>
#include <vector>

#include "common/serialize.h"

namespace item2vec {
namespace {

constexpr std::size_t kChunkFloats = std::size_t{1} << 18;  // 1 MiB of rows a write

struct ShardHeader {
  std::uint32_t version = 1;
  int server = 0;
  int num_servers = 0;
  std::uint64_t vocab_size = 0;
  int dim = 0;
  std::uint64_t rows = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& version; ar& server; ar& num_servers; ar& vocab_size; ar& dim; ar& rows;
  }
};

}  // namespace


Result<CheckpointFileEntry> SaveShard(const ShardStore& store, std::size_t vocab_size,
                                      const std::string& checkpoint_path) {
  ShardHeader h;
  h.server = store.server();
  h.num_servers = store.partition().num_servers();
  h.vocab_size = vocab_size;
  h.dim = store.dim();
  h.rows = store.rows();
  CheckpointFileWriter w;
  ITEM2VEC_RETURN_IF_ERROR(w.Open(checkpoint_path, ShardFileName(h.server), ToBytes(h)));
  // Rows as float32 whatever the store keeps (bf16 values are floats exactly): in chunks.
  const std::size_t d = static_cast<std::size_t>(store.dim());
  const std::size_t chunk = std::max<std::size_t>(1, kChunkFloats / std::max<std::size_t>(d, 1));
  std::vector<float> buffer(std::min(chunk, store.rows()) * d);
  for (Matrix m : {Matrix::kInput, Matrix::kOutput}) {
    for (std::size_t first = 0; first < store.rows(); first += chunk) {
      const std::size_t n = std::min(chunk, store.rows() - first);
      store.ReadLocalRows(m, first, n, buffer.data());
      w.Write(buffer.data(), n * d * sizeof(float));
    }
  }
  w.Write(store.RowVersions(Matrix::kInput), store.rows() * sizeof(std::uint32_t));
  w.Write(store.RowVersions(Matrix::kOutput), store.rows() * sizeof(std::uint32_t));
  return w.Commit();
}

Status LoadShard(const std::string& checkpoint_path, const CheckpointManifest& manifest, ShardStore* store) {
  const int old_servers = manifest.num_servers;
  const Partition old_partition(old_servers, manifest.vocab_size);
  const Partition& now = store->partition();
  const std::size_t dim = static_cast<std::size_t>(store->dim());
  const bool same_layout = old_servers == now.num_servers();
  std::vector<float> row(dim);
  for (int s = 0; s < old_servers; ++s) {
    if (same_layout && s != store->server()) continue;
    CheckpointFileReader r;
    ITEM2VEC_RETURN_IF_ERROR(r.Open(checkpoint_path + "/" + ShardFileName(s)));
    ShardHeader h;
    if (!FromBytes(r.header(), &h).ok() || h.version != 1)
      return Status::Corruption("'" + r.path() + "' has a damaged or unknown header");
    if (h.server != s || h.num_servers != old_servers || h.vocab_size != manifest.vocab_size ||
        h.dim != store->dim() || h.rows != old_partition.RowsOn(s))
      return Status::Corruption("'" + r.path() + "' does not match its manifest (server " + std::to_string(h.server) +
                                " of " + std::to_string(h.num_servers) + ", dim " + std::to_string(h.dim) + ", " +
                                std::to_string(h.rows) + " rows)");
    for (Matrix m : {Matrix::kInput, Matrix::kOutput}) {
      for (std::size_t local = 0; local < h.rows; ++local) {
        const ItemId key = old_partition.GlobalKey(s, local);
        ITEM2VEC_RETURN_IF_ERROR(r.Read(row.data(), dim * sizeof(float)));
        if (now.ServerOf(key) == store->server()) store->WriteRow(m, key, row.data());
      }
    }
    for (Matrix m : {Matrix::kInput, Matrix::kOutput}) {
      std::uint32_t* versions = store->RowVersions(m);
      for (std::size_t local = 0; local < h.rows; ++local) {
        const ItemId key = old_partition.GlobalKey(s, local);
        std::uint32_t v = 0;
        ITEM2VEC_RETURN_IF_ERROR(r.Read(&v, sizeof v));
        if (now.ServerOf(key) == store->server()) versions[now.LocalIndex(key)] = v;
      }
    }
    ITEM2VEC_RETURN_IF_ERROR(r.Finish());
  }
  return Status::Ok();
}

}  // namespace item2vec
