#include "common/json_reader.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace item2vec {

namespace {

const JsonValue& NullValue() {
  static const JsonValue null;
  return null;
}

void AppendUtf8(std::uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

// Recursive descent over the text; every Parse* leaves pos_ after what it read.
class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  Result<JsonValue> Document() {
    JsonValue v;
    if (Status st = Value(&v, 0); !st.ok()) return st;
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the value");
    return v;
  }

 private:
  Status Error(const std::string& what) const {
    return Status::DataError("invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status Value(JsonValue* v, int depth) {
    if (depth > JsonValue::kMaxDepth) return Error("nested deeper than " + std::to_string(JsonValue::kMaxDepth));
    SkipSpace();
    if (pos_ >= text_.size()) return Error("a value was expected, the text ended");
    const char c = text_[pos_];
    if (c == '{') return Object(v, depth);
    if (c == '[') return Array(v, depth);
    if (c == '"') {
      v->type_ = JsonValue::Type::kString;
      return String(&v->string_);
    }
    if (Literal("true")) {
      v->type_ = JsonValue::Type::kBool;
      v->bool_ = true;
      return Status::Ok();
    }
    if (Literal("false")) {
      v->type_ = JsonValue::Type::kBool;
      return Status::Ok();
    }
    if (Literal("null")) return Status::Ok();
    return Number(v);
  }

  Status Number(JsonValue* v) {
    const std::size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ > from;
    };
    if (!digits()) return Error("a value was expected");
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digits()) return Error("digits expected after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) return Error("digits expected in the exponent");
    }
    // strtod on a bounded copy: from_chars for double is not in every libstdc++ we build with.
    const std::string number(text_.substr(start, pos_ - start));
    v->type_ = JsonValue::Type::kNumber;
    v->number_ = std::strtod(number.c_str(), nullptr);
    return Status::Ok();
  }

  Status Hex4(std::uint32_t* out) {
    if (pos_ + 4 > text_.size()) return Error("\\u needs four hex digits");
    std::uint32_t cp = 0;
    const auto r = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, cp, 16);
    if (r.ptr != text_.data() + pos_ + 4) return Error("\\u needs four hex digits");
    pos_ += 4;
    *out = cp;
    return Status::Ok();
  }

  Status String(std::string* out) {
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= text_.size()) return Error("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return Status::Ok();
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in a string");
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return Error("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': out->push_back(e); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          std::uint32_t cp = 0;
          if (Status st = Hex4(&cp); !st.ok()) return st;
          if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            std::uint32_t low = 0;
            if (Status st = Hex4(&low); !st.ok()) return st;
            if (low < 0xDC00 || low >= 0xE000) return Error("a high surrogate must be followed by a low one");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default: return Error(std::string("unknown escape \\") + e);
      }
    }
  }

  // Steps over a container's opening bracket and the space after it, typing v; true when the
  // container is empty (`close` follows, and is consumed).
  bool Open(JsonValue* v, JsonValue::Type type, std::string_view close) {
    ++pos_;
    v->type_ = type;
    SkipSpace();
    return Literal(close);
  }

  Status Array(JsonValue* v, int depth) {
    if (Open(v, JsonValue::Type::kArray, "]")) return Status::Ok();
    while (true) {
      v->items_.emplace_back();
      if (Status st = Value(&v->items_.back(), depth + 1); !st.ok()) return st;
      SkipSpace();
      if (Literal(",")) continue;
      if (Literal("]")) return Status::Ok();
      return Error("',' or ']' expected in an array");
    }
  }

  Status Object(JsonValue* v, int depth) {
    if (Open(v, JsonValue::Type::kObject, "}")) return Status::Ok();
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Error("a member name (a string) was expected");
      v->members_.emplace_back();
      if (Status st = String(&v->members_.back().first); !st.ok()) return st;
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Error("':' expected after a member name");
      ++pos_;
      if (Status st = Value(&v->members_.back().second, depth + 1); !st.ok()) return st;
      SkipSpace();
      if (Literal(",")) continue;
      if (Literal("}")) return Status::Ok();
      return Error("',' or '}' expected in an object");
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

const JsonValue& JsonValue::operator[](std::string_view key) const {
  for (const auto& [name, value] : members_)
    if (name == key) return value;
  return NullValue();
}

const JsonValue& JsonValue::operator[](std::size_t i) const {
  return i < items_.size() ? items_[i] : NullValue();
}

bool JsonValue::has(std::string_view key) const {
  for (const auto& member : members_)
    if (member.first == key) return true;
  return false;
}

std::int64_t JsonValue::integer(std::int64_t fallback) const {
  if (!is_number() || !std::isfinite(number_)) return fallback;
  return static_cast<std::int64_t>(std::llround(number_));
}

Result<JsonValue> ParseJson(std::string_view text) { return JsonParser(text).Document(); }

Result<JsonValue> ReadJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("reading '" + path + "' failed");
  Result<JsonValue> v = ParseJson(text.str());
  if (!v.ok()) return v.status().WithContext(path);
  return v;
}

}  // namespace item2vec
