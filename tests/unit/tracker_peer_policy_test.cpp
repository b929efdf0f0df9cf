#include "tracker/peer_policy.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cascade::tracker {
namespace {

PeerNode relay(const std::string& id, const std::string& group) {
  return PeerNode{id, PeerRole::relay, group, "10.0.0.1", 6881};
}

PeerNode agent(const std::string& id, const std::string& group) {
  return PeerNode{id, PeerRole::agent, group, "10.0.0.2", 6881};
}

std::set<std::string> ids_of(const std::vector<PeerNode>& peers) {
  std::set<std::string> ids;
  for (const auto& peer : peers) {
    ids.insert(peer.id);
  }
  return ids;
}

const PeerNode& find_node(const std::vector<PeerNode>& members, const std::string& id) {
  auto found = std::find_if(members.begin(), members.end(),
                            [&](const PeerNode& node) { return node.id == id; });
  if (found == members.end()) {
    ADD_FAILURE() << "no member " << id << " in the case's roster";
    return members.front();
  }
  return *found;
}

const std::vector<PeerNode> single_group_members = {
    relay("default-r1", "default"), relay("default-r2", "default"),
    agent("default-a1", "default"), agent("default-a2", "default")};

const std::vector<PeerNode> two_tier_members = {
    relay("core-r1", "core"),     relay("core-r2", "core"),     agent("core-a1", "core"),
    relay("branch-r1", "branch"), relay("branch-r2", "branch"), agent("branch-a1", "branch"),
    agent("branch-a2", "branch")};

const std::vector<PeerNode> three_tier_members = {
    relay("a-r1", "a"), relay("b-r1", "b"), agent("b-a1", "b"),
    relay("c-r1", "c"), relay("c-r2", "c"), agent("c-a1", "c")};

const std::vector<PeerNode> sibling_members = {
    relay("hq-r1", "hq"),     relay("east-r1", "east"), agent("east-a1", "east"),
    relay("west-r1", "west"), agent("west-a1", "west")};

const Topology single_group = {{"default", {"", false}}};
const Topology single_group_sharing = {{"default", {"", true}}};
const Topology two_tier = {{"core", {"", false}}, {"branch", {"core", false}}};
const Topology two_tier_branch_sharing = {{"core", {"", false}}, {"branch", {"core", true}}};
const Topology three_tier = {{"a", {"", false}}, {"b", {"a", false}}, {"c", {"b", false}}};
const Topology siblings = {
    {"hq", {"", false}}, {"east", {"hq", true}}, {"west", {"hq", true}}};

struct PolicyCase {
  const char* name;
  const Topology* topology;
  const std::vector<PeerNode>* members;
  std::string requester;
  std::set<std::string> expected;
};

const std::vector<PolicyCase> policy_cases = {
    {"single group, agent", &single_group, &single_group_members, "default-a1",
     {"default-r1", "default-r2"}},
    {"single group, relay", &single_group, &single_group_members, "default-r1", {"default-r2"}},
    {"single group sharing, agent", &single_group_sharing, &single_group_members, "default-a1",
     {"default-r1", "default-r2", "default-a2"}},
    {"single group sharing, relay", &single_group_sharing, &single_group_members, "default-r1",
     {"default-r2", "default-a1", "default-a2"}},

    {"two tiers, branch agent", &two_tier, &two_tier_members, "branch-a1",
     {"branch-r1", "branch-r2"}},
    {"two tiers, branch relay", &two_tier, &two_tier_members, "branch-r1",
     {"branch-r2", "core-r1", "core-r2"}},
    {"two tiers, core relay", &two_tier, &two_tier_members, "core-r1", {"core-r2"}},
    {"two tiers, core agent", &two_tier, &two_tier_members, "core-a1", {"core-r1", "core-r2"}},
    {"two tiers sharing, branch agent", &two_tier_branch_sharing, &two_tier_members, "branch-a1",
     {"branch-r1", "branch-r2", "branch-a2"}},
    {"two tiers sharing, branch relay", &two_tier_branch_sharing, &two_tier_members, "branch-r1",
     {"branch-r2", "core-r1", "core-r2", "branch-a1", "branch-a2"}},
    {"two tiers sharing, core agent", &two_tier_branch_sharing, &two_tier_members, "core-a1",
     {"core-r1", "core-r2"}},

    {"three tiers, tier-3 relay", &three_tier, &three_tier_members, "c-r1", {"c-r2", "b-r1"}},
    {"three tiers, tier-3 agent", &three_tier, &three_tier_members, "c-a1", {"c-r1", "c-r2"}},
    {"three tiers, tier-2 relay", &three_tier, &three_tier_members, "b-r1", {"a-r1"}},
    {"three tiers, tier-2 agent", &three_tier, &three_tier_members, "b-a1", {"b-r1"}},
    {"three tiers, tier-1 relay", &three_tier, &three_tier_members, "a-r1", {}},

    {"siblings, east relay", &siblings, &sibling_members, "east-r1", {"hq-r1", "east-a1"}},
    {"siblings, east agent", &siblings, &sibling_members, "east-a1", {"east-r1"}},
    {"siblings, west agent", &siblings, &sibling_members, "west-a1", {"west-r1"}},
    {"siblings, parent relay", &siblings, &sibling_members, "hq-r1", {}},
};

TEST(PeerPolicy, TopologyTable) {
  for (const auto& test_case : policy_cases) {
    SCOPED_TRACE(test_case.name);
    const PeerNode& requester = find_node(*test_case.members, test_case.requester);
    std::mt19937_64 random(1);

    auto peers = select_peers(requester, *test_case.members, *test_case.topology, random, 50);

    EXPECT_EQ(ids_of(peers), test_case.expected);
    EXPECT_EQ(peers.size(), test_case.expected.size()) << "a peer was listed twice";
    for (const auto& candidate : *test_case.members) {
      bool expected = test_case.expected.count(candidate.id) > 0;
      EXPECT_EQ(may_use(requester, candidate, *test_case.topology), expected) << candidate.id;
    }
  }
}

TEST(PeerPolicy, ChildAgentNeverGetsParentRelay) {
  EXPECT_FALSE(may_use(agent("branch-a1", "branch"), relay("core-r1", "core"), two_tier));
  EXPECT_FALSE(
      may_use(agent("branch-a1", "branch"), relay("core-r1", "core"), two_tier_branch_sharing));
}

TEST(PeerPolicy, ChildRelayGetsParentNotGrandparentRelays) {
  PeerNode requester = relay("c-r1", "c");
  EXPECT_TRUE(may_use(requester, relay("b-r1", "b"), three_tier));
  EXPECT_FALSE(may_use(requester, relay("a-r1", "a"), three_tier));
}

TEST(PeerPolicy, ChildRelayNeverGetsParentAgents) {
  Topology sharing_everywhere = {{"core", {"", true}}, {"branch", {"core", true}}};
  EXPECT_FALSE(may_use(relay("branch-r1", "branch"), agent("core-a1", "core"), sharing_everywhere));
}

TEST(PeerPolicy, OtherGroupsAgentsNeverAppear) {
  Topology sharing_everywhere = {
      {"hq", {"", true}}, {"east", {"hq", true}}, {"west", {"hq", true}}};
  std::mt19937_64 random(7);
  for (const auto& requester : sibling_members) {
    SCOPED_TRACE(requester.id);
    auto peers = select_peers(requester, sibling_members, sharing_everywhere, random, 50);
    for (const auto& peer : peers) {
      if (peer.role == PeerRole::agent) {
        EXPECT_EQ(peer.group, requester.group) << peer.id;
      }
    }
  }
}

TEST(PeerPolicy, SelfNeverAppears) {
  std::mt19937_64 random(3);
  for (const auto& requester : two_tier_members) {
    SCOPED_TRACE(requester.id);
    EXPECT_FALSE(may_use(requester, requester, two_tier_branch_sharing));
    auto peers = select_peers(requester, two_tier_members, two_tier_branch_sharing, random, 50);
    EXPECT_EQ(ids_of(peers).count(requester.id), 0u);
  }
}

TEST(PeerPolicy, GroupMissingFromTopologyGetsNoPeers) {
  std::vector<PeerNode> members = {relay("orphan-r1", "orphan"), relay("core-r1", "core")};
  std::mt19937_64 random(1);
  auto peers = select_peers(agent("orphan-a1", "orphan"), members, two_tier, random, 50);
  EXPECT_TRUE(peers.empty());
}

std::vector<PeerNode> many_relays(std::size_t count) {
  std::vector<PeerNode> relays;
  for (std::size_t i = 0; i < count; ++i) {
    relays.push_back(relay("relay-" + std::to_string(i), "default"));
  }
  return relays;
}

std::vector<std::string> order_of(const std::vector<PeerNode>& peers) {
  std::vector<std::string> ids;
  for (const auto& peer : peers) {
    ids.push_back(peer.id);
  }
  return ids;
}

TEST(PeerPolicy, DifferentSeedsGiveDifferentOrders) {
  auto relays = many_relays(10);
  PeerNode requester = agent("agent-1", "default");
  std::set<std::vector<std::string>> orders;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 random(seed);
    auto peers = select_peers(requester, relays, single_group, random, 50);
    ASSERT_EQ(peers.size(), relays.size());
    orders.insert(order_of(peers));
  }
  // 20 draws from 10! orders: a repeat is possible, but a handful of
  // distinct orders would mean the shuffle is not random.
  EXPECT_GE(orders.size(), 15u);
}

