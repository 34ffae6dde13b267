// item2vec: the command-line edge. Dispatches subcommands; every rank of an MPI job runs
// this same binary (`mpirun -np N item2vec train ...`). Each subcommand takes the one entry
// path of common/command.h (options, --help, required options, MPI where needed, the
// catch-all); this file only lists them, and `item2vec --help` prints the list.
#include <algorithm>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "job/train_job.h"
#include "tools/eval/eval_command.h"
#include "tools/eval/index_command.h"
#include "tools/eval/similar_command.h"
#include "tools/export/export_command.h"
#include "tools/prep/prep_command.h"
#include "tools/publish/publish_command.h"
#include "tools/report/report_command.h"
#include "tools/report/train_reporter.h"
#include "tools/tune/tune_command.h"
#include "tools/users/embed_users.h"
#include "tools/walk/walk_command.h"

namespace {

using Args = std::vector<std::string>;

// train with what rank 0 does after the model: report.html and the metrics.
int RunTrainWithReport(const Args& args) {
  item2vec::TrainReporter reporter;
  return item2vec::RunTrainCommand(args, &reporter);
}

struct Subcommand {
  const char* name;
  const char* summary;  // one line in `item2vec --help` (the README's commands table names them all)
  int (*run)(const Args&);
};

const Subcommand kSubcommands[] = {
    {"train", "train embeddings from sequence files under MPI:\n"
              "            mpirun -np 4 item2vec train --input seqs/ --output model/ [--servers 1]",
     RunTrainWithReport},
    {"prep", "event logs (CSV/TSV/'::') to training sequences and a hold-out test file", item2vec::RunPrepCommand},
    {"eval", "next-item HR@K / NDCG@K / MRR of vectors on a hold-out file, with a popularity baseline",
     item2vec::RunEvalCommand},
    {"similar", "the k nearest items of given items (cosine, dot or euclidean), with titles",
     item2vec::RunSimilarCommand},
    {"index", "an HNSW index of a model for fast approximate similar/eval (--index)", item2vec::RunIndexCommand},
    {"embed-users", "user vectors: the mean of each user's item vectors (--last K, --half-life N)",
     item2vec::RunEmbedUsersCommand},
    {"walk", "random walks (DeepWalk / node2vec) over the item transition graph, as sequences to train on",
     item2vec::RunWalkCommand},
    {"publish", "the lookup table (item and user vectors) into Redis as a new live version",
     item2vec::RunPublishCommand},
    {"report", "a model's run report: one self-contained HTML page (train writes it after every run)",
     item2vec::RunReportCommand},
    {"export", "a model's vectors for other tools: TensorBoard's Embedding Projector (TSV pair), NumPy (.npy)",
     item2vec::RunExportCommand},
    {"tune", "search train's settings on a validation split within a time budget (successive halving)",
     item2vec::RunTuneCommand},
};

std::string Usage() {
  std::string text =
      "item2vec: distributed item embeddings (skip-gram with negative sampling) on a parameter server\n"
      "\n"
      "Usage: item2vec <command> [options]     (run `item2vec <command> --help` for its options)\n"
      "\n"
      "Commands:\n";
  for (const Subcommand& c : kSubcommands) {
    const int pad = std::max(2, 10 - static_cast<int>(std::strlen(c.name)));
    text += "  " + std::string(c.name) + std::string(static_cast<std::size_t>(pad), ' ') + c.summary + "\n";
  }
  return text +
         "\n"
         "Options:\n"
         "  -h, --help     print this help\n"
         "  --version      print the version\n";
}

}  // namespace

int main(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << Usage();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "item2vec 0.1.0\n";
    return 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  for (const Subcommand& c : kSubcommands)
    if (command == c.name) return c.run(args);
  std::cerr << "item2vec: unknown command '" << command << "'\n\n" << Usage();
  return 2;
}
