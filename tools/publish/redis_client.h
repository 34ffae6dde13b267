// RedisClient: one blocking hiredis connection with pipelining, errors as Status values.
//
// Contract:
// - Connect() opens a TCP connection with a connect and I/O timeout, sends AUTH when a
//   password is given and PING, and names the server ("redis HOST:PORT") in every error.
//   A refused password, a server that wants one and got none, a closed connection and an
//   error reply all come back as non-OK Status with the server's own message.
// - Command() sends one command and waits for its reply.
// - Append() queues a command without waiting; ReadReplies(n) reads the n oldest queued
//   replies in order and fails on the first error reply (the rest are still drained, so
//   the connection stays in step). The caller bounds how many commands are in flight.
// - Arguments are binary-safe byte strings (std::string_view), copied by hiredis into its
//   output buffer at Append(); the caller's memory may change right after.
// - Owns its redisContext; movable, not copyable; not thread-safe (one per thread).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct redisContext;

namespace item2vec {

// One reply, converted from hiredis' redisReply.
struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError } type = Type::kNil;
  std::string str;        // kString, kStatus, kError (only inside an array, e.g. EXEC's)
  long long integer = 0;  // kInteger
  std::vector<RedisReply> elements;  // kArray
};

class RedisClient {
 public:
  RedisClient();
  ~RedisClient();
  RedisClient(RedisClient&&) noexcept;
  RedisClient& operator=(RedisClient&&) noexcept;
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // host:port, e.g. "127.0.0.1:6379". password empty = no AUTH; password_source names
  // where it came from for the error message ("REDISCLI_AUTH", "--password-file F").
  Status Connect(const std::string& host, int port, const std::string& password,
                 const std::string& password_source, int timeout_ms = 30000);

  Result<RedisReply> Command(std::initializer_list<std::string_view> args);
  Result<RedisReply> Command(const std::vector<std::string_view>& args);

  Status Append(const std::vector<std::string_view>& args);
  // Reads the n oldest outstanding replies; their values are dropped.
  Status ReadReplies(std::int64_t n);
  // Reads one outstanding reply and returns it.
  Result<RedisReply> ReadReply();

  std::int64_t pending() const { return pending_; }
  const std::string& name() const { return name_; }

 private:
  Status ConnectionError(const std::string& what) const;
  redisContext* ctx_ = nullptr;
  std::string name_;
  std::int64_t pending_ = 0;
  bool broken_ = false;  // a connection error: nothing more can be read or sent
  std::vector<const char*> argv_;
  std::vector<std::size_t> argvlen_;
};

// Splits "HOST:PORT" (PORT 1..65535). IPv6 literals go in brackets: "[::1]:6379".
Status ParseRedisAddress(const std::string& text, std::string* host, int* port);

}  // namespace item2vec
