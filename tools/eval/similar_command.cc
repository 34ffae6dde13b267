#include "tools/eval/similar_command.h"

#include "common/command_line.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include <boost/program_options.hpp>

#include "model/ann_index.h"
#include "model/names.h"
#include "model/nearest_neighbors.h"

namespace po = boost::program_options;

namespace item2vec {

Result<std::vector<std::vector<Neighbour>>> FindSimilar(const LoadedModel& model, const std::vector<std::int64_t>& rows,
                                                        int k, int threads, const AnnIndex* index, int ef) {
  if (k < 1) return Status::InvalidArgument("-k must be at least 1");
  const ItemMatrix& m = model.matrix;
  // No query has more neighbours than the model's other items (the results hold n * k).
  k = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(k), std::max<std::size_t>(1, m.size() - 1)));
  const std::size_t d = static_cast<std::size_t>(m.dim());
  const std::size_t n = rows.size();
  std::vector<float> vectors(n * d);
  std::vector<std::size_t> exclude_begin{0};
  std::vector<ItemId> exclude;  // each query excludes itself
  for (std::size_t i = 0; i < n; ++i) {
    if (rows[i] < 0 || rows[i] >= static_cast<std::int64_t>(m.size()))
      return Status::InvalidArgument("row " + std::to_string(rows[i]) + " is not in the model");
    m.CopyRow(static_cast<std::size_t>(rows[i]), vectors.data() + i * d);
    exclude.push_back(static_cast<ItemId>(rows[i]));
    exclude_begin.push_back(exclude.size());
  }
  QuerySet qs;
  qs.vectors = vectors.data();
  qs.count = n;
  qs.exclude_begin = exclude_begin.data();
  qs.exclude = exclude.data();
  SearchResults res;
  if (index != nullptr) {
    ITEM2VEC_RETURN_IF_ERROR(index->Search(m, qs, k, ef > 0 ? ef : AnnBuildOptions::kDefaultEf, threads, &res));
  } else {
    SearchOptions o;
    o.threads = threads;
    o.top_k = k;
    ITEM2VEC_RETURN_IF_ERROR(ExactSearch(m, qs, o, &res));
  }
  std::vector<std::vector<Neighbour>> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float* q = vectors.data() + i * d;
    double q_sq = 0;
    for (std::size_t j = 0; j < d; ++j) q_sq += static_cast<double>(q[j]) * q[j];
    for (int j = 0; j < k; ++j) {
      const std::size_t at = i * static_cast<std::size_t>(k) + static_cast<std::size_t>(j);
      if (res.top_items[at] >= 0)
        out[i].push_back({res.top_items[at], DisplayScore(m.similarity(), res.top_scores[at], q_sq)});
    }
  }
  return out;
}

namespace {

Status ReadItemsFile(const std::string& path, std::vector<std::string>* items) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open --items-file '" + path + "'");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string first;
    if (!(fields >> first) || first[0] == '#') continue;
    items->push_back(first);
  }
  if (in.bad()) return Status::IOError("reading --items-file '" + path + "' failed");
  return Status::Ok();
}

}  // namespace

