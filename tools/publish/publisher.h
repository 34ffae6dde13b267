// Publish: writes a model's vectors (and optionally users' vectors) to Redis as a new
// version of the lookup table, checks it, makes it live in one atomic step, and prunes.
//
// Contract (key layout in table_versions.h):
// 1. Loads the vectors (the model's vectors.bin, bit for bit) and the users file before
//    touching Redis, so bad input fails with nothing written: a damaged file, a dim that
//    differs, a name that appears twice in either table (one key per name).
// 2. Refuses a server whose maxmemory-policy evicts any key (allkeys-*), and takes the
//    prefix's lock (publish_lock.h): one publisher per prefix, a second one fails (exit 2)
//    naming the first. The lock is renewed while the publish runs.
// 3. Removes what failed runs left: partial versions (meta state "writing", not current)
//    and the keys of versions without meta.
// 4. Takes a new version from PREFIX:seq, writes its meta with state "writing" first,
//    then every key, pipelined with at most 2 x batch commands in flight.
// 5. Reads back up to `sample` keys spread over the table and compares them byte for byte
//    (a missing key names eviction when the server evicted keys meanwhile).
// 6. WATCH lock and current; MULTI / HSET meta state complete / SET PREFIX:current
//    VERSION / EXEC, only while this publisher holds the lock and only forward (current
//    older than VERSION): readers see the old version or the whole new one, never a mix.
// 7. Deletes the oldest complete versions beyond `keep` (the live one is always kept),
//    then releases the lock.
// Any failure before step 6 returns the server's error with PREFIX:current untouched.
// Progress (keys, keys/s, ETA) goes to *progress every 2 s. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/word2vec_format.h"
#include "model/model_loader.h"

namespace item2vec {

class RedisClient;

// Refuses (kInvalidArgument, exit 2) a server whose maxmemory-policy evicts keys of any kind
// (allkeys-*): it can drop parts of a live table. Sets *policy to the server's policy.
Status CheckNoEviction(RedisClient* redis, std::string* policy);

// Refuses (kDataError) a table with a name given twice: one key per name, or the table
// published is not the file. `path` names the file in the message.
Status CheckUniqueNames(const Embeddings& e, const std::string& path);

struct PublishOptions {
  std::string model;           // model directory (reads vectors.bin) or a word2vec vectors file
  std::string redis;           // HOST:PORT
  std::string prefix = "i2v";  // key prefix (see ValidatePrefix)
  std::string users;           // optional users file (word2vec text or .bin), from embed-users
  std::string format = "binary";  // value encoding: binary (float32 LE) or text (decimals)
  int keep = 2;                // complete versions kept, the new one included (>= 1)
  int batch = 1000;            // commands per pipelined batch
  int sample = 1000;           // keys read back and compared before the flip
  int timeout_ms = 30000;      // connect and per-reply timeout (>= 1)
};

// What a publish writes, read and checked before anything is: where Redis is (--redis), the
// model's item vectors (--model) and the users' (--users; without it `users` stays empty),
// with unique names and one dimension. check_table (may be empty) is a layout's own check of
// a table ("item" or "user", and its file), run first on each.
using TableCheck = std::function<Status(const Embeddings& table, const char* what, const std::string& path)>;
struct PublishInput {
  std::string host;
  int port = 0;
  ModelPaths paths;
  Embeddings items, users;
  std::vector<std::string> cold;  // the model's cold items (train --side-info), model/model_loader.h
};
Status ReadPublishInput(const PublishOptions& o, const TableCheck& check_table, PublishInput* input);
// Connects to input.host:input.port and refuses a server that evicts keys (CheckNoEviction).
Status ConnectForPublish(const PublishOptions& o, const PublishInput& input, const std::string& password,
                         const std::string& password_source, RedisClient* redis, std::string* policy);


struct PublishReport {
  std::int64_t version = 0, previous = 0;  // new live version; the one it replaced (0 = none)
  std::int64_t items = 0, users = 0, dim = 0, cold = 0;
  std::int64_t keys_written = 0, keys_checked = 0;
  std::vector<std::int64_t> removed_partial, pruned;
  std::int64_t keys_deleted = 0;
  double write_seconds = 0, total_seconds = 0;
};

// password: "" for none; password_source names where it came from (for messages).
Result<PublishReport> Publish(const PublishOptions& options, const std::string& password,
                              const std::string& password_source, std::ostream* progress);

// The value bytes of one vector in the given format ("binary" or "text").
void EncodeVector(const float* v, int dim, bool text, std::string* out);

}  // namespace item2vec
