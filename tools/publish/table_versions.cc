#include "tools/publish/table_versions.h"

#include <algorithm>
#include <cstdlib>

namespace item2vec {
namespace {

// Parses a decimal version; 0 when the text is not one.
std::int64_t ParseVersion(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::strtoll(text.c_str(), nullptr, 10);
}

// One SCAN pass over the keys matching pattern; calls visit(batch) per reply.
template <typename Visit>
Status ScanKeys(RedisClient* redis, const std::string& pattern, const KeepAlive& keep_alive, Visit visit) {
  std::string cursor = "0";
  do {
    if (keep_alive) ITEM2VEC_RETURN_IF_ERROR(keep_alive());
    Result<RedisReply> r = redis->Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!r.ok()) return r.status().WithContext("SCAN " + pattern);
    if (r->type != RedisReply::Type::kArray || r->elements.size() != 2 ||
        r->elements[1].type != RedisReply::Type::kArray)
      return Status::IOError(redis->name() + ": unexpected SCAN reply");
    cursor = r->elements[0].str;
    ITEM2VEC_RETURN_IF_ERROR(visit(r->elements[1].elements));
  } while (cursor != "0");
  return Status::Ok();
}

}  // namespace

Status ValidatePrefix(const std::string& prefix) {
  if (prefix.empty()) return Status::InvalidArgument("--prefix must not be empty");
  if (prefix.find_first_of(":*?[]\\ \t\r\n") != std::string::npos)
    return Status::InvalidArgument("--prefix '" + prefix +
                                   "' must not contain ':', '*', '?', '[', ']', '\\' or whitespace "
                                   "(keys are PREFIX:VERSION:...; use e.g. 'i2v' or 'shop_i2v')");
  return Status::Ok();
}

Result<std::vector<TableVersion>> ListVersions(RedisClient* redis, const std::string& prefix,
                                               const KeepAlive& keep_alive) {
  std::vector<TableVersion> out;
  Status st = ScanKeys(redis, prefix + ":*:meta", keep_alive, [&](const std::vector<RedisReply>& keys) {
    for (const RedisReply& k : keys) {
      const std::string middle = k.str.substr(prefix.size() + 1, k.str.size() - prefix.size() - 1 - 5);
      const std::int64_t v = ParseVersion(middle);
      if (v > 0) out.push_back({v, ""});
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::sort(out.begin(), out.end(), [](const TableVersion& a, const TableVersion& b) { return a.version < b.version; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const TableVersion& a, const TableVersion& b) { return a.version == b.version; }),
            out.end());
  for (TableVersion& v : out) {
    Result<RedisReply> state = redis->Command({"HGET", MetaKey(prefix, v.version), "state"});
    if (!state.ok()) return state.status();
    v.state = state->str;
  }
  return out;
}

Result<std::vector<std::int64_t>> ListVersionsWithoutMeta(RedisClient* redis, const std::string& prefix,
                                                          const KeepAlive& keep_alive) {
  std::vector<std::int64_t> with_keys;
  Status st = ScanKeys(redis, prefix + ":*:*", keep_alive, [&](const std::vector<RedisReply>& keys) {
    for (const RedisReply& k : keys) {
      const std::size_t colon = k.str.find(':', prefix.size() + 1);
      if (colon == std::string::npos) continue;
      const std::int64_t v = ParseVersion(k.str.substr(prefix.size() + 1, colon - prefix.size() - 1));
      if (v > 0) with_keys.push_back(v);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::sort(with_keys.begin(), with_keys.end());
  with_keys.erase(std::unique(with_keys.begin(), with_keys.end()), with_keys.end());
  std::vector<std::int64_t> out;
  for (std::int64_t v : with_keys) {
    Result<RedisReply> meta = redis->Command({"EXISTS", MetaKey(prefix, v)});
    if (!meta.ok()) return meta.status();
    if (meta->integer == 0) out.push_back(v);
  }
  return out;
}

Result<std::int64_t> CurrentVersion(RedisClient* redis, const std::string& prefix) {
  Result<RedisReply> r = redis->Command({"GET", CurrentKey(prefix)});
  if (!r.ok()) return r.status().WithContext("reading " + CurrentKey(prefix));
  if (r->type == RedisReply::Type::kNil) return std::int64_t{0};
  const std::int64_t v = ParseVersion(r->str);
  if (v == 0)
    return Status::DataError(redis->name() + ": " + CurrentKey(prefix) + " holds '" + r->str +
                             "', not a version number; was it written by another tool?");
  return v;
}

Status DeleteVersion(RedisClient* redis, const std::string& prefix, std::int64_t version, std::int64_t* deleted,
                     const KeepAlive& keep_alive) {
  const std::string meta = MetaKey(prefix, version);
  Status st = ScanKeys(redis, VersionKeyPrefix(prefix, version) + "*", keep_alive,
                       [&](const std::vector<RedisReply>& batch) {
    std::vector<std::string_view> args{"UNLINK"};
    for (const RedisReply& k : batch)
      if (k.str != meta) args.push_back(k.str);
    if (args.size() == 1) return Status::Ok();
    Result<RedisReply> r = redis->Command(args);
    if (!r.ok()) return r.status();
    *deleted += r->integer;
    return Status::Ok();
  });
  if (!st.ok()) return st.WithContext("deleting version " + std::to_string(version));
  Result<RedisReply> r = redis->Command({"UNLINK", meta});
  if (!r.ok()) return r.status().WithContext("deleting " + meta);
  *deleted += r->integer;
  return Status::Ok();
}

}  // namespace item2vec