TEST(PeerPolicy, SameSeedGivesSameOrder) {
  auto relays = many_relays(10);
  PeerNode requester = agent("agent-1", "default");
  std::mt19937_64 first(42);
  std::mt19937_64 second(42);
  EXPECT_EQ(order_of(select_peers(requester, relays, single_group, first, 50)),
            order_of(select_peers(requester, relays, single_group, second, 50)));
}

TEST(PeerPolicy, SuccessiveRequestsAreReshuffled) {
  auto relays = many_relays(10);
  std::mt19937_64 random(5);
  auto first = select_peers(agent("agent-1", "default"), relays, single_group, random, 50);
  auto second = select_peers(agent("agent-2", "default"), relays, single_group, random, 50);
  EXPECT_NE(order_of(first), order_of(second));
}

TEST(PeerPolicy, MaxPeersHonoured) {
  auto relays = many_relays(10);
  PeerNode requester = agent("agent-1", "default");
  std::mt19937_64 random(9);
  for (std::size_t max_peers : {0u, 1u, 3u, 10u, 11u}) {
    SCOPED_TRACE(max_peers);
    auto peers = select_peers(requester, relays, single_group, random, max_peers);
    EXPECT_EQ(peers.size(), std::min(max_peers, relays.size()));
  }
}

TEST(PeerPolicy, CutKeepsRelaysBeforeAgents) {
  std::vector<PeerNode> members = many_relays(3);
  for (int i = 0; i < 20; ++i) {
    members.push_back(agent("agent-" + std::to_string(i), "default"));
  }
  std::mt19937_64 random(11);
  auto peers = select_peers(agent("agent-0", "default"), members, single_group_sharing, random, 4);
  ASSERT_EQ(peers.size(), 4u);
  EXPECT_EQ(peers[0].role, PeerRole::relay);
  EXPECT_EQ(peers[1].role, PeerRole::relay);
  EXPECT_EQ(peers[2].role, PeerRole::relay);
  EXPECT_EQ(peers[3].role, PeerRole::agent);
  EXPECT_NE(peers[3].id, "agent-0");
}

}  // namespace
}  // namespace cascade::tracker
