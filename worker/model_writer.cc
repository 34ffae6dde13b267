#include "worker/model_writer.h"

#include <cstring>
#include <vector>

#include "common/atomic_file.h"
#include "common/word2vec_format.h"
#include "ps/protocol.h"

namespace item2vec {

Status WriteVocabTsv(const Vocabulary& vocab, const std::string& path) {
  AtomicFile f;
  ITEM2VEC_RETURN_IF_ERROR(f.Open(path));
  std::string line;
  for (ItemId id = 0; id < vocab.size(); ++id) {
    line.assign(vocab.item(id));
    line += '\t';
    line += std::to_string(vocab.count(id));
    line += '\n';
    f.Write(line);
  }
  return f.Commit();
}

Status WriteModel(Transport* t, const Partition& partition, int num_workers, const Vocabulary& vocab, int dim,
                  const std::string& dir, double timeout) {
  const int S = partition.num_servers();
  const std::size_t d = static_cast<std::size_t>(dim);
  Word2VecWriter writer;
  ITEM2VEC_RETURN_IF_ERROR(writer.Open(dir + "/vectors.txt", dir + "/vectors.bin",
                                       static_cast<std::int64_t>(vocab.size()), dim));
  std::vector<std::vector<std::uint32_t>> requests(static_cast<std::size_t>(S));
  std::vector<std::vector<float>> replies(static_cast<std::size_t>(S));
  std::vector<Transport::Handle> handles;
  for (std::size_t begin = 0; begin < vocab.size(); begin += kChunkRows) {
    const std::size_t end = std::min(vocab.size(), begin + kChunkRows);
    handles.clear();
    for (int s = 0; s < S; ++s) {
      auto& req = requests[static_cast<std::size_t>(s)];
      req.assign(protocol::kHeaderWords, 0);
      for (std::size_t k = begin; k < end; ++k)
        if (partition.ServerOf(static_cast<ItemId>(k)) == s) req.push_back(static_cast<std::uint32_t>(k));
      const std::uint32_t n = static_cast<std::uint32_t>(req.size() - protocol::kHeaderWords);
      if (n == 0) continue;
      const protocol::KeyListHeader h{begin, n, 0};
      std::memcpy(req.data(), &h, sizeof h);
      auto& rep = replies[static_cast<std::size_t>(s)];
      rep.resize(n * d);
      handles.push_back(t->Irecv(num_workers + s, protocol::kDumpReply, rep.data(), rep.size() * sizeof(float)));
      handles.push_back(t->Isend(num_workers + s, protocol::kDump, req.data(), req.size() * sizeof(std::uint32_t)));
    }
    for (Transport::Handle h : handles)
      ITEM2VEC_RETURN_IF_ERROR(t->Wait(h, timeout, "fetching the final model from the servers"));
    std::vector<std::size_t> cursor(static_cast<std::size_t>(S), 0);
    for (std::size_t k = begin; k < end; ++k) {
      const std::size_t s = static_cast<std::size_t>(partition.ServerOf(static_cast<ItemId>(k)));
      writer.Add(vocab.item(static_cast<ItemId>(k)), replies[s].data() + (cursor[s]++) * d);
    }
  }
  ITEM2VEC_RETURN_IF_ERROR(writer.Commit().WithContext("writing vectors"));
  return WriteVocabTsv(vocab, dir + "/vocab.tsv").WithContext("writing vocab.tsv");
}

}  // namespace item2vec
