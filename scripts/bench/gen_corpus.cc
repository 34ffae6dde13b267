// item2vec-gen-corpus: a deterministic synthetic session corpus with planted item clusters,
// for benchmarking item2vec against gensim and fastText and for checking that SGNS
// recovers structure (neighbour precision against the planted clusters).
//
// Model (all randomness from one xoshiro256** stream seeded by --seed via splitmix64):
// - Each item "i<id>" belongs to one of C clusters, drawn uniformly (about I/C items each).
// - Popularity is Zipf-like and two-level: cluster c carries mass ~ 1/(c+1)^s, and inside a
//   cluster the member at (seeded random) position j has weight ~ 1/(j+1)^s. An item's
//   frequency is the product, so the rank-frequency curve is heavy-tailed like a Zipf law
//   with exponent about s. (A plain global Zipf law with whole sessions drawn from one
//   cluster would make the top item's cluster sessions almost all that one item.)
// - A session has length 1 + Geometric(1/mean), capped at --max-session. Its first cluster
//   is drawn by cluster mass; with probability --two-cluster it switches at a uniform point
//   to a second cluster drawn the same way. Each token is, with probability --noise, an
//   item from the global (marginal) item distribution, otherwise an item of the current
//   cluster weighted by its in-cluster popularity.
// - Sessions are written one per line, items separated by spaces, until exactly --tokens
//   tokens are out (the last session is cut short). They are dealt in order into --parts
//   files of near-equal token counts.
//
// --shape hierarchical (a second family, built differently on purpose): items fall into fine
// clusters of --fine-size items (a seeded random partition), and consecutive fine clusters into
// coarse groups of --group-size fine clusters. Popularity is Zipf(--zipf) over a seeded random
// order of all items, independent of the clusters. A session is a Markov walk: its first item
// is drawn by popularity; each next item comes, by popularity, from the current item's fine
// cluster (probability --p-fine), its coarse group (--p-group) or the whole catalogue (the
// rest). clusters.tsv then holds the fine cluster, groups.tsv the coarse group. With many
// items and few tokens per item (e.g. 300k items, 6M tokens) it is a long-tail catalogue.
//
// Output under --output DIR:
//   DIR/parts/part-00000 ...  the sequences (pass DIR/parts to `item2vec train --input`)
//   DIR/clusters.tsv          ground truth: item<TAB>cluster_id, one line per item
//   DIR/counts.tsv            item<TAB>occurrences, most frequent first (items that occur)
//   DIR/corpus.json           the parameters and counts of this corpus
// Every file is written to a temporary name and renamed, so a reader never sees half a file.
// The bytes depend only on the options (byte-identical for a given seed), not on timing.
//
// Only the standard library is used, so the tool builds wherever the trainer does.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "common/random.h"

