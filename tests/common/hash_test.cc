// Tests of common/hash.h: both parameterisations give, bit for bit, the values of the code
// they replaced (golden values from it), since vocabulary fingerprints in checkpoints and
// prep's output order depend on them.
#include "common/hash.h"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "common/vocabulary.h"

namespace item2vec {
namespace {

struct Golden {
  const char* bytes;
  std::uint64_t vocabulary;  // HashBytes before common/hash.h
  std::uint64_t user;        // prep's UserHash before common/hash.h
};

constexpr Golden kGolden[] = {
    {"", 0xe36f5519ee926a53ull, 0xefd01f60ba992926ull},
    {"a", 0x6cd53dd3a3028c95ull, 0x82a2a958a9bece5bull},
    {"item_42", 0x38ef9d835a89682aull, 0xf31ca3df526563aeull},
    {"user-123456", 0x0c31603e4d70e7feull, 0xa866e6471adf2d96ull},
};

TEST(HashTest, VocabularyHashKeepsItsBasisAndOneRound) {
  for (const Golden& g : kGolden) {
    EXPECT_EQ(HashBytes(g.bytes), g.vocabulary) << "'" << g.bytes << "'";
    EXPECT_EQ(MurmurMix64(Fnv1a64(g.bytes, kVocabularyFnvBasis), 1), g.vocabulary);
  }
}

TEST(HashTest, StandardBasisWithFullFinaliser) {
  for (const Golden& g : kGolden) EXPECT_EQ(MurmurMix64(Fnv1a64(g.bytes)), g.user) << "'" << g.bytes << "'";
}

TEST(HashTest, Fnv1aIsTheReferenceAlgorithm) {
  // Published FNV-1a 64-bit test vectors.
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ull);
  // Bytes >= 0x80 are hashed as unsigned values.
  EXPECT_NE(Fnv1a64(std::string("\xff", 1)), Fnv1a64(std::string("\x7f", 1)));
}

}  // namespace
}  // namespace item2vec