int RunSimilarCommand(const std::vector<std::string>& args) {
  std::string model_path, items_file, names_path, format_name = "auto";
  NameFileOptions name_options;
  std::string metric_name = "cosine";
  std::vector<std::string> items;
  int k = 10;
  int threads = 0;
  bool use_index = false;
  int ef = AnnBuildOptions::kDefaultEf;
  po::options_description desc("item2vec similar options");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("model,m", po::value(&model_path),
       "model directory written by item2vec train (reads DIR/vectors.bin, or DIR/vectors.txt "
       "when there is no .bin) or a word2vec text/binary vectors file from any tool (required)")
      ("item,i", po::value(&items)->composing(), "an item to find neighbours of (may repeat)")
      ("items-file", po::value(&items_file),
       "file with one query item per line (first field; blank and '#' lines skipped)")
      ("k,k", po::value(&k)->default_value(k), "neighbours to print per item")
      ("names", po::value(&names_path),
       "delimited file mapping items to titles, read like prep's input: e.g. "
       "data/ml-latest-small/movies.csv (CSV with a header), or ml-100k's u.item with "
       "--name-columns 1,2 (pipe-separated, no header, latin-1)")
      ("name-columns", po::value(&name_options.columns)->default_value(name_options.columns),
       "ID_COLUMN,TITLE_COLUMN in --names: header names, or 1-based positions (e.g. 1,2)")
      ("name-delimiter", po::value(&name_options.delimiter)->default_value(name_options.delimiter),
       "field separator of --names: auto ('::' if the first line has it, else tab, ',', ';', '|'), "
       "',', tab, '|', '::' or any string")
      ("name-quote", po::value(&name_options.quote)->default_value(name_options.quote),
       "quote character of --names for fields holding the delimiter; 'none' turns quoting off")
      ("name-header", po::value(&name_options.header)->default_value(name_options.header),
       "whether the first line of --names is a header: yes, no, or auto (yes when a column is "
       "given by name)")
      ("name-encoding", po::value(&name_options.encoding)->default_value(name_options.encoding),
       "encoding of the titles: auto (latin-1 when the file is not valid UTF-8), utf-8, latin-1; "
       "printed as UTF-8")
      ("format", po::value(&format_name)->default_value(format_name),
       "vectors file format: text, binary, or auto (binary when the name ends in .bin)")
      ("metric", po::value(&metric_name)->default_value(metric_name), kMetricHelp)
      ("index", po::bool_switch(&use_index),
       "search the HNSW index built by `item2vec index` for this model and --metric (approximate, "
       "fast on large catalogs; refused when it was built from another model version) instead of "
       "scanning every item")
      ("ef", po::value(&ef)->default_value(ef),
       "with --index: search width (candidates kept while walking the graph; larger = higher "
       "recall, slower; at least -k is used)")
      ("threads", po::value(&threads)->default_value(threads), "search threads; 0 = one per hardware thread");
  const auto fail = [](const Status& st) {
    std::cerr << "item2vec similar: " << st.ToString() << "\n";
    return ExitCodeOf(st);
  };
  bool help = false;
  if (Status st = ParseCommandOptions(desc, args, "similar", &help); !st.ok()) return fail(st);
  if (help) {
    std::cout << "Usage: item2vec similar --model DIR_or_vectors_file --item ITEM [--item ITEM ...] [options]\n\n"
                   "Prints the k nearest items of each query item by --metric (exact search over\n"
                   "all items, or the HNSW index with --index; the item itself excluded), with\n"
                   "titles from --names. Output per query: '# item<TAB>title', then\n"
                   "'rank<TAB>item<TAB>score<TAB>title' (score: cosine, dot product, or euclidean\n"
                   "distance).\n\n"
                << desc << "\n";
    return 0;
  }
  if (model_path.empty()) return fail(Status::InvalidArgument("--model is required: a model directory or a vectors file"));
  if (k < 1) return fail(Status::InvalidArgument("-k must be at least 1, got " + std::to_string(k)));
  if (threads < 0) return fail(Status::InvalidArgument("--threads must be 0 (all cores) or positive"));
  if (threads == 0) threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (!items_file.empty())
    if (Status st = ReadItemsFile(items_file, &items); !st.ok()) return fail(st);
  if (items.empty()) return fail(Status::InvalidArgument("give at least one --item or an --items-file"));
  Result<VectorFormat> format = ParseVectorFormat(format_name);
  if (!format.ok()) return fail(format.status());
  Result<Similarity> metric = ParseSimilarity(metric_name);
  if (!metric.ok()) return fail(metric.status());
  if (ef < 1) return fail(Status::InvalidArgument("--ef must be at least 1, got " + std::to_string(ef)));
  std::optional<NameMap> names;
  if (!names_path.empty()) {
    Result<NameMap> read = ReadNames(names_path, name_options);
    if (!read.ok()) return fail(read.status());
    names = std::move(*read);
  }
  Result<ModelPaths> paths = ResolveModel(model_path, *format);
  if (!paths.ok()) return fail(paths.status());
  Result<std::unique_ptr<LoadedModel>> loaded = LoadModel(*paths, *metric);
  if (!loaded.ok()) return fail(loaded.status());
  const LoadedModel& model = **loaded;
  std::unique_ptr<AnnIndex> index;
  if (use_index) {
    Result<std::unique_ptr<AnnIndex>> read =
        AnnIndex::Load(IndexPathsFor(paths->vectors, *metric), model.matrix, ModelFingerprint(model));
    if (!read.ok()) return fail(read.status());
    index = std::move(*read);
  }

  std::vector<std::int64_t> rows;
  std::vector<std::string> found;
  for (const std::string& item : items) {
    const std::int64_t row = model.index.Find(item);
    if (row < 0) {
      std::cerr << "item2vec similar: item '" << item << "' is not in the model (" << model.items.size()
                << " items); skipped\n";
      continue;
    }
    rows.push_back(row);
    found.push_back(item);
  }
  if (rows.empty()) return fail(Status::NotFound("none of the " + std::to_string(items.size()) + " item(s) is in the model"));
  const std::size_t others = model.items.size() > 0 ? model.items.size() - 1 : 0;
  if (static_cast<std::size_t>(k) > others) {
    std::cerr << "item2vec similar: -k " << k << " is more than the model's " << others
              << " other items; listing all of them\n";
    k = static_cast<int>(std::max<std::size_t>(1, others));
  }
  Result<std::vector<std::vector<Neighbour>>> result = FindSimilar(model, rows, k, threads, index.get(), ef);
  if (!result.ok()) return fail(result.status());
  const auto title = [&](const std::string& item) -> std::string {
    if (!names) return "";
    auto it = names->find(item);
    return "\t" + (it == names->end() ? std::string("(no name)") : it->second);
  };
  std::string out;
  char score[32];
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += "# " + found[i] + title(found[i]) + "\n";
    const auto& list = (*result)[i];
    for (std::size_t j = 0; j < list.size(); ++j) {
      const std::string& item = model.items[static_cast<std::size_t>(list[j].row)];
      std::snprintf(score, sizeof score, "%.6f", list[j].score);
      out += std::to_string(j + 1) + "\t" + item + "\t" + score + title(item) + "\n";
    }
    out += "\n";
  }
  std::cout << out << std::flush;
  return 0;
}

}  // namespace item2vec