namespace {

namespace fs = std::filesystem;

const char kUsage[] =
    "Usage: item2vec-gen-corpus --output DIR [options]\n"
    "\n"
    "Writes a deterministic synthetic session corpus with planted item clusters:\n"
    "DIR/parts/part-NNNNN (one session per line), DIR/clusters.tsv (item<TAB>cluster_id),\n"
    "DIR/counts.tsv (item<TAB>occurrences) and DIR/corpus.json. The same options always give byte-identical files.\n"
    "\n"
    "Options:\n"
    "  --output DIR          output directory (created; existing files are replaced)\n"
    "  --tokens N            total tokens (default 10000000; suffixes k, M, G allowed)\n"
    "  --items N             distinct items (default 50000)\n"
    "  --clusters N          planted clusters (default items/100, at least 2)\n"
    "  --seed N              random seed (default 1)\n"
    "  --parts N             number of part files (default 4)\n"
    "  --zipf S              Zipf exponent of item popularity (default 1.0)\n"
    "  --mean-session X      mean session length (default 20)\n"
    "  --max-session N       cap on session length (default 200)\n"
    "  --noise P             probability that a token is a global item (default 0.3)\n"
    "  --two-cluster P       probability that a session switches to a second cluster (default 0.5)\n"
    "  --shape S             flat (default: the model above) or hierarchical (a Markov walk over\n"
    "                        fine clusters inside coarse groups; --clusters, --noise and\n"
    "                        --two-cluster do not apply)\n"
    "  --fine-size N         hierarchical: items per fine cluster (default 10)\n"
    "  --group-size N        hierarchical: fine clusters per coarse group (default 40)\n"
    "  --p-fine P            hierarchical: next item from the current item's fine cluster (default 0.55)\n"
    "  --p-group P           hierarchical: next item from its coarse group (default 0.30)\n"
    "  -h, --help            print this help\n";

struct Options {
  std::string output;
  std::int64_t tokens = 10'000'000;
  std::int64_t items = 50'000;
  std::int64_t clusters = 0;  // 0 = items / 100
  std::uint64_t seed = 1;
  int parts = 4;
  double zipf = 1.0;
  double mean_session = 20;
  std::int64_t max_session = 200;
  double noise = 0.3;
  double two_cluster = 0.5;
  bool hierarchical = false;
  std::int64_t fine_size = 10;
  std::int64_t group_size = 40;
  double p_fine = 0.55;
  double p_group = 0.30;
};

// The project's xoshiro256** (common/random.h), seeded by splitmix64 from --seed.
using item2vec::Rng;

// Walker/Vose alias table: O(1) draws from a fixed discrete distribution. Probabilities are
// kept as 32-bit thresholds so a draw needs one 64-bit random number and no floating point.
class AliasTable {
 public:
  AliasTable() = default;
  // REQUIRES: weights non-empty, all >= 0, sum > 0.
  explicit AliasTable(const std::vector<double>& weights) {
    const std::size_t n = weights.size();
    threshold_.assign(n, 0);
    alias_.assign(n, 0);
    double sum = 0;
    for (double w : weights) sum += w;
    std::vector<double> scaled(n);
    std::vector<std::uint32_t> small, large;
    for (std::size_t i = 0; i < n; ++i) {
      scaled[i] = weights[i] * static_cast<double>(n) / sum;
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      const std::uint32_t s = small.back(), l = large.back();
      small.pop_back();
      SetThreshold(s, scaled[s]);
      alias_[s] = l;
      scaled[l] = (scaled[l] + scaled[s]) - 1.0;
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    // Leftovers are 1 up to rounding.
    for (std::uint32_t i : large) SetThreshold(i, 1.0), alias_[i] = i;
    for (std::uint32_t i : small) SetThreshold(i, 1.0), alias_[i] = i;
  }

  std::uint32_t Sample(Rng& rng) const {
    const std::uint64_t r = rng.Next();
    const std::uint32_t column =
        static_cast<std::uint32_t>(((r >> 32) * static_cast<std::uint64_t>(threshold_.size())) >> 32);
    return static_cast<std::uint32_t>(r) < threshold_[column] || threshold_[column] == kAlways ? column
                                                                                              : alias_[column];
  }

 private:
  static constexpr std::uint32_t kAlways = 0xffffffffu;
  void SetThreshold(std::uint32_t i, double p) {
    threshold_[i] = p >= 1.0 ? kAlways : static_cast<std::uint32_t>(p * 4294967296.0);
  }
  std::vector<std::uint32_t> threshold_;
  std::vector<std::uint32_t> alias_;
};

// Buffered writer to DIR/name.tmp.<pid>, renamed to DIR/name by Commit().
class AtomicWriter {
 public:
  explicit AtomicWriter(fs::path path) : path_(std::move(path)) {
    tmp_ = path_;
    tmp_ += ".tmp." + std::to_string(static_cast<long long>(::getpid()));
    file_ = std::fopen(tmp_.c_str(), "wb");
    if (!file_) Die("cannot create '" + tmp_.string() + "': " + std::strerror(errno));
    buffer_.reserve(kBufferBytes + 4096);
  }
  ~AtomicWriter() {
    if (file_) {  // not committed: leave nothing behind
      std::fclose(file_);
      std::remove(tmp_.c_str());
    }
  }
  void Append(const char* data, std::size_t n) {
    buffer_.append(data, n);
    if (buffer_.size() >= kBufferBytes) Flush();
  }
  void Append(const std::string& s) { Append(s.data(), s.size()); }
  void Put(char c) { buffer_.push_back(c); }
  void Commit() {
    Flush();
    if (std::fclose(file_) != 0) Die("cannot write '" + tmp_.string() + "': " + std::strerror(errno));
    file_ = nullptr;
    std::error_code ec;
    fs::rename(tmp_, path_, ec);
    if (ec) Die("cannot rename '" + tmp_.string() + "' to '" + path_.string() + "': " + ec.message());
  }
  [[noreturn]] static void Die(const std::string& message) {
    std::cerr << "item2vec-gen-corpus: " << message << "\n";
    std::exit(1);
  }

