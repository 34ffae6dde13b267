#include "job/train_memory.h"

#include <iostream>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "job/memory_plan.h"
#include "job/rank_collectives.h"

namespace item2vec {

StepExit CheckJobMemory(const TrainJob& job) {
  Transport& transport = *job.transport;
  const int servers = job.servers, workers = job.workers;
  // Each worker counts its share of its node's tables, so the node's sum holds one copy; rank 0
  // prints the plan of its own node's layout.
  const MemoryPlan plan =
      EstimateMemory(job.vocab, job.options, servers, workers, job.KeyCount(), job.tables.ranks_sharing);
  if (job.rank == 0) spdlog::info("{}", FormatMemoryPlan(plan, servers, workers));
  double node_need = job.is_server ? plan.server_bytes : plan.worker_bytes;
  int node_rank = 0;
  if (Status ns = transport.NodeSum(&node_need, &node_rank); !ns.ok()) FailJob(transport, ns);
  std::vector<double> short_nodes{0};
  if (node_rank == 0) {
    const double available = MemAvailableBytes();
    const bool fits = available <= 0 || node_need <= available;
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    spdlog::log(fits ? spdlog::level::info : spdlog::level::err,
                "host {}: this node's ranks need {:.1f} MiB, {:.1f} MiB available{}", host, node_need / 1048576.0,
                available / 1048576.0, fits ? "" : ": does not fit");
    if (!fits) short_nodes[0] = 1;
  }
  if (Status as = transport.AllreduceSum(&short_nodes); !as.ok()) FailJob(transport, as);
  if (short_nodes[0] > 0) {
    if (job.rank == 0)
      spdlog::error("the model does not fit in memory on {} node(s): add --servers, nodes, or lower --dim "
                    "(see the memory plan above)", short_nodes[0]);
    return ExitCodeOf(Status::InvalidArgument("does not fit"));
  }
  if (job.options.dry_run) {
    if (job.rank == 0) std::cout << FormatMemoryPlan(plan, servers, workers) << "\nfits: yes\n";
    return 0;
  }
  return std::nullopt;
}

}  // namespace item2vec
