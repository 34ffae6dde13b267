#include "common/json_writer.h"

#include <cmath>
#include <cstdio>

namespace item2vec {

void JsonWriter::Prefix() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
}

std::string JsonWriter::Escape(const std::string& s) {
  std::string r;
  r.reserve(s.size() + 2);
  r += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': r += "\\\""; break;
      case '\\': r += "\\\\"; break;
      case '\n': r += "\\n"; break;
      case '\r': r += "\\r"; break;
      case '\t': r += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          r += buf;
        } else {
          r += static_cast<char>(c);
        }
    }
  }
  r += '"';
  return r;
}

JsonWriter& JsonWriter::Key(const std::string& key) {
  Prefix();
  out_ += Escape(key);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(const std::string& value) { Prefix(); out_ += Escape(value); return *this; }
JsonWriter& JsonWriter::Int(std::int64_t value) { Prefix(); out_ += std::to_string(value); return *this; }
JsonWriter& JsonWriter::Bool(bool value) { Prefix(); out_ += value ? "true" : "false"; return *this; }
JsonWriter& JsonWriter::Raw(const std::string& json) { Prefix(); out_ += json; return *this; }

JsonWriter& JsonWriter::StringArray(const std::vector<std::string>& values) {
  BeginArray();
  for (const std::string& v : values) String(v);
  return EndArray();
}

JsonWriter& JsonWriter::IntArray(const std::vector<int>& values) {
  BeginArray();
  for (int v : values) Int(v);
  return EndArray();
}

JsonWriter& JsonWriter::Double(double value) {
  Prefix();
  if (!std::isfinite(value)) {
    out_ += "null";
  } else {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", value);
    out_ += buf;
  }
  return *this;
}

}  // namespace item2vec
