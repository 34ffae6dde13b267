#include "job/model_writer.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "common/atomic_file.h"
#include "common/attribute_regression.h"
#include "common/matrix_file.h"
#include "common/model_dir.h"
#include "common/vocab_tsv.h"
#include "common/word2vec_format.h"
#include "ps/protocol.h"
#include "worker/side_mix.h"

namespace item2vec {

namespace {

void MaybeKill(const std::string& debug_kill_at, const char* point) {
  if (debug_kill_at == point) ::kill(::getpid(), SIGKILL);
}

// The rows of `in` (input matrix) and `out` (output matrix) from the servers (kDump), in the
// order of the key lists: one request per server holding any of them.
Status DumpRows(Transport* t, const Partition& partition, int num_workers, const std::vector<ItemId>& in,
                const std::vector<ItemId>& out, int dim, double timeout, std::vector<float>* in_rows,
                std::vector<float>* out_rows) {
  const std::size_t S = static_cast<std::size_t>(partition.num_servers()), d = static_cast<std::size_t>(dim);
  std::vector<std::vector<std::uint32_t>> requests(S);
  std::vector<std::vector<float>> replies(S);
  std::vector<std::uint32_t> n_in(S, 0), n_out(S, 0);
  for (auto& req : requests) req.assign(protocol::kHeaderWords, 0);
  // Each server's input keys, then its output keys: the order of its reply.
  for (ItemId k : in) {
    const std::size_t s = static_cast<std::size_t>(partition.ServerOf(k));
    requests[s].push_back(k);
    ++n_in[s];
  }
  for (ItemId k : out) {
    const std::size_t s = static_cast<std::size_t>(partition.ServerOf(k));
    requests[s].push_back(k);
    ++n_out[s];
  }
  std::vector<Transport::Handle> handles;
  for (std::size_t s = 0; s < S; ++s) {
    if (n_in[s] + n_out[s] == 0) continue;
    std::vector<std::uint32_t>& req = requests[s];
    protocol::WriteKeyListHeader(req.data(), in.empty() ? 0 : in[0], n_in[s], n_out[s]);
    replies[s].resize((n_in[s] + n_out[s]) * d);
    const int server = num_workers + static_cast<int>(s);
    handles.push_back(t->Irecv(server, protocol::kDumpReply, replies[s].data(), replies[s].size() * sizeof(float)));
    handles.push_back(t->Isend(server, protocol::kDump, req.data(), req.size() * sizeof(std::uint32_t)));
  }
  for (Transport::Handle h : handles)
    ITEM2VEC_RETURN_IF_ERROR(t->Wait(h, timeout, "fetching the final model from the servers"));
  std::vector<std::size_t> cursor(S, 0);
  in_rows->resize(in.size() * d);
  out_rows->resize(out.size() * d);
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::size_t s = static_cast<std::size_t>(partition.ServerOf(in[i]));
    std::memcpy(in_rows->data() + i * d, replies[s].data() + cursor[s]++ * d, d * sizeof(float));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::size_t s = static_cast<std::size_t>(partition.ServerOf(out[i]));
    std::memcpy(out_rows->data() + i * d, replies[s].data() + cursor[s]++ * d, d * sizeof(float));
  }
  return Status::Ok();
}

// The ridge penalty of the cold items' regression (--side-info-cold regression): small against
// the trained items' count, it only keeps values held by few trained items near the intercept.
constexpr double kColdRidge = 1.0;

// What the model's vectors are made of with --side-info: the attribute rows (fetched once),
// the mean of the trained items' weight logits, the regression of the trained items' vectors on
// their attributes (for the cold items), and the EGES mean.
class SideVectors {
 public:
  SideVectors(const SideLayout* side, int dim, ColdVectorRule rule)
      : side_(side != nullptr && side->enabled() ? side : nullptr), dim_(dim),
        stride_(side_ != nullptr ? side_->num_columns() + 1 : 0), logit_sum_(stride_, 0.0),
        mean_logits_(stride_, 0.0f), h_(static_cast<std::size_t>(dim)) {
    if (side_ != nullptr && rule == ColdVectorRule::kRegression) regression_.emplace(*side_, dim, kColdRidge);
  }
  bool enabled() const { return side_ != nullptr; }
  Status FetchValues(Transport* t, const Partition& partition, int num_workers, double timeout) {
    std::vector<ItemId> keys;
    for (std::uint32_t v = 0; v < side_->num_values(); ++v) keys.push_back(side_->ValueKey(v));
    std::vector<float> none;
    return DumpRows(t, partition, num_workers, keys, {}, dim_, timeout, &values_, &none);
  }
  // Item `item`'s vector from its id row and weight row.
  const float* Item(ItemId item, const float* id_row, const float* weights) {
    for (std::size_t c = 0; c < stride_; ++c) logit_sum_[c] += weights[c];
    ++with_side_;
    const float* h = Mix(item, id_row, weights);
    if (regression_) regression_->Add(item, h);
    return h;
  }
  // A cold item's vector: the regression's prediction from its attributes or (--side-info-cold
  // attributes, or no trained item has attributes) its parts weighted by the softmax of the
  // trained items' mean logits. Call after every Item(): both are fixed at the first call.
  const float* Cold(std::size_t i) {
    if (i == 0) Freeze();
    if (regression_ && regression_->added() > 0) {
      regression_->Predict(side_->vocab_size() + i, h_.data());
      return h_.data();
    }
    return Mix(side_->vocab_size() + i, nullptr, mean_logits_.data());
  }
  const std::vector<float>& values() const { return values_; }
  // How the cold vectors are made, for the log.
  std::string ColdRuleText() const {
    if (regression_ && regression_->added() > 0)
      return fmt::format("a ridge regression on the attributes of the {} trained items with attributes ({} "
                         "iterations, {:.3f}s)", regression_->added(), fit_iterations_, fit_seconds_);
    return "their attributes, weighted by the trained items' mean weight logits";
  }
  std::string MeanLogitsText() const {
    std::string text;
    for (std::size_t c = 0; c < stride_; ++c)
      text += fmt::format("{}{} {:.3f}", c == 0 ? "" : ", ", c == 0 ? "id" : side_->columns()[c - 1],
                          with_side_ > 0 ? logit_sum_[c] / static_cast<double>(with_side_) : 0.0);
    return text;
  }

