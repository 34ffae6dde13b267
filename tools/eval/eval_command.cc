#include "tools/eval/eval_command.h"

#include <iostream>

#include <boost/program_options.hpp>

#include "common/atomic_file.h"
#include "common/command.h"
#include "common/shared_options.h"
#include "model/evaluation.h"
#include "model/search_options.h"

namespace po = boost::program_options;

namespace item2vec {

namespace {

// Evaluates, prints the table and writes --json; no record evaluated is bad input.
Status EvaluateAndReport(const EvalOptions& o) {
  Result<EvalReport> report = Evaluate(o);
  if (!report.ok()) return report.status();
  std::cerr << "item2vec eval: searched " << report->items << " items for " << report->evaluated << " records in "
            << report->search_seconds << "s with " << report->threads << " thread(s)\n";
  std::cout << FormatTable(*report) << std::flush;
  if (!o.json.empty()) ITEM2VEC_RETURN_IF_ERROR(WriteFileAtomically(o.json, ReportJson(*report)).WithContext("writing --json"));
  // All-zero metrics over no record are no result: a gate must not compare them.
  if (report->evaluated == 0)
    return Status::DataError(
        "no test record could be evaluated: " + std::to_string(report->records_read) + " read, " +
        std::to_string(report->skipped_empty_history) + " with an empty history, " +
        std::to_string(report->skipped_query_oov) + " whose query items are all outside the model's " +
        std::to_string(report->items) + " items (is the test file from the same data as the model?)");
  return Status::Ok();
}

}  // namespace

int RunEvalCommand(const std::vector<std::string>& args) {
  EvalOptions o;
  const EvalOptions defaults;
  Command c("eval",
            "Usage: item2vec eval --model DIR_or_vectors_file --test test.tsv [options]\n\n"
            "Next-item prediction: for every test record, ranks all items by --metric (cosine by\n"
            "default) to the query (exact search, or the HNSW index with --index) and reports HR@K, NDCG@K (binary relevance: 1/log2(rank+1))\n"
            "and MRR over the full ranking (not cut at any K), next to a most-popular baseline on\n"
            "the same records with the same exclusions. Records with an empty history or a query\n"
            "item outside the model are skipped and counted; next items outside the model count\n"
            "as misses. Exits 3 when no record could be evaluated (the numbers are still written).\n\n");
  c.options.add_options()
      ("model,m", po::value(&o.model),
       "model directory written by item2vec train (reads DIR/vectors.bin, or DIR/vectors.txt "
       "when there is no .bin, and DIR/vocab.tsv for the baseline), or a word2vec text/binary "
       "vectors file from any tool (word2vec.c, gensim, fastText .vec) (required)")
      ("test,t", po::value(&o.test),
       "hold-out file: user<TAB>next_item<TAB>history items separated by spaces, most recent "
       "last (written by item2vec prep) (required)");
  AddVectorsFormatOption(&c.options, &o.format, "; for a directory, text picks vectors.txt");
  c.options.add_options()
      ("k", po::value(&o.ks)->default_value(defaults.ks),
       "comma-separated cut-offs K for HR@K and NDCG@K")
      ("query", po::value(&o.query)->default_value(defaults.query),
       "query vector: 'last' = the last history item (skipped if it is not in the model); "
       "'mean:K' = mean of the normalised vectors of the last K history items that are in "
       "the model; 'user' = the user vector, the mean of every known history item (what "
       "item2vec embed-users writes). A comma-separated list (e.g. last,user) evaluates each "
       "on the same records, one row per query. The query item(s) are never candidates "
       "(for 'user': none of the history)");
  AddMetricOption(&c.options, &o.metric);
  c.options.add_options()
      ("index", po::bool_switch(&o.use_index),
       "rank with the HNSW index built by `item2vec index` for this model and --metric "
       "(approximate: a next item outside its top max(K) is a miss, MRR is cut there)")
      ("ef", po::value(&o.ef)->default_value(defaults.ef),
       "with --index: search width (larger = higher recall, slower; at least max(K) is used)")
      ("exclude-history", po::bool_switch(&o.exclude_history),
       "also remove every history item from the candidates (a next item that was already in "
       "the history then counts as a miss)")
      ("train", po::value(&o.train)->multitoken()->composing(),
       "training sequence file(s) or director(ies) to count item popularity from for the "
       "baseline; default: DIR/vocab.tsv of a model directory; without either the baseline "
       "is skipped")
      ("json", po::value(&o.json),
       "also write every number as JSON to this file (written atomically)");
  AddSearchThreadsOption(&c.options, &o.threads);
  // --model and --test are required by Evaluate itself (model/evaluation.h), which the run
  // report calls too.
  return RunCommand(c, args, [&] { return EvaluateAndReport(o); });
}

}  // namespace item2vec
