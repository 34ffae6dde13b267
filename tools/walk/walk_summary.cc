#include "tools/walk/walk_summary.h"

#include <cstdio>

#include "common/json_writer.h"

namespace item2vec {


std::string WalkSummaryToJson(const WalkSummary& s, const WalkConfig& c) {
  JsonWriter w;
  w.BeginObject();
  w.Key("options").BeginObject();
  w.Key("input").StringArray(c.input);
  w.Key("method").String(WalkMethodName(c.params.method));
  w.Key("p").Double(c.params.p);
  w.Key("q").Double(c.params.q);
  w.Key("sampler").String(c.params.method == WalkMethod::kNode2vec ? SamplerName(c.params.sampler) : "none");
  w.Ints({{"walks_per_item", c.walks_per_item}, {"walk_length", c.params.length}, {"window", c.window}});
  w.Key("undirected").Bool(c.undirected);
  w.Ints({{"min_count", c.min_count}, {"seed", static_cast<std::int64_t>(c.seed)},
          {"memory_bytes", c.memory_bytes}});
  w.EndObject();
  w.Key("ranks").Int(s.ranks);
  w.Key("input").BeginObject();
  w.Ints({{"files", s.files}, {"lines", s.lines}, {"tokens", s.tokens_read}, {"split_lines", s.split_lines},
          {"long_items_skipped", s.long_items}, {"distinct_items", s.distinct_items},
          {"tokens_below_min_count", s.tokens_below_min_count}});
  w.EndObject();
  w.Key("graph").BeginObject();
  w.Ints({{"nodes", s.nodes}, {"edges", s.edges}, {"transitions", s.transitions},
          {"self_loops_skipped", s.self_loops}, {"start_items", s.start_items},
          {"dead_end_items", s.dead_end_items}, {"isolated_items", s.isolated_items},
          {"second_order_entries", s.second_order_entries},
          {"csr_bytes", static_cast<std::int64_t>(s.csr_bytes)},
          {"table_bytes", static_cast<std::int64_t>(s.table_bytes)},
          {"gathered_edge_list_bytes", static_cast<std::int64_t>(s.gathered_bytes)},
          {"peak_bytes", static_cast<std::int64_t>(s.peak_bytes)}});
  w.EndObject();
  w.Key("walks").BeginObject();
  w.Ints({{"walks", s.walks.walks}, {"tokens", s.walks.tokens}, {"dead_end_walks", s.walks.dead_end_walks},
          {"proposals", s.walks.proposals}, {"rejections", s.walks.rejections},
          {"exact_steps", s.walks.exact_steps}});
  w.EndObject();
  w.Key("files").StringArray(s.files_written);
  w.Key("seconds").Double(s.seconds);
  w.EndObject();
  return w.str();
}

}  // namespace item2vec
