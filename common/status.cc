#include "common/status.h"

namespace item2vec {

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk: name = "OK"; break;
    case Code::kInvalidArgument: name = "invalid argument"; break;
    case Code::kNotFound: name = "not found"; break;
    case Code::kDataError: name = "bad input data"; break;
    case Code::kIOError: name = "I/O error"; break;
    case Code::kCorruption: name = "corruption"; break;
    case Code::kTimeout: name = "timeout"; break;
    case Code::kInternal: name = "internal error"; break;
    case Code::kInterrupted: name = "interrupted"; break;
  }
  if (message_.empty()) return name;
  return std::string(name) + ": " + message_;
}

int ExitCodeOf(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk: return 0;
    case Status::Code::kInvalidArgument: return 2;
    case Status::Code::kNotFound:
    case Status::Code::kDataError:
    case Status::Code::kCorruption: return 3;
    case Status::Code::kIOError: return 4;
    case Status::Code::kTimeout: return 5;
    case Status::Code::kInterrupted: return 75;
    case Status::Code::kInternal: return 1;
  }
  return 1;
}

}  // namespace item2vec
