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
  w.Key("walks_per_item").Int(c.walks_per_item);
  w.Key("walk_length").Int(c.params.length);
  w.Key("window").Int(c.window);
  w.Key("undirected").Bool(c.undirected);
  w.Key("min_count").Int(c.min_count);
  w.Key("seed").Int(static_cast<std::int64_t>(c.seed));
  w.Key("memory_bytes").Int(c.memory_bytes);
  w.EndObject();
  w.Key("ranks").Int(s.ranks);
  w.Key("input").BeginObject();
  w.Key("files").Int(s.files);
  w.Key("lines").Int(s.lines);
  w.Key("tokens").Int(s.tokens_read);
  w.Key("split_lines").Int(s.split_lines);
  w.Key("long_items_skipped").Int(s.long_items);
  w.Key("distinct_items").Int(s.distinct_items);
  w.Key("tokens_below_min_count").Int(s.tokens_below_min_count);
  w.EndObject();
  w.Key("graph").BeginObject();
  w.Key("nodes").Int(s.nodes);
  w.Key("edges").Int(s.edges);
  w.Key("transitions").Int(s.transitions);
  w.Key("self_loops_skipped").Int(s.self_loops);
  w.Key("start_items").Int(s.start_items);
  w.Key("dead_end_items").Int(s.dead_end_items);
  w.Key("isolated_items").Int(s.isolated_items);
  w.Key("second_order_entries").Int(s.second_order_entries);
  w.Key("csr_bytes").Int(static_cast<std::int64_t>(s.csr_bytes));
  w.Key("table_bytes").Int(static_cast<std::int64_t>(s.table_bytes));
  w.Key("gathered_edge_list_bytes").Int(static_cast<std::int64_t>(s.gathered_bytes));
  w.Key("peak_bytes").Int(static_cast<std::int64_t>(s.peak_bytes));
  w.EndObject();
  w.Key("walks").BeginObject();
  w.Key("walks").Int(s.walks.walks);
  w.Key("tokens").Int(s.walks.tokens);
  w.Key("dead_end_walks").Int(s.walks.dead_end_walks);
  w.Key("proposals").Int(s.walks.proposals);
  w.Key("rejections").Int(s.walks.rejections);
  w.Key("exact_steps").Int(s.walks.exact_steps);
  w.EndObject();
  w.Key("files").StringArray(s.files_written);
  w.Key("seconds").Double(s.seconds);
  w.EndObject();
  return w.str();
}

}  // namespace item2vec
