#pragma once

#include <cstdint>

namespace cascade::node {

// Half-open range of piece indices [begin, end).
struct PieceRange {
  int begin = 0;
  int end = 0;
  bool contains(int piece) const { return piece >= begin && piece < end; }
  int size() const { return end - begin; }
};

// Share `index` of `count` contiguous, near-equal shares of the pieces.
// Contiguous shares keep a relay's web seed requests sequential. A count
// of 0 is treated as 1.
inline PieceRange slice_range(int num_pieces, std::uint32_t index, std::uint32_t count) {
  if (count == 0) count = 1;
  if (index >= count) index = count - 1;
  const auto begin = static_cast<int>(static_cast<std::int64_t>(num_pieces) * index / count);
  const auto end = static_cast<int>(static_cast<std::int64_t>(num_pieces) * (index + 1) / count);
  return {begin, end};
}

}  // namespace cascade::node
