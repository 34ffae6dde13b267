// Tests of common/huge_pages.h: large blocks are 2 MiB aligned (so the kernel can map them with
// huge pages), small ones come from the ordinary heap, and the vector behaves as a std::vector
// (values kept across growth and copies). Whether the kernel actually gives huge pages depends on
// its transparent-huge-page setting, so the test checks what the allocator controls.
#include "common/huge_pages.h"

#include <cstdint>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

TEST(HugePagesTest, LargeBlocksAreAlignedToHugePages) {
  HugePageVector<float> big(3 * kHugePageBytes / sizeof(float) + 5, 1.5f);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(big.data()) % kHugePageBytes, 0u);
  EXPECT_EQ(big.back(), 1.5f);
  HugePageVector<float> small(100, 2.0f);
  EXPECT_EQ(small[99], 2.0f);
}

TEST(HugePagesTest, BehavesAsAVector) {
  HugePageVector<std::uint32_t> v;
  for (std::uint32_t i = 0; i < 1u << 20; ++i) v.push_back(i * 7u);  // grows through both sizes
  const HugePageVector<std::uint32_t> copy = v;
  ASSERT_EQ(copy.size(), std::size_t{1} << 20);
  for (std::uint32_t i = 0; i < 1u << 20; i += 4099) EXPECT_EQ(copy[i], i * 7u);
  v.assign(10, 3u);
  EXPECT_EQ(v.size(), 10u);
  EXPECT_EQ(v[9], 3u);
}

}  // namespace
}  // namespace item2vec
