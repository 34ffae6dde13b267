// Text escaped for the formats our pages and reports are written in.
//
// Contract: pure functions. EscapeXml makes text safe inside XML/HTML text and attribute
// values: & < > " ' become entities, and control bytes other than tab and newline (not
// allowed in XML) become spaces.
#pragma once

#include <string>
#include <string_view>

namespace item2vec {

std::string EscapeXml(std::string_view text);

}  // namespace item2vec
