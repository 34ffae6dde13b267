// Tests of job/vocabulary_build.h: the count of items that are not valid UTF-8 or hold NUL.
#include "job/vocabulary_build.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

TEST(VocabularyBuildTest, Utf8Validity) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff\xfe"));
  EXPECT_FALSE(IsValidUtf8("\xc3\x28"));          // bad continuation
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // cut short
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
}

TEST(VocabularyBuildTest, OddItemsAreCountedWithAnEscapedExample) {
  const Vocabulary vocab = Vocabulary::FromSorted(
      {"ok", std::string("nul\0x", 5), "\xff\xfeitem", "caf\xc3\xa9", "\xc3\x28"}, {5, 4, 3, 2, 1});
  const OddItems odd = CountOddItems(vocab);
  EXPECT_EQ(odd.invalid_utf8, 2);
  EXPECT_EQ(odd.with_nul, 1);
  EXPECT_EQ(odd.example, "nul\\x00x");
  EXPECT_EQ(CountOddItems(Vocabulary::FromSorted({"a", "b"}, {2, 1})).invalid_utf8, 0);
}

}  // namespace
}  // namespace item2vec
