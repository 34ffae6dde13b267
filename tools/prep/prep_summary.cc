#include "tools/prep/prep_summary.h"

#include "common/json_writer.h"
#include "tools/prep/timestamp.h"

namespace item2vec {

std::int64_t PrepSummary::RowsRejected() const {
  std::int64_t total = 0;
  for (std::int64_t n : rows_rejected) total += n;
  return total;
}

std::string PrepSummaryToJson(const PrepSummary& s, const PrepConfig& c) {
  JsonWriter j;
  j.BeginObject();
  j.Ints({{"users", s.users}, {"users_with_sequences", s.users_with_sequences},
          {"sequences", s.session.sequences}, {"tokens", s.session.tokens}, {"items", s.items},
          {"heldout_records", s.session.heldout_records}, {"heldout_users", s.session.heldout_users},
          {"validation_records", s.session.validation_records},
          {"files", s.files}, {"input_bytes", s.input_bytes}, {"header_rows", s.header_rows},
          {"blank_lines", s.blank_lines}, {"rows_read", s.rows_read}, {"events_read", s.events_read}});
  j.Key("rows_rejected").BeginObject();
  j.Key("total").Int(s.RowsRejected());
  for (int r = 0; r < kNumRowRejects; ++r)
    j.Key(RowRejectName(static_cast<RowReject>(r))).Int(s.rows_rejected[static_cast<std::size_t>(r)]);
  j.EndObject();
  j.Key("events_filtered").BeginObject();
  j.Ints({{"total", s.EventsFiltered()}, {"rating_below_min", s.filtered_rating},
          {"event_type_not_selected", s.filtered_event_type}, {"item_below_min_count", s.filtered_item_count}});
  j.EndObject();
  j.Ints({{"items_below_min_count", s.items_below_min_count}, {"events_kept", s.events_kept},
          {"sessions", s.session.sessions}, {"sessions_chunked", s.session.chunked_sessions},
          {"short_sequences_dropped", s.session.short_sequences},
          {"short_sequence_tokens_dropped", s.session.short_sequence_tokens},
          {"set_duplicates_removed", s.session.set_duplicates_removed},
          {"heldout_events", s.session.heldout_events},
          {"heldout_without_history", s.session.heldout_without_history},
          {"user_ids_sanitized", s.user_ids_sanitized}, {"item_ids_sanitized", s.item_ids_sanitized},
          {"long_items", s.long_items}});
  j.Key("sort").BeginObject();
  j.Ints({{"memory_bytes", c.memory_bytes}, {"bucket_files", s.sort.bucket_files},
          {"buckets_loaded", s.sort.buckets_loaded}, {"resplits", s.sort.resplits},
          {"max_depth", s.sort.max_depth}, {"spilled_bytes", s.sort.spilled_bytes},
          {"largest_load_bytes", s.sort.largest_load_bytes}});
  j.EndObject();
  j.Key("seconds").Double(s.seconds);
  j.Key("options").BeginObject();
  j.Key("input").BeginArray();
  for (const std::string& p : c.input) j.String(p);
  j.EndArray();
  j.Key("output").String(c.output);
  j.Key("parts").Int(c.parts);
  j.Key("min_rating").Double(c.has_min_rating ? c.min_rating : 0);
  j.Key("has_min_rating").Bool(c.has_min_rating);
  j.Key("event_types").BeginArray();
  for (const std::string& t : c.event_types) j.String(t);
  j.EndArray();
  // What the ITEM*W tokens came from: --weight-col (as given) or the --event-weights map.
  j.Key("weight_col").String(c.columns.weight.text);
  j.Key("event_weights").BeginObject();
  for (const auto& [type, weight] : c.event_weights.entries()) j.Key(type).Double(weight);
  j.EndObject();
  j.Ints({{"min_item_count", c.min_item_count}, {"min_length", c.session.min_length},
          {"max_length", c.session.max_length}, {"session_gap_ms", c.session.session_gap_ms}});
  j.Key("mode").String(c.session.mode == SequenceMode::kSet ? "set" : "sequence");
  // Set lines are sorted by id: trained with the sliding window, their pairs would follow
  // id order, not basket membership.
  if (c.session.mode == SequenceMode::kSet) j.Key("train_with").String("item2vec train --window-mode set");
  const HoldoutSpec& h = c.session.holdout;
  j.Key("holdout").String(h.kind == HoldoutSpec::Kind::kNone   ? "none"
                          : h.kind == HoldoutSpec::Kind::kLast ? "last:" + std::to_string(h.count)
                                                               : "after:" + FormatIso8601(h.cutoff_ms));
  j.Key("validation").Bool(c.session.validation);
  j.Key("time_format").String(TimeFormatName(c.time_format));
  j.EndObject();
  j.Key("files_written").BeginArray();
  for (const std::string& f : s.files_written) j.String(f);
  j.EndArray();
  j.EndObject();
  return j.str();
}

}  // namespace item2vec
