// JsonValue and ParseJson: reads a small JSON document (train.json, eval's --json report, a
// line of the nightly history) into a tree of values, the counterpart of json_writer.h.
//
// Contract:
// - ParseJson accepts one RFC 8259 value surrounded by optional whitespace. Numbers are held
//   as double. "\uXXXX" escapes become UTF-8 (a surrogate pair one code point); any other
//   byte, including bytes >= 0x80 that are not valid UTF-8, is kept as it is, so names that
//   JsonWriter wrote byte-exact read back byte-exact. Nesting deeper than kMaxDepth, trailing
//   text, and any syntax error fail with kDataError naming the byte offset.
// - Lookups never throw: a missing key, an index out of range or a value of another type
//   gives the shared null value (or the fallback passed), so a reader of an older file
//   without some field simply sees null there. Object keys keep their file order; a repeated
//   key finds its first occurrence.
// - A JsonValue owns its children; it is immutable after parsing and safe to read from many
//   threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace item2vec {

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  static constexpr int kMaxDepth = 64;

  JsonValue() = default;
  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Member `key` of an object (null when absent or not an object).
  const JsonValue& operator[](std::string_view key) const;
  // Element i of an array (null when out of range or not an array).
  const JsonValue& operator[](std::size_t i) const;
  bool has(std::string_view key) const;
  // Elements of an array or members of an object; 0 otherwise.
  std::size_t size() const { return is_object() ? members_.size() : items_.size(); }

  double number(double fallback = 0) const { return is_number() ? number_ : fallback; }
  std::int64_t integer(std::int64_t fallback = 0) const;
  bool boolean(bool fallback = false) const { return type_ == Type::kBool ? bool_ : fallback; }
  // The string ("" when not a string).
  const std::string& string() const { return string_; }
  const std::vector<JsonValue>& items() const { return items_; }
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }

 private:
  friend class JsonParser;
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

Result<JsonValue> ParseJson(std::string_view text);

// Reads and parses a whole file; kNotFound when it cannot be opened, errors name the path.
Result<JsonValue> ReadJsonFile(const std::string& path);

}  // namespace item2vec