 private:
  static constexpr std::size_t kBufferBytes = 1 << 20;
  void Flush() {
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
      Die("cannot write '" + tmp_.string() + "': " + std::strerror(errno));
    buffer_.clear();
  }
  fs::path path_, tmp_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
};

[[noreturn]] void UsageError(const std::string& message) {
  std::cerr << "item2vec-gen-corpus: " << message << "\n\n" << kUsage;
  std::exit(2);
}

std::int64_t ParseCount(const std::string& name, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  double scale = 1;
  if (end && *end) {
    const std::string suffix(end);
    if (suffix == "k" || suffix == "K") scale = 1e3;
    else if (suffix == "M" || suffix == "m") scale = 1e6;
    else if (suffix == "G" || suffix == "g") scale = 1e9;
    else UsageError(name + " wants a number, got '" + text + "'");
  }
  if (errno || end == text.c_str() || !(v * scale >= 0) || v * scale > 9e18)
    UsageError(name + " wants a non-negative number, got '" + text + "'");
  return static_cast<std::int64_t>(std::llround(v * scale));
}

double ParseReal(const std::string& name, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (errno || end == text.c_str() || *end || !std::isfinite(v))
    UsageError(name + " wants a number, got '" + text + "'");
  return v;
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    }
    std::string name = arg, value;
    if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else {
      if (i + 1 >= argc) UsageError("option " + arg + " needs a value");
      value = argv[++i];
    }
    if (name == "--output") o.output = value;
    else if (name == "--tokens") o.tokens = ParseCount(name, value);
    else if (name == "--items") o.items = ParseCount(name, value);
    else if (name == "--clusters") o.clusters = ParseCount(name, value);
    else if (name == "--seed") o.seed = static_cast<std::uint64_t>(ParseCount(name, value));
    else if (name == "--parts") o.parts = static_cast<int>(ParseCount(name, value));
    else if (name == "--zipf") o.zipf = ParseReal(name, value);
    else if (name == "--mean-session") o.mean_session = ParseReal(name, value);
    else if (name == "--max-session") o.max_session = ParseCount(name, value);
    else if (name == "--noise") o.noise = ParseReal(name, value);
    else if (name == "--two-cluster") o.two_cluster = ParseReal(name, value);
    else if (name == "--shape") {
      if (value != "flat" && value != "hierarchical") UsageError("--shape wants flat or hierarchical, got '" + value + "'");
      o.hierarchical = value == "hierarchical";
    } else if (name == "--fine-size") o.fine_size = ParseCount(name, value);
    else if (name == "--group-size") o.group_size = ParseCount(name, value);
    else if (name == "--p-fine") o.p_fine = ParseReal(name, value);
    else if (name == "--p-group") o.p_group = ParseReal(name, value);
    else UsageError("unknown option '" + name + "'");
  }
  if (o.output.empty()) UsageError("--output DIR is required");
  if (o.tokens < 1) UsageError("--tokens must be at least 1");
  if (o.items < 2 || o.items > 0xffffffffLL) UsageError("--items must be in 2..4294967295");
  if (o.clusters == 0) o.clusters = std::max<std::int64_t>(2, o.items / 100);
  if (o.clusters < 1 || o.clusters > o.items) UsageError("--clusters must be in 1..items");
  if (o.parts < 1 || o.parts > 100000) UsageError("--parts must be in 1..100000");
  if (o.zipf < 0) UsageError("--zipf must be >= 0");
  if (o.mean_session < 1) UsageError("--mean-session must be >= 1");
  if (o.max_session < 1) UsageError("--max-session must be >= 1");
  if (o.noise < 0 || o.noise > 1) UsageError("--noise must be in [0, 1]");
  if (o.two_cluster < 0 || o.two_cluster > 1) UsageError("--two-cluster must be in [0, 1]");
  if (o.fine_size < 1 || o.fine_size > o.items) UsageError("--fine-size must be in 1..items");
  if (o.group_size < 1) UsageError("--group-size must be at least 1");
  if (o.p_fine < 0 || o.p_group < 0 || o.p_fine + o.p_group > 1)
    UsageError("--p-fine and --p-group must be >= 0 with a sum of at most 1");
  return o;
}

