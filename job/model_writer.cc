#include "job/model_writer.h"

#include <cstring>
#include <vector>

#include "common/atomic_file.h"
#include "common/matrix_file.h"
#include "common/vocab_tsv.h"
#include "common/word2vec_format.h"
#include "ps/protocol.h"

namespace item2vec {

Status WriteModel(Transport* t, const Partition& partition, int num_workers, const Vocabulary& vocab, int dim,
                  const std::string& dir, double timeout) {
  const int S = partition.num_servers();
  const std::size_t d = static_cast<std::size_t>(dim);
  Word2VecWriter writer;
  ITEM2VEC_RETURN_IF_ERROR(writer.Open(dir + "/vectors.txt", dir + "/vectors.bin",
                                       static_cast<std::int64_t>(vocab.size()), dim));
  MatrixFileWriter output_matrix;
  MatrixHeader header;
  header.name = "output";
  header.rows = vocab.size();
  header.dim = static_cast<std::uint32_t>(dim);
  header.vocab_fingerprint = vocab.Fingerprint();
  ITEM2VEC_RETURN_IF_ERROR(output_matrix.Open(dir + "/" + kOutputMatrixFile, header));
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
      // The same keys from both matrices: the reply holds n input rows, then n output rows.
      req.insert(req.end(), req.begin() + protocol::kHeaderWords, req.end());
      const protocol::KeyListHeader h{begin, n, n};
      std::memcpy(req.data(), &h, sizeof h);
      auto& rep = replies[static_cast<std::size_t>(s)];
      rep.resize(2 * n * d);
      handles.push_back(t->Irecv(num_workers + s, protocol::kDumpReply, rep.data(), rep.size() * sizeof(float)));
      handles.push_back(t->Isend(num_workers + s, protocol::kDump, req.data(), req.size() * sizeof(std::uint32_t)));
    }
    for (Transport::Handle h : handles)
      ITEM2VEC_RETURN_IF_ERROR(t->Wait(h, timeout, "fetching the final model from the servers"));
    std::vector<std::size_t> cursor(static_cast<std::size_t>(S), 0);
    for (std::size_t k = begin; k < end; ++k) {
      const std::size_t s = static_cast<std::size_t>(partition.ServerOf(static_cast<ItemId>(k)));
      const std::size_t n = (requests[s].size() - protocol::kHeaderWords) / 2;  // keys per matrix
      const float* in_row = replies[s].data() + cursor[s] * d;
      writer.Add(vocab.item(static_cast<ItemId>(k)), in_row);
      output_matrix.Add(in_row + n * d);
      ++cursor[s];
    }
  }
  ITEM2VEC_RETURN_IF_ERROR(writer.Commit().WithContext("writing vectors"));
  ITEM2VEC_RETURN_IF_ERROR(output_matrix.Commit().WithContext("writing " + std::string(kOutputMatrixFile)));
  return WriteVocabTsv(vocab, dir + "/vocab.tsv").WithContext("writing vocab.tsv");
}

}  // namespace item2vec
