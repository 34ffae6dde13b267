// Status and Result<T>: errors as values inside the library.
//
// Contract: every fallible function below the command-line edge returns a Status or a
// Result<T>. The command-line edge (tools/main.cc) turns a non-OK Status into one log
// line and the process exit code given by ExitCodeOf(). Status is cheap to copy when OK
// (an enum and an empty string). Not thread-safe to mutate; safe to copy across threads.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace item2vec {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // a bad option or option combination (exit 2)
    kNotFound,         // input that does not exist (exit 3)
    kDataError,        // input that exists but cannot be used (exit 3)
    kIOError,          // reading or writing failed (exit 4)
    kCorruption,       // a file failed its checksum or format check (exit 3)
    kTimeout,          // a peer did not answer in time (exit 5)
    kInternal,         // a bug or an unexpected MPI error (exit 1)
    kInterrupted,      // stopped by a signal after saving state (exit 75)
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Make(Code code, std::string m) { return Status(code, std::move(m)); }
  static Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status DataError(std::string m) { return Status(Code::kDataError, std::move(m)); }
  static Status IOError(std::string m) { return Status(Code::kIOError, std::move(m)); }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status Timeout(std::string m) { return Status(Code::kTimeout, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }
  static Status Interrupted(std::string m) { return Status(Code::kInterrupted, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Prepends context, e.g. Status::IOError("x").WithContext("writing vectors.bin").
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// The process exit code for a status: 0 ok, 1 internal, 2 usage, 3 input, 4 output I/O,
// 5 a peer timed out, 75 (EX_TEMPFAIL) interrupted after a checkpoint.
int ExitCodeOf(const Status& status);

// Result<T>: a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}              // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}      // NOLINT: implicit by design
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace item2vec

#define ITEM2VEC_RETURN_IF_ERROR(expr)          \
  do {                                          \
    ::item2vec::Status _st = (expr);            \
    if (!_st.ok()) return _st;                  \
  } while (0)
