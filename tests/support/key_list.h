// KeyListOf: a key list as a worker sends it to a server, [KeyListHeader][in keys][out keys]
// (ps/protocol.h), for the tests that play a worker against the request handler or a server
// session. Test-only; pure.
#pragma once

#include <cstdint>
#include <vector>

#include "common/types.h"
#include "ps/protocol.h"

namespace item2vec::testing {

inline std::vector<std::uint32_t> KeyListOf(const std::vector<ItemId>& in, const std::vector<ItemId>& out,
                                            std::uint64_t batch_id = 1) {
  std::vector<std::uint32_t> words(protocol::kHeaderWords);
  protocol::WriteKeyListHeader(words.data(), batch_id, in.size(), out.size());
  words.insert(words.end(), in.begin(), in.end());
  words.insert(words.end(), out.begin(), out.end());
  return words;
}

}  // namespace item2vec::testing
