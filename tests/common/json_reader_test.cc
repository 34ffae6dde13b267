// Tests of common/json_reader.h: every value type, escapes, what JsonWriter writes reads back
// (non-UTF-8 bytes included), missing members as null, and syntax errors with their offset.
#include "common/json_reader.h"

#include <string>

#include <gtest/gtest.h>

#include "common/json_writer.h"
#include "tests/support/test_util.h"

namespace item2vec {
namespace {

TEST(JsonReaderTest, ReadsEveryType) {
  Result<JsonValue> v = ParseJson(R"( {"a": 1, "b": -2.5e3, "c": "x", "d": [true, false, null], "e": {}, "f": []} )");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->is_object());
  EXPECT_EQ(v->size(), 6u);
  EXPECT_EQ((*v)["a"].integer(), 1);
  EXPECT_DOUBLE_EQ((*v)["b"].number(), -2500.0);
  EXPECT_EQ((*v)["c"].string(), "x");
  ASSERT_EQ((*v)["d"].size(), 3u);
  EXPECT_TRUE((*v)["d"][0].boolean());
  EXPECT_FALSE((*v)["d"][1].boolean(true));
  EXPECT_TRUE((*v)["d"][2].is_null());
  EXPECT_TRUE((*v)["e"].is_object());
  EXPECT_TRUE((*v)["f"].is_array());
  EXPECT_EQ(v->members()[2].first, "c");  // file order
}

TEST(JsonReaderTest, MissingOrMistypedLookupsAreNullOrTheFallback) {
  Result<JsonValue> v = ParseJson(R"({"a": "text", "n": [1]})");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE((*v)["nope"].is_null());
  EXPECT_TRUE((*v)["nope"]["deeper"][3].is_null());
  EXPECT_EQ((*v)["a"].number(7), 7);
  EXPECT_EQ((*v)["n"][5].integer(-1), -1);
  EXPECT_EQ((*v)["n"].string(), "");
  EXPECT_FALSE(v->has("nope"));
  EXPECT_TRUE(v->has("n"));
}

TEST(JsonReaderTest, EscapesAndWhatJsonWriterWrites) {
  Result<JsonValue> v = ParseJson(R"(["a\"b\\c\/\n\t", "\u00e9\u20ac", "\ud83d\ude00"])");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)[0].string(), "a\"b\\c/\n\t");
  EXPECT_EQ((*v)[1].string(), "\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ((*v)[2].string(), "\xF0\x9F\x98\x80");
  // Bytes that are not UTF-8 and control bytes survive a round trip through JsonWriter.
  const std::string odd = std::string("caf\xE9 \x01 x", 8);
  JsonWriter w;
  w.BeginObject().Key(odd).String(odd).Key("x").Double(0.1).Key("i").Int(-42).EndObject();
  Result<JsonValue> back = ParseJson(w.str());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)[odd].string(), odd);
  EXPECT_DOUBLE_EQ((*back)["x"].number(), 0.1);
  EXPECT_EQ((*back)["i"].integer(), -42);
}

TEST(JsonReaderTest, SyntaxErrorsNameTheOffset) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "\"open", "01x", "[1] 2", "tru", "-",
                          "1.", "1e", "\"\\x\"", "\"\\u12\"", "\"a\nb\"", "{1: 2}"}) {
    Result<JsonValue> v = ParseJson(bad);
    ASSERT_FALSE(v.ok()) << "accepted: " << bad;
    EXPECT_EQ(v.status().code(), Status::Code::kDataError);
    EXPECT_NE(v.status().message().find("at byte"), std::string::npos) << v.status().message();
  }
  std::string deep(JsonValue::kMaxDepth + 2, '[');
  deep += std::string(JsonValue::kMaxDepth + 2, ']');
  EXPECT_FALSE(ParseJson(deep).ok());
}

TEST(JsonReaderTest, ReadsFilesAndNamesThem) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("t.json"), "{\"vocab_size\": 3}\n");
  Result<JsonValue> v = ReadJsonFile(dir.File("t.json"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)["vocab_size"].integer(), 3);
  EXPECT_EQ(ReadJsonFile(dir.File("missing.json")).status().code(), Status::Code::kNotFound);
  testing::WriteFile(dir.File("bad.json"), "{\"a\": }");
  Result<JsonValue> bad = ReadJsonFile(dir.File("bad.json"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.json"), std::string::npos);
}

}  // namespace
}  // namespace item2vec
