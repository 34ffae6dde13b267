// item2vec: the command-line edge. Dispatches subcommands; every rank of an MPI job runs
// this same binary (`mpirun -np N item2vec train ...`).
#include <iostream>
#include <string>
#include <vector>

#include "tools/eval/eval_command.h"
#include "tools/eval/index_command.h"
#include "tools/eval/similar_command.h"
#include "tools/export/export_command.h"
#include "common/mpi_transport.h"
#include "tools/prep/prep_command.h"
#include "tools/publish/publish_command.h"
#include "tools/report/report_command.h"
#include "tools/report/train_reporter.h"
#include "tools/tune/tune_command.h"
#include "tools/users/embed_users.h"
#include "tools/walk/walk_command.h"
#include "job/train_job.h"

namespace {

const char kUsage[] =
    "item2vec: distributed item embeddings (skip-gram with negative sampling) on a parameter server\n"
    "\n"
    "Usage: item2vec <command> [options]     (run `item2vec <command> --help` for its options)\n"
    "\n"
    "Commands:\n"
    "  train     train embeddings from sequence files under MPI:\n"
    "            mpirun -np 4 item2vec train --input seqs/ --output model/ [--servers 1]\n"
    "  prep      event logs (CSV/TSV/'::') to training sequences and a hold-out test file\n"
    "  eval      next-item HR@K / NDCG@K / MRR of vectors on a hold-out file, with a popularity baseline\n"
    "  similar   the k nearest items of given items (cosine, dot or euclidean), with titles\n"
    "  index     an HNSW index of a model for fast approximate similar/eval (--index)\n"
    "  embed-users  user vectors: the mean of each user's item vectors (--last K, --half-life N)\n"
    "  walk      random walks (DeepWalk / node2vec) over the item transition graph, as sequences to train on\n"
    "  publish   the lookup table (item and user vectors) into Redis as a new live version\n"
    "  report    a model's run report: one self-contained HTML page (train writes it after every run)\n"
    "  export    a model's vectors for other tools: TensorBoard's Embedding Projector (TSV pair), NumPy (.npy)\n"
    "  tune      search train's settings on a validation split within a time budget (successive halving)\n"
    "\n"
    "Options:\n"
    "  -h, --help     print this help\n"
    "  --version      print the version\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "item2vec 0.1.0\n";
    return 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "prep") return item2vec::RunPrepCommand(args);
  if (command == "eval") return item2vec::RunEvalCommand(args);
  if (command == "similar") return item2vec::RunSimilarCommand(args);
  if (command == "index") return item2vec::RunIndexCommand(args);
  if (command == "publish") return item2vec::RunPublishCommand(args);
  if (command == "walk") return item2vec::RunWalkCommand(args);
  if (command == "embed-users") return item2vec::RunEmbedUsersCommand(args);
  if (command == "report") return item2vec::RunReportCommand(args);
  if (command == "export") return item2vec::RunExportCommand(args);
  if (command == "tune") return item2vec::RunTuneCommand(args);
  if (command == "train") {
    item2vec::MpiSession mpi(&argc, &argv);
    item2vec::TrainReporter reporter;  // rank 0: report.html and metrics after the run
    return item2vec::RunTrain(mpi, args, &reporter);
  }
  std::cerr << "item2vec: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}
