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
  j.Key("users").Int(s.users);
  j.Key("users_with_sequences").Int(s.users_with_sequences);
  j.Key("sequences").Int(s.session.sequences);
  j.Key("tokens").Int(s.session.tokens);
  j.Key("items").Int(s.items);
  j.Key("heldout_records").Int(s.session.heldout_records);
  j.Key("heldout_users").Int(s.session.heldout_users);
  j.Key("validation_records").Int(s.session.validation_records);
  j.Key("files").Int(s.files);
  j.Key("input_bytes").Int(s.input_bytes);
  j.Key("header_rows").Int(s.header_rows);
  j.Key("blank_lines").Int(s.blank_lines);
  j.Key("rows_read").Int(s.rows_read);
  j.Key("events_read").Int(s.events_read);
  j.Key("rows_rejected").BeginObject();
  j.Key("total").Int(s.RowsRejected());
  for (int r = 0; r < kNumRowRejects; ++r)
    j.Key(RowRejectName(static_cast<RowReject>(r))).Int(s.rows_rejected[static_cast<std::size_t>(r)]);
  j.EndObject();
  j.Key("events_filtered").BeginObject();
  j.Key("total").Int(s.EventsFiltered());
  j.Key("rating_below_min").Int(s.filtered_rating);
  j.Key("event_type_not_selected").Int(s.filtered_event_type);
  j.Key("item_below_min_count").Int(s.filtered_item_count);
  j.EndObject();
  j.Key("items_below_min_count").Int(s.items_below_min_count);
  j.Key("events_kept").Int(s.events_kept);
  j.Key("sessions").Int(s.session.sessions);
  j.Key("sessions_chunked").Int(s.session.chunked_sessions);
  j.Key("short_sequences_dropped").Int(s.session.short_sequences);
  j.Key("short_sequence_tokens_dropped").Int(s.session.short_sequence_tokens);
  j.Key("set_duplicates_removed").Int(s.session.set_duplicates_removed);
  j.Key("heldout_events").Int(s.session.heldout_events);
  j.Key("heldout_without_history").Int(s.session.heldout_without_history);
  j.Key("user_ids_sanitized").Int(s.user_ids_sanitized);
  j.Key("item_ids_sanitized").Int(s.item_ids_sanitized);
  j.Key("long_items").Int(s.long_items);
  j.Key("sort").BeginObject();
  j.Key("memory_bytes").Int(c.memory_bytes);
  j.Key("bucket_files").Int(s.sort.bucket_files);
  j.Key("buckets_loaded").Int(s.sort.buckets_loaded);
  j.Key("resplits").Int(s.sort.resplits);
  j.Key("max_depth").Int(s.sort.max_depth);
  j.Key("spilled_bytes").Int(s.sort.spilled_bytes);
  j.Key("largest_load_bytes").Int(s.sort.largest_load_bytes);
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
  j.Key("min_item_count").Int(c.min_item_count);
  j.Key("min_length").Int(c.session.min_length);
  j.Key("max_length").Int(c.session.max_length);
  j.Key("session_gap_ms").Int(c.session.session_gap_ms);
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
