// JsonWriter: builds a compact JSON document by appending to a string.
//
// Contract: the caller pairs Begin/End calls and puts Key() before each value inside an
// object; the writer inserts commas. Strings are escaped (control bytes as \u00XX; bytes
// >= 0x80 pass through, so non-UTF-8 item names stay byte-exact). Non-finite doubles are
// written as null. Not thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace item2vec {

class JsonWriter {
 public:
  JsonWriter& BeginObject() { Prefix(); out_ += '{'; first_.push_back(true); return *this; }
  JsonWriter& EndObject() { out_ += '}'; first_.pop_back(); return *this; }
  JsonWriter& BeginArray() { Prefix(); out_ += '['; first_.push_back(true); return *this; }
  JsonWriter& EndArray() { out_ += ']'; first_.pop_back(); return *this; }
  JsonWriter& Key(const std::string& key);
  JsonWriter& String(const std::string& value);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  // Key(name).Int(value) for each field, in order: a summary's counters in one call.
  JsonWriter& Ints(std::initializer_list<std::pair<const char*, std::int64_t>> fields) {
    for (const auto& [name, value] : fields) Key(name).Int(value);
    return *this;
  }
  // A whole array of strings / of integers.
  JsonWriter& StringArray(const std::vector<std::string>& values);
  JsonWriter& IntArray(const std::vector<int>& values);
  // Inserts an already-serialised JSON value verbatim.
  JsonWriter& Raw(const std::string& json);
  const std::string& str() const { return out_; }

  static std::string Escape(const std::string& s);

 private:
  void Prefix();
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace item2vec
