#include "manager/directive_hub.hpp"

#include <optional>

#include <gtest/gtest.h>

namespace cascade::manager {
namespace {

TEST(DirectiveHub, OlderSequenceAnswersAtOnce) {
  boost::asio::io_context io;
  DirectiveHub hub(io, std::chrono::seconds(25));
  std::optional<std::uint64_t> delivered;
  hub.wait(hub.sequence() - 1, [&](std::uint64_t sequence) { delivered = sequence; });
  ASSERT_TRUE(delivered.has_value());
  EXPECT_EQ(*delivered, hub.sequence());
}

TEST(DirectiveHub, CurrentSequenceWaitsForBump) {
  boost::asio::io_context io;
  DirectiveHub hub(io, std::chrono::seconds(25));
  std::optional<std::uint64_t> delivered;
  const auto before = hub.sequence();
  hub.wait(before, [&](std::uint64_t sequence) { delivered = sequence; });
  io.poll();
  EXPECT_FALSE(delivered.has_value());
  hub.bump();
  ASSERT_TRUE(delivered.has_value());
  EXPECT_GT(*delivered, before);
  EXPECT_EQ(hub.waiting(), 0u);
}

TEST(DirectiveHub, TimeoutAnswersWithCurrentSequence) {
  boost::asio::io_context io;
  DirectiveHub hub(io, std::chrono::milliseconds(10));
  std::optional<std::uint64_t> delivered;
  hub.wait(hub.sequence(), [&](std::uint64_t sequence) { delivered = sequence; });
  io.run_for(std::chrono::seconds(2));
  ASSERT_TRUE(delivered.has_value());
  EXPECT_EQ(*delivered, hub.sequence());
}

// Nodes keep the last sequence across a manager restart, so a hub started
// later must begin above what an earlier one reached.
TEST(DirectiveHub, LaterHubStartsAboveEarlierOne) {
  boost::asio::io_context io;
  const auto start = std::chrono::system_clock::now();
  DirectiveHub earlier(io, std::chrono::seconds(25), start);
  for (int i = 0; i < 100; ++i) earlier.bump();
  DirectiveHub later(io, std::chrono::seconds(25), start + std::chrono::milliseconds(1));
  EXPECT_GT(later.sequence(), earlier.sequence());
}

}  // namespace
}  // namespace cascade::manager
