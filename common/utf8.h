// UTF-8 checks and conversion for text from outside: item ids (the vocabulary warns about
// ids that are not UTF-8) and titles (`similar --names` converts latin-1 files).
//
// Contract: IsValidUtf8 accepts exactly the well-formed UTF-8 of RFC 3629 (no overlong
// forms, no surrogates, nothing beyond U+10FFFF); Latin1ToUtf8 maps each byte to the code
// point of the same value (ISO-8859-1), bytes >= 0x80 becoming two bytes. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace item2vec {

bool IsValidUtf8(std::string_view s);
std::string Latin1ToUtf8(std::string_view s);

}  // namespace item2vec
