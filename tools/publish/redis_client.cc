#include "tools/publish/redis_client.h"

#include <hiredis/hiredis.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

namespace item2vec {
namespace {

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

RedisClient::RedisClient() = default;
RedisClient::~RedisClient() {
  if (ctx_ != nullptr) redisFree(ctx_);
}
RedisClient::RedisClient(RedisClient&& o) noexcept
    : ctx_(std::exchange(o.ctx_, nullptr)), name_(std::move(o.name_)), pending_(o.pending_), broken_(o.broken_) {}
RedisClient& RedisClient::operator=(RedisClient&& o) noexcept {
  if (this != &o) {
    if (ctx_ != nullptr) redisFree(ctx_);
    ctx_ = std::exchange(o.ctx_, nullptr);
    name_ = std::move(o.name_);
    pending_ = o.pending_;
    broken_ = o.broken_;
  }
  return *this;
}

Status RedisClient::ConnectionError(const std::string& what) const {
  std::string detail = ctx_ != nullptr && ctx_->err != 0 ? std::string(ctx_->errstr) : "unknown error";
  if (ctx_ != nullptr && ctx_->err == REDIS_ERR_EOF) detail = "the server closed the connection";
  return Status::IOError(name_ + ": " + what + " failed: " + detail);
}

Status ParseRedisAddress(const std::string& text, std::string* host, int* port) {
  std::size_t colon = text.rfind(':');
  const auto bad = [&]() {
    return Status::InvalidArgument("--redis must be HOST:PORT (e.g. 127.0.0.1:6379), got '" + text + "'");
  };
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad();
  *host = text.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  char* end = nullptr;
  errno = 0;
  const long p = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (errno != 0 || *end != '\0' || p < 1 || p > 65535) return bad();
  *port = static_cast<int>(p);
  return Status::Ok();
}

Status RedisClient::Connect(const std::string& host, int port, const std::string& password,
                            const std::string& password_source, int timeout_ms) {
  name_ = "redis " + host + ":" + std::to_string(port);
  pending_ = 0;
  broken_ = false;
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  if (ctx_ != nullptr) redisFree(ctx_);
  ctx_ = redisConnectWithTimeout(host.c_str(), port, tv);
  if (ctx_ == nullptr) return Status::IOError(name_ + ": cannot allocate a connection");
  if (ctx_->err != 0) return Status::IOError(name_ + ": cannot connect: " + ctx_->errstr + " (is redis-server running there?)");
  if (redisSetTimeout(ctx_, tv) != REDIS_OK) return ConnectionError("setting the I/O timeout");
  if (!password.empty()) {
    Result<RedisReply> auth = Command({"AUTH", password});
    if (!auth.ok())
      return Status::InvalidArgument(name_ + " refused the password from " + password_source + ": " +
                                     auth.status().message());
  }
  Result<RedisReply> ping = Command({"PING"});
  if (!ping.ok()) {
    if (ping.status().message().find("NOAUTH") != std::string::npos)
      return Status::InvalidArgument(name_ + " needs a password: set REDISCLI_AUTH or pass --password-file (" +
                                     ping.status().message() + ")");
    return ping.status();
  }
  return Status::Ok();
}

Status RedisClient::Append(const std::vector<std::string_view>& args) {
  if (ctx_ == nullptr) return Status::Internal("RedisClient used before Connect");
  if (broken_) return ConnectionError("sending a command");
  argv_.clear();
  argvlen_.clear();
  for (std::string_view a : args) {
    argv_.push_back(a.data());
    argvlen_.push_back(a.size());
  }
  if (redisAppendCommandArgv(ctx_, static_cast<int>(args.size()), argv_.data(), argvlen_.data()) != REDIS_OK)
    return ConnectionError("queueing a command");
  ++pending_;
  return Status::Ok();
}

Result<RedisReply> RedisClient::ReadReply() {
  if (pending_ <= 0) return Status::Internal("RedisClient::ReadReply with no command in flight");
  if (broken_) return ConnectionError("waiting for a reply");
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
    broken_ = true;
    pending_ = 0;
    return ConnectionError("waiting for a reply");
  }
  --pending_;
  redisReply* r = static_cast<redisReply*>(raw);
  if (r->type == REDIS_REPLY_ERROR) {
    Status st = Status::IOError(name_ + " answered: " + std::string(r->str, r->len));
    freeReplyObject(r);
    return st;
  }
  RedisReply out = Convert(r);
  freeReplyObject(r);
  return out;
}

Status RedisClient::ReadReplies(std::int64_t n) {
  Status first;
  for (std::int64_t i = 0; i < n; ++i) {
    Result<RedisReply> r = ReadReply();
    if (!r.ok()) {
      if (broken_) return r.status();  // the connection is gone: nothing more to read
      if (first.ok()) first = r.status();
    }
  }
  return first;
}

Result<RedisReply> RedisClient::Command(const std::vector<std::string_view>& args) {
  ITEM2VEC_RETURN_IF_ERROR(ReadReplies(pending_));
  ITEM2VEC_RETURN_IF_ERROR(Append(args));
  return ReadReply();
}

Result<RedisReply> RedisClient::Command(std::initializer_list<std::string_view> args) {
  return Command(std::vector<std::string_view>(args));
}

}  // namespace item2vec