std::string PartName(int part) {
  char name[32];
  std::snprintf(name, sizeof name, "part-%05d", part);
  return name;
}

// Where a session's items come from: the flat model or the hierarchical Markov walk. Each
// fills `items` with `len` item ids, drawing only from `rng`, so the bytes depend on the seed.
class SessionSource {
 public:
  virtual ~SessionSource() = default;
  virtual void Session(std::int64_t len, Rng& rng, std::vector<std::uint32_t>* items) const = 0;
  std::vector<std::uint32_t> cluster_of;  // clusters.tsv: the (fine) cluster of every item
  std::vector<std::uint32_t> group_of;    // groups.tsv (hierarchical only): the coarse group
};

// The flat model (see the file comment): two-level Zipf popularity, one or two clusters per
// session, --noise tokens from the marginal distribution.
class FlatSource : public SessionSource {
 public:
  FlatSource(const Options& o, Rng& rng) : o_(o) {
    const std::size_t n = static_cast<std::size_t>(o.items), k = static_cast<std::size_t>(o.clusters);
    cluster_of.resize(n);
    members_.resize(k);
    for (std::size_t i = 0; i < n; ++i) {
      cluster_of[i] = static_cast<std::uint32_t>(rng.Below64(k));
      members_[cluster_of[i]].push_back(static_cast<std::uint32_t>(i));
    }
    // Cluster c has popularity mass ~ 1/(c+1)^s; its members, in a seeded random order, have
    // weights ~ 1/(j+1)^s within it. An item's corpus frequency is the product of the two.
    std::vector<double> cluster_weight(k), item_weight(n);
    in_cluster_.resize(k);
    double cluster_sum = 0;
    for (std::size_t c = 0; c < k; ++c) {
      // An empty cluster (possible when items / clusters is small) is never picked.
      cluster_weight[c] = members_[c].empty() ? 0.0 : 1.0 / std::pow(static_cast<double>(c) + 1.0, o.zipf);
      cluster_sum += cluster_weight[c];
    }
    for (std::size_t c = 0; c < k; ++c) {
      std::vector<std::uint32_t>& m = members_[c];
      if (m.empty()) continue;
      for (std::size_t j = m.size() - 1; j > 0; --j) std::swap(m[j], m[rng.Below64(j + 1)]);
      std::vector<double> w(m.size());
      double sum = 0;
      for (std::size_t j = 0; j < w.size(); ++j) sum += (w[j] = 1.0 / std::pow(static_cast<double>(j) + 1.0, o.zipf));
      for (std::size_t j = 0; j < w.size(); ++j) item_weight[m[j]] = cluster_weight[c] / cluster_sum * w[j] / sum;
      in_cluster_[c] = AliasTable(w);
    }
    clusters_by_mass_ = AliasTable(cluster_weight);
    global_ = AliasTable(item_weight);  // the marginal item distribution, for noise tokens
  }

  void Session(std::int64_t len, Rng& rng, std::vector<std::uint32_t>* items) const override {
    std::uint32_t cluster = clusters_by_mass_.Sample(rng);
    std::int64_t switch_at = len;  // no switch
    std::uint32_t second = cluster;
    if (rng.UniformDouble() < o_.two_cluster) {
      second = clusters_by_mass_.Sample(rng);
      switch_at = static_cast<std::int64_t>(rng.Below64(static_cast<std::uint64_t>(len) + 1));
    }
    for (std::int64_t t = 0; t < len; ++t) {
      if (t == switch_at) cluster = second;
      items->push_back(rng.UniformDouble() < o_.noise ? global_.Sample(rng)
                                                      : members_[cluster][in_cluster_[cluster].Sample(rng)]);
    }
  }

 private:
  const Options& o_;
  std::vector<std::vector<std::uint32_t>> members_;
  std::vector<AliasTable> in_cluster_;
  AliasTable clusters_by_mass_, global_;
};

