#include "tools/publish/publish_command.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/command.h"
#include "tools/publish/publish_options.h"
#include "tools/publish/publisher.h"
#include "tools/publish/sparrow_layout.h"

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
  return RunTableCommand(PublishCommand, PublishWithLayouts, args);
}

}  // namespace item2vec
