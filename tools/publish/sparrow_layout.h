// The course's layout in Redis: what SparrowRecSys's online service (the recommender system of
// Wang Zhe's course "Deep Learning Recommender Systems") reads: "i2vEmb:<item>" and
// "uEmb:<user>", each a string of the vector's floats separated by single spaces, with an
// expiry (EX) on every key. Written by `item2vec publish --layout sparrowrecsys`.
//
// Contract:
// - PublishSparrowLayout loads the model's vectors (DIR/vectors.bin, or a vectors file) and the
//   users file first and checks every key: an item or user containing ':' (the reader takes the
//   id as the key's second ':'-separated field) or whitespace is refused, naming it, before
//   anything is written. Then it SETs every key with EX ttl_seconds (no expiry when 0),
//   pipelined with at most 2 x batch commands in flight, reads back a sample spread over each
//   table and compares it, and reports the counts.
// - Values: each float in its shortest decimal form that reads back to the same float32
//   (as publish --format text), so a reader that splits on whitespace and parses floats gets
//   exactly the model's vectors.
// - What it cannot promise: there is no version and no atomic switch; keys are overwritten in
//   place, so while a publish runs a reader can see some items' new vectors next to others'
//   old ones (vectors of two models, or of two dimensions), and an item dropped from the model
//   keeps its old key until that key expires. The versioned layout (publisher.h) avoids both.
// Not thread-safe (one connection).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "common/status.h"
#include "tools/publish/publisher.h"

namespace item2vec {

struct SparrowLayoutOptions {
  std::string item_prefix = "i2vEmb";  // keys ITEM_PREFIX:ITEM
  std::string user_prefix = "uEmb";    // keys USER_PREFIX:USER
  std::int64_t ttl_seconds = 86400;    // EX of every key; 0 = no expiry
};

struct SparrowLayoutReport {
  std::int64_t items = 0, users = 0, dim = 0, keys_checked = 0;
  double seconds = 0;
};

// `options` gives the model, users, Redis address, batch, sample and timeout (its prefix,
// format and keep are the versioned layout's and are not used here).
Result<SparrowLayoutReport> PublishSparrowLayout(const PublishOptions& options, const SparrowLayoutOptions& layout,
                                                 const std::string& password, const std::string& password_source);

// "86400", "90s", "30m", "24h", "7d" to seconds; < 0 when unparsable.
std::int64_t ParseTtlSeconds(const std::string& text);

}  // namespace item2vec