// The hierarchical Markov walk (--shape hierarchical, see the file comment).
class HierarchicalSource : public SessionSource {
 public:
  HierarchicalSource(const Options& o, Rng& rng) : o_(o) {
    const std::size_t n = static_cast<std::size_t>(o.items);
    const std::size_t fine = static_cast<std::size_t>(o.fine_size);
    // A seeded random order of the items is cut into fine clusters; consecutive fine
    // clusters form a coarse group. A second, independent order sets the popularity.
    std::vector<std::uint32_t> order(n), rank(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
    for (std::size_t j = n - 1; j > 0; --j) std::swap(order[j], order[rng.Below64(j + 1)]);
    const std::size_t num_fine = (n + fine - 1) / fine;
    const std::size_t num_groups = (num_fine + static_cast<std::size_t>(o.group_size) - 1) /
                                   static_cast<std::size_t>(o.group_size);
    cluster_of.resize(n);
    group_of.resize(n);
    fine_members_.resize(num_fine);
    group_members_.resize(num_groups);
    for (std::size_t p = 0; p < n; ++p) {
      const std::uint32_t item = order[p];
      const std::size_t f = p / fine, g = f / static_cast<std::size_t>(o.group_size);
      cluster_of[item] = static_cast<std::uint32_t>(f);
      group_of[item] = static_cast<std::uint32_t>(g);
      fine_members_[f].push_back(item);
      group_members_[g].push_back(item);
    }
    for (std::size_t i = 0; i < n; ++i) rank[i] = static_cast<std::uint32_t>(i);
    for (std::size_t j = n - 1; j > 0; --j) std::swap(rank[j], rank[rng.Below64(j + 1)]);
    weight_.resize(n);
    for (std::size_t i = 0; i < n; ++i) weight_[i] = 1.0 / std::pow(static_cast<double>(rank[i]) + 1.0, o.zipf);
    global_ = AliasTable(weight_);
    fine_table_ = Tables(fine_members_);
    group_table_ = Tables(group_members_);
  }

  void Session(std::int64_t len, Rng& rng, std::vector<std::uint32_t>* items) const override {
    std::uint32_t item = global_.Sample(rng);
    items->push_back(item);
    for (std::int64_t t = 1; t < len; ++t) {
      const double u = rng.UniformDouble();
      if (u < o_.p_fine) {
        const std::uint32_t f = cluster_of[item];
        item = fine_members_[f][fine_table_[f].Sample(rng)];
      } else if (u < o_.p_fine + o_.p_group) {
        const std::uint32_t g = group_of[item];
        item = group_members_[g][group_table_[g].Sample(rng)];
      } else {
        item = global_.Sample(rng);
      }
      items->push_back(item);
    }
  }

 private:
  std::vector<AliasTable> Tables(const std::vector<std::vector<std::uint32_t>>& sets) const {
    std::vector<AliasTable> tables(sets.size());
    for (std::size_t s = 0; s < sets.size(); ++s) {
      std::vector<double> w(sets[s].size());
      for (std::size_t j = 0; j < w.size(); ++j) w[j] = weight_[sets[s][j]];
      tables[s] = AliasTable(w);
    }
    return tables;
  }
  const Options& o_;
  std::vector<double> weight_;
  std::vector<std::vector<std::uint32_t>> fine_members_, group_members_;
  std::vector<AliasTable> fine_table_, group_table_;
  AliasTable global_;
};

void WriteLabels(const fs::path& path, const std::string& names, const std::vector<std::uint64_t>& name_offset,
                 const std::vector<std::uint32_t>& label) {
  AtomicWriter w(path);
  for (std::size_t i = 0; i < label.size(); ++i) {
    w.Append(names.data() + name_offset[i], name_offset[i + 1] - name_offset[i] - 1);
    w.Put('\t');
    w.Append(std::to_string(label[i]));
    w.Put('\n');
  }
  w.Commit();
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseArgs(argc, argv);
  const fs::path out(o.output), parts_dir = out / "parts";
  std::error_code ec;
  fs::create_directories(parts_dir, ec);
  if (ec) AtomicWriter::Die("cannot create '" + parts_dir.string() + "': " + ec.message());
  // Part files of an earlier, larger run would otherwise be read as part of this corpus.
  for (const auto& entry : fs::directory_iterator(parts_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("part-", 0) == 0) fs::remove(entry.path(), ec);
  }

  const std::size_t n = static_cast<std::size_t>(o.items);
  Rng rng(o.seed);
  std::unique_ptr<SessionSource> source;
  if (o.hierarchical) source = std::make_unique<HierarchicalSource>(o, rng);
  else source = std::make_unique<FlatSource>(o, rng);

  // Item names, pre-formatted with their trailing separator slot: "i<id>" + ' '.
  std::vector<std::uint64_t> name_offset(n + 1);
  std::string names;
  names.reserve(n * 9);
  for (std::size_t i = 0; i < n; ++i) {
    name_offset[i] = names.size();
    names += 'i';
    names += std::to_string(i);
    names += ' ';
  }
  name_offset[n] = names.size();

  WriteLabels(out / "clusters.tsv", names, name_offset, source->cluster_of);
  if (!source->group_of.empty()) WriteLabels(out / "groups.tsv", names, name_offset, source->group_of);

  // log(1 - p) for the geometric session length: P(extra = j) = (1-p)^j p, mean 1/p - 1.
  const double log_q = std::log1p(-1.0 / o.mean_session);
  std::int64_t written = 0, sessions = 0;
  std::vector<std::uint64_t> count(n, 0);
  std::vector<std::uint32_t> session;
  for (int part = 0; part < o.parts; ++part) {
    const std::int64_t part_end = o.tokens * (part + 1) / o.parts;  // exact split of the tokens
    AtomicWriter w(parts_dir / PartName(part));
    while (written < part_end) {
      std::int64_t len = 1;
      if (log_q < 0) {
        const double u = 1.0 - rng.UniformDouble();  // (0, 1]
        len += static_cast<std::int64_t>(std::floor(std::log(u) / log_q));
      }
      len = std::min({len, o.max_session, part_end - written});
      session.clear();
      source->Session(len, rng, &session);
      for (std::int64_t t = 0; t < len; ++t) {
        const std::uint32_t item = session[static_cast<std::size_t>(t)];
        ++count[item];
        // With the separator for all but the last item of the line.
        const std::size_t bytes = name_offset[item + 1] - name_offset[item] - (t + 1 == len ? 1 : 0);
        w.Append(names.data() + name_offset[item], bytes);
      }
      w.Put('\n');
      written += len;
      ++sessions;
    }
    w.Commit();
  }

  {
    std::vector<std::uint32_t> order;
    for (std::size_t i = 0; i < n; ++i)
      if (count[i] > 0) order.push_back(static_cast<std::uint32_t>(i));
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return count[a] != count[b] ? count[a] > count[b] : a < b;
    });
    AtomicWriter counts(out / "counts.tsv");
    for (std::uint32_t i : order) {
      counts.Append(names.data() + name_offset[i], name_offset[i + 1] - name_offset[i] - 1);
      counts.Put('\t');
      counts.Append(std::to_string(count[i]));
      counts.Put('\n');
    }
    counts.Commit();
  }

  {
    AtomicWriter meta(out / "corpus.json");
    char buf[1024];
    std::snprintf(buf, sizeof buf,
                  "{\"generator\": \"item2vec-gen-corpus\", \"tokens\": %lld, \"items\": %lld, \"clusters\": %lld, "
                  "\"seed\": %llu, \"parts\": %d, \"zipf\": %g, \"mean_session\": %g, \"max_session\": %lld, "
                  "\"noise\": %g, \"two_cluster\": %g, \"shape\": \"%s\", \"fine_size\": %lld, \"group_size\": %lld, "
                  "\"p_fine\": %g, \"p_group\": %g, \"sessions\": %lld}\n",
                  static_cast<long long>(o.tokens), static_cast<long long>(o.items),
                  static_cast<long long>(o.clusters), static_cast<unsigned long long>(o.seed), o.parts, o.zipf,
                  o.mean_session, static_cast<long long>(o.max_session), o.noise, o.two_cluster,
                  o.hierarchical ? "hierarchical" : "flat", static_cast<long long>(o.fine_size),
                  static_cast<long long>(o.group_size), o.p_fine, o.p_group, static_cast<long long>(sessions));
    meta.Append(buf, std::strlen(buf));
    meta.Commit();
  }
  std::cerr << "item2vec-gen-corpus: wrote " << written << " tokens in " << sessions << " sessions to "
            << parts_dir.string() << "/part-* (" << o.parts << " files), ground truth in "
            << (out / "clusters.tsv").string() << "\n";
  return 0;
}
