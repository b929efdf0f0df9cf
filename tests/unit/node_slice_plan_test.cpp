#include "node/slice_plan.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "node/peer_accounting.hpp"

namespace cascade::node {
namespace {

std::vector<PieceRange> all_slices(int num_pieces, std::uint32_t count) {
  std::vector<PieceRange> slices;
  for (std::uint32_t index = 0; index < count; ++index) {
    slices.push_back(slice_range(num_pieces, index, count));
  }
  return slices;
}

struct SliceCase {
  int num_pieces;
  std::uint32_t count;
};

const SliceCase kCases[] = {{261, 1}, {261, 2}, {261, 3}, {261, 7}, {1024, 3},
                            {2, 3},   {1, 2},   {0, 3},   {100, 100}};

TEST(SliceRange, SharesAreContiguous) {
  for (const auto& [num_pieces, count] : kCases) {
    const auto slices = all_slices(num_pieces, count);
    EXPECT_EQ(slices.front().begin, 0) << num_pieces << " over " << count;
    for (std::size_t i = 1; i < slices.size(); ++i) {
      // Each share starts where the previous one ends: no gap, no overlap.
      EXPECT_EQ(slices[i].begin, slices[i - 1].end) << num_pieces << " over " << count;
    }
    EXPECT_EQ(slices.back().end, num_pieces) << num_pieces << " over " << count;
  }
}

TEST(SliceRange, EveryPieceInExactlyOneShare) {
  for (const auto& [num_pieces, count] : kCases) {
    const auto slices = all_slices(num_pieces, count);
    for (int piece = 0; piece < num_pieces; ++piece) {
      const auto owners = std::count_if(slices.begin(), slices.end(),
                                        [&](const PieceRange& range) { return range.contains(piece); });
      EXPECT_EQ(owners, 1) << "piece " << piece << " of " << num_pieces << " over " << count;
    }
  }
}

TEST(SliceRange, SizesDifferByAtMostOne) {
  for (const auto& [num_pieces, count] : kCases) {
    const auto slices = all_slices(num_pieces, count);
    const auto [smallest, largest] = std::minmax_element(
        slices.begin(), slices.end(),
        [](const PieceRange& a, const PieceRange& b) { return a.size() < b.size(); });
    EXPECT_LE(largest->size() - smallest->size(), 1) << num_pieces << " over " << count;
  }
}

TEST(SliceRange, SplitsOddCountInTwo) {
  const auto first = slice_range(261, 0, 2);
  const auto second = slice_range(261, 1, 2);
  EXPECT_EQ(first.begin, 0);
  EXPECT_EQ(first.end, 130);
  EXPECT_EQ(second.begin, 130);
  EXPECT_EQ(second.end, 261);
}

TEST(SliceRange, SplitsEvenlyInThree) {
  for (std::uint32_t index = 0; index < 3; ++index) {
    EXPECT_EQ(slice_range(261, index, 3).size(), 87) << index;
  }
}

TEST(SliceRange, ZeroCountMeansWholeRange) {
  const auto range = slice_range(261, 0, 0);
  EXPECT_EQ(range.begin, 0);
  EXPECT_EQ(range.end, 261);
}

TEST(SliceRange, IndexPastCountIsClamped) {
  const auto last = slice_range(261, 2, 3);
  const auto clamped = slice_range(261, 5, 3);
  EXPECT_EQ(clamped.begin, last.begin);
  EXPECT_EQ(clamped.end, last.end);
}

TEST(SliceRange, ContainsIsHalfOpen) {
  const PieceRange range{10, 20};
  EXPECT_FALSE(range.contains(9));
  EXPECT_TRUE(range.contains(10));
  EXPECT_TRUE(range.contains(19));
  EXPECT_FALSE(range.contains(20));
}

TEST(PeerAccounting, StartsEmpty) {
  PeerAccounting accounting;
  EXPECT_TRUE(accounting.bytes_by_address().empty());
  EXPECT_EQ(accounting.origin_bytes(), 0u);
}

TEST(PeerAccounting, SumsBytesPerAddress) {
  PeerAccounting accounting;
  accounting.add("10.0.0.1", 100, false);
  accounting.add("10.0.0.2", 40, false);
  accounting.add("10.0.0.1", 25, false);

  const auto& peers = accounting.bytes_by_address();
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers.at("10.0.0.1"), 125u);
  EXPECT_EQ(peers.at("10.0.0.2"), 40u);
}

TEST(PeerAccounting, CountsOriginApart) {
  PeerAccounting accounting;
  accounting.add("192.0.2.10", 300, true);
  accounting.add("10.0.0.1", 50, false);
  accounting.add("192.0.2.10", 200, true);

  EXPECT_EQ(accounting.origin_bytes(), 500u);
  EXPECT_EQ(accounting.bytes_by_address().count("192.0.2.10"), 0u);
  EXPECT_EQ(accounting.bytes_by_address().at("10.0.0.1"), 50u);
}

TEST(PeerAccounting, OriginOnlyLeavesPeersEmpty) {
  PeerAccounting accounting;
  accounting.add("127.0.0.1", 4096, true);
  EXPECT_TRUE(accounting.bytes_by_address().empty());
  EXPECT_EQ(accounting.origin_bytes(), 4096u);
}

}  // namespace
}  // namespace cascade::node
