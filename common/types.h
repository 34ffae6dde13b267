// Basic value types shared by every component.
//
// ItemId: a dense vocabulary index, 0 = most frequent item. 32 bits keeps key lists and
// index arrays small on the hot path; a vocabulary is capped at kMaxVocabulary items
// (more than fits in any server's memory at useful dimensions). Counts, token totals and
// byte offsets are always 64-bit.
#pragma once

#include <cstdint>

namespace item2vec {

using ItemId = std::uint32_t;
using Count = std::int64_t;
inline constexpr Count kMaxVocabulary = 0x7fffffff;

}  // namespace item2vec
