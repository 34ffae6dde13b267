#include "tools/publish/publish_command.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "common/command.h"
#include "tools/publish/publisher.h"
#include "tools/publish/sparrow_layout.h"

namespace po = boost::program_options;

namespace item2vec {
namespace {

// The password and where it came from: --password-file wins over REDISCLI_AUTH.
Status ReadPassword(const std::string& file, std::string* password, std::string* source) {
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::NotFound("cannot open --password-file '" + file + "'");
    std::getline(in, *password);
    if (!password->empty() && password->back() == '\r') password->pop_back();
    if (password->empty()) return Status::DataError("--password-file '" + file + "' has an empty first line");
    *source = "--password-file " + file;
    return Status::Ok();
  }
  if (const char* env = std::getenv("REDISCLI_AUTH"); env != nullptr && *env != '\0') {
    *password = env;
    *source = "REDISCLI_AUTH";
  }
  return Status::Ok();
}

std::string Join(const std::vector<std::int64_t>& v) {
  std::string s;
  for (std::int64_t x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s.empty() ? "none" : s;
}

// --layout sparrowrecsys: the course's keys, and their summary line.
Status PublishCourseLayout(const PublishOptions& o, const SparrowLayoutOptions& layout, const std::string& password,
                           const std::string& source) {
  Result<SparrowLayoutReport> r = PublishSparrowLayout(o, layout, password, source);
  if (!r.ok()) return r.status();
  std::cout << "published the sparrowrecsys layout: " << r->items << " items as " << layout.item_prefix << ":ITEM, "
            << r->users << " users as " << layout.user_prefix << ":USER, dim " << r->dim << ", "
            << (layout.ttl_seconds > 0 ? "expiring in " + std::to_string(layout.ttl_seconds) + " s" : std::string("no expiry"))
            << ", " << r->keys_checked << " read back ok, in " << r->seconds << "s\n";
  return Status::Ok();
}

// The versioned layout, and its summary line.
Status PublishVersioned(const PublishOptions& o, const std::string& password, const std::string& source) {
  Result<PublishReport> r = Publish(o, password, source, &std::cerr);
  if (!r.ok()) return r.status();
  const double rate = r->write_seconds > 0 ? static_cast<double>(r->keys_written) / r->write_seconds : 0;
  char line[512];
  std::snprintf(line, sizeof line,
                "published %s:%lld live (was %lld): %lld items, %lld users, dim %lld, %lld keys in %.2fs "
                "(%.0f keys/s), %lld read back ok; removed partial: %s; pruned: %s (%lld keys deleted); "
                "total %.2fs\n",
                o.prefix.c_str(), static_cast<long long>(r->version), static_cast<long long>(r->previous),
                static_cast<long long>(r->items), static_cast<long long>(r->users), static_cast<long long>(r->dim),
                static_cast<long long>(r->keys_written), r->write_seconds, rate,
                static_cast<long long>(r->keys_checked), Join(r->removed_partial).c_str(), Join(r->pruned).c_str(),
                static_cast<long long>(r->keys_deleted), r->total_seconds);
  std::cout << line;
  if (r->cold > 0)
    std::cout << r->cold << " of the items are cold (train --side-info: no events, vectors from their attributes): "
              << "the set " << o.prefix << ":" << r->version << ":cold, cold_items in the meta hash\n";
  std::cout << std::flush;
  return Status::Ok();
}

struct PublishCommandOptions {
  PublishOptions publish;
  SparrowLayoutOptions sparrow;
  std::string password_file, layout = "versioned", ttl = "24h";
};

Status PublishWithLayouts(PublishCommandOptions c) {
  const bool versioned = c.layout == "versioned" || c.layout == "versioned,sparrowrecsys";
  const bool course = c.layout == "sparrowrecsys" || c.layout == "versioned,sparrowrecsys";
  if (!versioned && !course)
    return Status::InvalidArgument("--layout must be versioned, sparrowrecsys or versioned,sparrowrecsys, got '" +
                                   c.layout + "'");
  c.sparrow.ttl_seconds = ParseTtlSeconds(c.ttl);
  if (c.sparrow.ttl_seconds < 0)
    return Status::InvalidArgument("--ttl must be seconds or a duration such as 30m, 24h, 7d (0 = none), got '" +
                                   c.ttl + "'");
  // A server that dies mid-write must come back as an error naming it, not kill this
  // process with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  std::string password, source;
  ITEM2VEC_RETURN_IF_ERROR(ReadPassword(c.password_file, &password, &source));
  if (versioned) ITEM2VEC_RETURN_IF_ERROR(PublishVersioned(c.publish, password, source));
  return course ? PublishCourseLayout(c.publish, c.sparrow, password, source) : Status::Ok();
}

}  // namespace

int RunPublishCommand(const std::vector<std::string>& args) {
  PublishCommandOptions c;
  Command command("publish",
                  "Usage: item2vec publish --model DIR --redis HOST:PORT [--prefix i2v] [--users users.vec] [--keep 2]\n"
                  "                        [--layout versioned|sparrowrecsys|versioned,sparrowrecsys] [--ttl 24h]\n\n"
                  "Writes the lookup table to Redis as a new version: every item's vector (and user's with\n"
                  "--users), pipelined; reads back a sample and compares it byte for byte; then makes the\n"
                  "version live by setting PREFIX:current in one transaction, and deletes versions beyond\n"
                  "--keep. If Redis fails or refuses anything before that, the command fails with the\n"
                  "server's error and PREFIX:current still names the old version; the next publish removes\n"
                  "the partial one. One publisher per prefix: a second one fails (exit 2) naming the first\n"
                  "(the lock PREFIX:lock). Refused before anything is written: a name that appears twice,\n"
                  "a server whose maxmemory-policy evicts keys (allkeys-*).\n\n"
                  "--layout sparrowrecsys writes instead (versioned,sparrowrecsys: also) the keys the online\n"
                  "service of the SparrowRecSys course reads: i2vEmb:ITEM and uEmb:USER, each the floats of the\n"
                  "vector separated by single spaces, every key expiring after --ttl (24h). It cannot promise\n"
                  "what the versioned layout does: there is no version and no switch, so while a publish runs a\n"
                  "reader may see old and new keys mixed (some items from the new model, others from the old\n"
                  "one), and items dropped from the model stay until their keys expire. The versioned layout\n"
                  "avoids both: readers read PREFIX:current, then only keys of that version, which went live\n"
                  "whole in one transaction. Ids containing ':' or whitespace are refused in that layout.\n\n");
  command.options.add_options()
      ("model,m", po::value(&c.publish.model),
       "model directory written by item2vec train (reads DIR/vectors.bin, whose bits are published "
       "as they are) or a word2vec vectors file (required)")
      ("redis", po::value(&c.publish.redis), "the Redis server, HOST:PORT (required)")
      ("prefix", po::value(&c.publish.prefix)->default_value(c.publish.prefix),
       "key prefix: keys are PREFIX:VERSION:i:ITEM, PREFIX:VERSION:u:USER, PREFIX:VERSION:meta, PREFIX:current")
      ("users", po::value(&c.publish.users), "also publish user vectors from this file (written by item2vec embed-users)")
      ("format", po::value(&c.publish.format)->default_value(c.publish.format),
       "value encoding: binary = dim little-endian float32 (4*dim bytes); text = space-separated "
       "decimals that read back to the same floats")
      ("keep", po::value(&c.publish.keep)->default_value(c.publish.keep),
       "complete versions to keep, the new live one included; older ones are deleted")
      ("password-file", po::value(&c.password_file),
       "file whose first line is the Redis password (default: the REDISCLI_AUTH environment variable, "
       "as redis-cli; never pass a password on the command line)")
      ("batch", po::value(&c.publish.batch)->default_value(c.publish.batch), "commands per pipelined batch (2 batches in flight)")
      ("sample", po::value(&c.publish.sample)->default_value(c.publish.sample), "keys per table read back and compared before the flip")
      ("timeout-ms", po::value(&c.publish.timeout_ms)->default_value(c.publish.timeout_ms),
       "milliseconds to wait for Redis to connect and for each reply (at least 1)")
      ("layout", po::value(&c.layout)->default_value(c.layout),
       "versioned (the layout above), sparrowrecsys (the course's: what SparrowRecSys's online service "
       "reads, ITEM_PREFIX:ITEM and USER_PREFIX:USER holding the floats separated by single spaces, "
       "every key with --ttl), or versioned,sparrowrecsys (both, the versioned one first). What "
       "sparrowrecsys cannot promise: it has no version and no atomic switch, keys are overwritten in "
       "place, so during a publish a reader may see old and new keys mixed (vectors of two models, "
       "even of two sizes), and an item dropped from the model keeps its old key until it expires. "
       "The versioned layout avoids both: a reader reads PREFIX:current once, then keys of that "
       "version only, and a version goes live whole, in one transaction")
      ("ttl", po::value(&c.ttl)->default_value(c.ttl),
       "with sparrowrecsys: expiry of every key (seconds, or 30m, 24h, 7d; 0 = none), so items the "
       "model dropped disappear; publish again within it")
      ("sparrow-item-prefix", po::value(&c.sparrow.item_prefix)->default_value(c.sparrow.item_prefix),
       "with sparrowrecsys: the item keys' prefix (SparrowRecSys reads i2vEmb)")
      ("sparrow-user-prefix", po::value(&c.sparrow.user_prefix)->default_value(c.sparrow.user_prefix),
       "with sparrowrecsys: the user keys' prefix (SparrowRecSys reads uEmb)");
  command.required = {{"model", "a model directory or a vectors file"}, {"redis", "the Redis server, HOST:PORT"}};
  return RunCommand(command, args, [&] { return PublishWithLayouts(c); });
}

}  // namespace item2vec