 private:
  void Freeze() {
    for (std::size_t c = 0; c < stride_; ++c)
      mean_logits_[c] = with_side_ > 0 ? static_cast<float>(logit_sum_[c] / static_cast<double>(with_side_)) : 0.0f;
    if (!regression_) return;
    const auto start = std::chrono::steady_clock::now();
    fit_iterations_ = regression_->Fit();
    fit_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const float* Mix(std::size_t entity, const float* id_row, const float* logits) {
    if (s_.size() < side_->NumParts(entity) + 1u) s_.resize(side_->NumParts(entity) + 1u);
    const std::uint32_t* values = side_->Values(entity);
    const std::size_t d = static_cast<std::size_t>(dim_);
    SideMixForward(id_row, logits, side_->Parts(entity), side_->NumParts(entity),
                   [&](std::uint32_t k) { return values_.data() + values[k] * d; }, dim_, s_.data(), h_.data());
    return h_.data();
  }
  const SideLayout* side_;
  int dim_;
  std::size_t stride_;
  std::vector<float> values_, s_;
  std::vector<double> logit_sum_;
  std::vector<float> mean_logits_;
  std::int64_t with_side_ = 0;
  std::vector<float> h_;
  std::optional<AttributeRegression> regression_;
  int fit_iterations_ = 0;
  double fit_seconds_ = 0;
};

// The model's matrices as they are written: vectors (txt, bin), the output matrix and, with side
// information, side_rows.i2v.
struct ModelSinks {
  Word2VecWriter vectors;
  MatrixFileWriter output;
  MatrixFileWriter side;
};

Status OpenSinks(const std::string& dir, const Vocabulary& vocab, const SideLayout* side, int dim, ModelSinks* sinks) {
  const std::size_t cold = side != nullptr ? side->cold_items().size() : 0;
  ITEM2VEC_RETURN_IF_ERROR(sinks->vectors.Open(dir + "/vectors.txt", dir + "/vectors.bin",
                                               static_cast<std::int64_t>(vocab.size() + cold), dim));
  MatrixHeader header;
  header.name = "output";
  header.rows = vocab.size() + cold;
  header.dim = static_cast<std::uint32_t>(dim);
  header.vocab_fingerprint = vocab.Fingerprint();
  ITEM2VEC_RETURN_IF_ERROR(sinks->output.Open(dir + "/" + kOutputMatrixFile, header));
  if (side == nullptr) return Status::Ok();
  header.name = "side";
  header.rows = side->num_values() + 2 * vocab.size();
  return sinks->side.Open(dir + "/" + kSideRowsFile, header);
}

// Streams the items' rows from the servers in chunks of kChunkRows ids into the sinks; with
// side information each item's vector is its EGES mean.
Status WriteItemRows(Transport* t, const Partition& partition, int num_workers, const Vocabulary& vocab, int dim,
                     double timeout, const SideLayout* side, SideVectors* mix, ModelSinks* sinks) {
  const std::size_t d = static_cast<std::size_t>(dim);
  std::vector<ItemId> in, out;
  std::vector<float> in_rows, out_rows;
  for (std::size_t begin = 0; begin < vocab.size(); begin += kChunkRows) {
    const std::size_t end = std::min(vocab.size(), begin + kChunkRows);
    in.clear();
    out.clear();
    for (std::size_t k = begin; k < end; ++k) out.push_back(static_cast<ItemId>(k));
    in = out;
    if (side != nullptr)  // every item's weight row (an item without side information: unused)
      for (std::size_t k = begin; k < end; ++k) in.push_back(side->WeightKey(static_cast<ItemId>(k)));
    ITEM2VEC_RETURN_IF_ERROR(DumpRows(t, partition, num_workers, in, out, dim, timeout, &in_rows, &out_rows));
    for (std::size_t k = begin; k < end; ++k) {
      const ItemId id = static_cast<ItemId>(k);
      const float* id_row = in_rows.data() + (k - begin) * d;
      const float* weights = side != nullptr ? in_rows.data() + (end - begin + k - begin) * d : nullptr;
      const bool mixed = side != nullptr && side->HasSide(id);
      sinks->vectors.Add(vocab.item(id), mixed ? mix->Item(id, id_row, weights) : id_row);
      sinks->output.Add(out_rows.data() + (k - begin) * d);
      if (side == nullptr) continue;
      sinks->side.Add(id_row);
      sinks->side.Add(weights);
    }
  }
  return Status::Ok();
}

// With side information: the attribute rows first (side_rows.i2v starts with them), then, after
// the items, the cold items' vectors (their output rows zero).
Status WriteColdRows(const SideLayout& side, int dim, SideVectors* mix, ModelSinks* sinks) {
  const std::vector<float> zero(static_cast<std::size_t>(dim), 0.0f);
  for (std::size_t i = 0; i < side.cold_items().size(); ++i) {
    sinks->vectors.Add(side.cold_items()[i], mix->Cold(i));
    sinks->output.Add(zero.data());
  }
  spdlog::info("side information: {} cold items from {}; trained items' mean weight logits {}",
               side.cold_items().size(), mix->ColdRuleText(), mix->MeanLogitsText());
  return Status::Ok();
}

Status WriteSideValues(const SideLayout& side, const std::string& path) {
  AtomicFile f;
  ITEM2VEC_RETURN_IF_ERROR(f.Open(path));
  std::string text;
  for (const std::string& c : side.columns()) text += (text.empty() ? "" : "\t") + c;
  f.Write("#columns\t" + text + "\n");
  for (const std::string& v : side.value_names()) f.Write(v + "\n");
  return f.Commit();
}

Status WriteModelFiles(Transport* t, const Partition& partition, int num_workers, const Vocabulary& vocab,
                       const SideLayout* side, int dim, const std::string& dir, double timeout,
                       const std::function<std::string()>& train_json, const std::string& debug_kill_at,
                       ColdVectorRule cold_rule) {
  ModelSinks sinks;
  ITEM2VEC_RETURN_IF_ERROR(OpenSinks(dir, vocab, side, dim, &sinks));
  SideVectors mix(side, dim, cold_rule);
  if (side != nullptr) {
    ITEM2VEC_RETURN_IF_ERROR(mix.FetchValues(t, partition, num_workers, timeout));
    for (std::size_t v = 0; v < side->num_values(); ++v) sinks.side.Add(mix.values().data() + v * dim);
  }
  ITEM2VEC_RETURN_IF_ERROR(WriteItemRows(t, partition, num_workers, vocab, dim, timeout, side, &mix, &sinks));
  if (side != nullptr) {
    ITEM2VEC_RETURN_IF_ERROR(WriteColdRows(*side, dim, &mix, &sinks));
    ITEM2VEC_RETURN_IF_ERROR(sinks.side.Commit().WithContext("writing " + std::string(kSideRowsFile)));
    ITEM2VEC_RETURN_IF_ERROR(WriteSideValues(*side, dir + "/" + kSideValuesFile).WithContext("writing side values"));
  }
  ITEM2VEC_RETURN_IF_ERROR(sinks.vectors.Commit().WithContext("writing vectors"));
  ITEM2VEC_RETURN_IF_ERROR(sinks.output.Commit().WithContext("writing " + std::string(kOutputMatrixFile)));
  MaybeKill(debug_kill_at, "vectors");
  const std::vector<std::string> none;
  ITEM2VEC_RETURN_IF_ERROR(WriteVocabTsv(vocab, dir + "/vocab.tsv", side != nullptr ? side->cold_items() : none)
                               .WithContext("writing vocab.tsv"));
  MaybeKill(debug_kill_at, "train-json");
  return WriteFileAtomically(dir + "/train.json", train_json()).WithContext("writing train.json");
}

}  // namespace

Status WriteModel(Transport* t, const Partition& partition, int num_workers, const Vocabulary& vocab, int dim,
                  const std::string& output_dir, double timeout, const std::function<std::string()>& train_json,
                  const std::string& debug_kill_at, const SideLayout* side, ColdVectorRule cold_rule) {
  if (side != nullptr && !side->enabled()) side = nullptr;
  Result<std::string> staged = StageModel(output_dir);
  if (!staged.ok()) return staged.status();
  Status st =
      WriteModelFiles(t, partition, num_workers, vocab, side, dim, *staged, timeout, train_json, debug_kill_at, cold_rule);
  if (st.ok()) st = PublishModel(output_dir, *staged);
  if (!st.ok()) {
    // A failure after the switch (tidying up) leaves the new model published and whole.
    std::error_code ec;
    if (ResolveModelDir(output_dir) == std::filesystem::canonical(*staged, ec).string()) return st;
    DiscardStagedModel(*staged);
    return st.WithContext("the previous model in '" + output_dir + "' is unchanged");
  }
  MaybeKill(debug_kill_at, "published");
  return Status::Ok();
}

}  // namespace item2vec
