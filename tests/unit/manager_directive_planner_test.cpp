#include "manager/directive_planner.hpp"

#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cascade::manager {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr std::uint64_t kSequence = 42;
constexpr std::uint32_t kStallTimeout = 30;

Node make_node(const std::string& id, NodeRole role, const std::string& group,
               const std::string& address, NodeState state = NodeState::active) {
  Node node;
  node.id = id;
  node.hostname = id + ".lan";
  node.address = address;
  node.port = 6881;
  node.role = role;
  node.group = group;
  node.state = state;
  return node;
}

Release make_release(const std::string& name, const std::string& version, char hash_digit) {
  Release release;
  release.name = name;
  release.version = version;
  release.metadata_version = 1;
  release.info_hash = std::string(64, hash_digit);
  release.total_bytes = 1000;
  release.file_count = 1;
  return release;
}

// Two trees: core (tier 1) <- branch <- leaf, and quiet (tier 1, no
// relays) <- lonely. Nodes are listed out of id order on purpose. Core
// also has a revoked relay whose id sorts first and an agent, and neither
// may take a slice.
RegistrySnapshot sample_snapshot() {
  RegistrySnapshot snapshot;
  snapshot.groups = {
      {"core", "", "", false},   {"branch", "core", "", false}, {"leaf", "branch", "", false},
      {"quiet", "", "", false},  {"lonely", "quiet", "", false},
  };
  snapshot.nodes = {
      make_node("core-3", NodeRole::relay, "core", "10.0.0.3"),
      make_node("core-1", NodeRole::relay, "core", "10.0.0.1"),
      make_node("core-0", NodeRole::relay, "core", "10.0.0.9", NodeState::revoked),
      make_node("core-2", NodeRole::relay, "core", "10.0.0.2"),
      make_node("core-agent", NodeRole::agent, "core", "10.0.0.50"),
      make_node("branch-2", NodeRole::relay, "branch", "10.0.1.2"),
      make_node("branch-1", NodeRole::relay, "branch", "10.0.1.1"),
      make_node("branch-agent", NodeRole::agent, "branch", "10.0.1.50"),
      make_node("branch-gone", NodeRole::agent, "branch", "10.0.1.51", NodeState::revoked),
      make_node("leaf-1", NodeRole::relay, "leaf", "10.0.2.1"),
      make_node("lonely-1", NodeRole::relay, "lonely", "10.0.3.1"),
  };
  snapshot.releases = {make_release("openssl-fix", "3.0.11-1", 'a'),
                       make_release("debs", "2026-12", 'b')};
  // Long after publication, so agents get every release.
  snapshot.now = kAgentHoldSeconds + 1000;
  return snapshot;
}

const Node& node_named(const RegistrySnapshot& snapshot, const std::string& id) {
  for (const auto& node : snapshot.nodes) {
    if (node.id == id) {
      return node;
    }
  }
  ADD_FAILURE() << "no node " << id << " in the sample snapshot";
  return snapshot.nodes.front();
}

proto::Directives plan_for(const RegistrySnapshot& snapshot, const std::string& id) {
  return plan_directives(node_named(snapshot, id), snapshot, kSequence, kStallTimeout);
}

std::vector<std::string> upstream_of(const proto::ReleaseDirective& directive) {
  return {directive.upstream_addresses().begin(), directive.upstream_addresses().end()};
}

TEST(DirectivePlanner, RelaySlicesAreDistinctAndCoverGroup) {
  const auto snapshot = sample_snapshot();
  std::multiset<std::uint32_t> indices;
  for (const auto* id : {"core-1", "core-2", "core-3"}) {
    const auto directives = plan_for(snapshot, id);
    ASSERT_EQ(directives.releases_size(), 2) << id;
    indices.insert(directives.releases(0).slice_index());
  }
  EXPECT_THAT(indices, ElementsAre(0u, 1u, 2u));
}

TEST(DirectivePlanner, SlicesFollowNodeIdOrder) {
  const auto snapshot = sample_snapshot();
  EXPECT_EQ(plan_for(snapshot, "core-1").releases(0).slice_index(), 0u);
  EXPECT_EQ(plan_for(snapshot, "core-2").releases(0).slice_index(), 1u);
  EXPECT_EQ(plan_for(snapshot, "core-3").releases(0).slice_index(), 2u);
  EXPECT_EQ(plan_for(snapshot, "branch-1").releases(0).slice_index(), 0u);
  EXPECT_EQ(plan_for(snapshot, "branch-2").releases(0).slice_index(), 1u);
}

TEST(DirectivePlanner, SliceCountExcludesRevokedRelaysAndAgents) {
  const auto snapshot = sample_snapshot();
  for (const auto* id : {"core-1", "core-2", "core-3"}) {
    EXPECT_EQ(plan_for(snapshot, id).releases(0).slice_count(), 3u) << id;
  }
  EXPECT_EQ(plan_for(snapshot, "branch-1").releases(0).slice_count(), 2u);
}

TEST(DirectivePlanner, SliceIsSameForEveryRelease) {
  const auto snapshot = sample_snapshot();
  const auto directives = plan_for(snapshot, "core-3");
  ASSERT_EQ(directives.releases_size(), 2);
  for (const auto& release : directives.releases()) {
    EXPECT_EQ(release.slice_index(), 2u) << release.name();
    EXPECT_EQ(release.slice_count(), 3u) << release.name();
  }
}

TEST(DirectivePlanner, SoleRelayGetsWholeRelease) {
  const auto snapshot = sample_snapshot();
  const auto directives = plan_for(snapshot, "leaf-1");
  ASSERT_EQ(directives.releases_size(), 2);
  EXPECT_EQ(directives.releases(0).slice_index(), 0u);
  EXPECT_EQ(directives.releases(0).slice_count(), 1u);
}

TEST(DirectivePlanner, TierOneRelayFetchesFromOrigin) {
  const auto snapshot = sample_snapshot();
  const auto directives = plan_for(snapshot, "core-2");
  ASSERT_EQ(directives.releases_size(), 2);
  for (const auto& release : directives.releases()) {
    EXPECT_TRUE(release.fetch_from_origin()) << release.name();
    EXPECT_THAT(upstream_of(release), IsEmpty()) << release.name();
  }
}

TEST(DirectivePlanner, ChildRelayFetchesFromParentRelays) {
  const auto snapshot = sample_snapshot();
  const auto directives = plan_for(snapshot, "branch-1");
  ASSERT_EQ(directives.releases_size(), 2);
  for (const auto& release : directives.releases()) {
    EXPECT_FALSE(release.fetch_from_origin()) << release.name();
    // core-0 is revoked, so its address 10.0.0.9 must not appear.
    EXPECT_THAT(upstream_of(release), UnorderedElementsAre("10.0.0.1", "10.0.0.2", "10.0.0.3"))
        << release.name();
  }
}

TEST(DirectivePlanner, GrandchildRelayUsesParentNotGrandparent) {
  const auto snapshot = sample_snapshot();
  const auto directives = plan_for(snapshot, "leaf-1");
  ASSERT_EQ(directives.releases_size(), 2);
  EXPECT_FALSE(directives.releases(0).fetch_from_origin());
  EXPECT_THAT(upstream_of(directives.releases(0)), UnorderedElementsAre("10.0.1.1", "10.0.1.2"));
}

TEST(DirectivePlanner, ChildOfRelaylessParentFallsBackToOrigin) {
  const auto snapshot = sample_snapshot();
  const auto directives = plan_for(snapshot, "lonely-1");
  ASSERT_EQ(directives.releases_size(), 2);
  EXPECT_TRUE(directives.releases(0).fetch_from_origin());
  EXPECT_THAT(upstream_of(directives.releases(0)), IsEmpty());
}

TEST(DirectivePlanner, AgentGetsEveryReleaseWhole) {
  const auto snapshot = sample_snapshot();
  for (const auto* id : {"core-agent", "branch-agent"}) {
    const auto directives = plan_for(snapshot, id);
    ASSERT_EQ(directives.releases_size(), 2) << id;
    for (const auto& release : directives.releases()) {
      EXPECT_EQ(release.slice_index(), 0u) << id;
      EXPECT_EQ(release.slice_count(), 1u) << id;
      EXPECT_FALSE(release.fetch_from_origin()) << id;
      EXPECT_THAT(upstream_of(release), IsEmpty()) << id;
    }
  }
}

TEST(DirectivePlanner, ReleaseFieldsComeFromRegistry) {
  const auto snapshot = sample_snapshot();
  const auto directives = plan_for(snapshot, "branch-agent");
  ASSERT_EQ(directives.releases_size(), 2);
  EXPECT_EQ(directives.releases(0).name(), "openssl-fix");
  EXPECT_EQ(directives.releases(0).version(), "3.0.11-1");
  EXPECT_EQ(directives.releases(0).info_hash(), std::string(64, 'a'));
  EXPECT_EQ(directives.releases(1).name(), "debs");
  EXPECT_EQ(directives.releases(1).version(), "2026-12");
  EXPECT_EQ(directives.releases(1).info_hash(), std::string(64, 'b'));
}

TEST(DirectivePlanner, RevokedNodeGetsNoReleases) {
  const auto snapshot = sample_snapshot();
  EXPECT_EQ(plan_for(snapshot, "core-0").releases_size(), 0);
  EXPECT_EQ(plan_for(snapshot, "branch-gone").releases_size(), 0);
}

TEST(DirectivePlanner, RelayHeaderFieldsAreSet) {
  const auto snapshot = sample_snapshot();
  const auto directives = plan_for(snapshot, "branch-2");
  EXPECT_EQ(directives.sequence(), kSequence);
  EXPECT_EQ(directives.role(), proto::ROLE_RELAY);
  EXPECT_EQ(directives.group(), "branch");
  EXPECT_EQ(directives.stall_timeout_seconds(), kStallTimeout);
}

TEST(DirectivePlanner, AgentHeaderFieldsAreSet) {
  const auto snapshot = sample_snapshot();
  const auto directives = plan_for(snapshot, "core-agent");
  EXPECT_EQ(directives.sequence(), kSequence);
  EXPECT_EQ(directives.role(), proto::ROLE_AGENT);
  EXPECT_EQ(directives.group(), "core");
  EXPECT_EQ(directives.stall_timeout_seconds(), kStallTimeout);
}

TEST(DirectivePlanner, RevokedNodeKeepsHeaderFields) {
  const auto snapshot = sample_snapshot();
  const auto directives = plan_for(snapshot, "core-0");
  EXPECT_EQ(directives.sequence(), kSequence);
  EXPECT_EQ(directives.role(), proto::ROLE_RELAY);
  EXPECT_EQ(directives.group(), "core");
  EXPECT_EQ(directives.stall_timeout_seconds(), kStallTimeout);
}

TEST(DirectivePlanner, NoReleasesGivesEmptyPlan) {
  auto snapshot = sample_snapshot();
  snapshot.releases.clear();
  EXPECT_EQ(plan_for(snapshot, "core-1").releases_size(), 0);
}

TEST(DirectivePlanner, AgentWaitsForGroupRelays) {
  auto snapshot = sample_snapshot();
  snapshot.now = 5;  // releases were published at 0
  EXPECT_EQ(plan_for(snapshot, "branch-agent").releases_size(), 0);

  snapshot.reporters["debs/2026-12"] = {"branch-1"};
  EXPECT_EQ(plan_for(snapshot, "branch-agent").releases_size(), 0);

  snapshot.reporters["debs/2026-12"].insert("branch-2");
  const auto directives = plan_for(snapshot, "branch-agent");
  ASSERT_EQ(directives.releases_size(), 1);
  EXPECT_EQ(directives.releases(0).name(), "debs");
}

TEST(DirectivePlanner, AgentGetsReleaseAfterHold) {
  auto snapshot = sample_snapshot();
  snapshot.now = kAgentHoldSeconds;
  EXPECT_EQ(plan_for(snapshot, "branch-agent").releases_size(), 2);
}

TEST(DirectivePlanner, RelaysNeverWaitForReports) {
  auto snapshot = sample_snapshot();
  snapshot.now = 0;
  EXPECT_EQ(plan_for(snapshot, "branch-1").releases_size(), 2);
}

TEST(DirectivePlanner, AgentWithoutGroupRelaysStartsAtOnce) {
  auto snapshot = sample_snapshot();
  snapshot.now = 0;
  snapshot.nodes.push_back(make_node("quiet-agent", NodeRole::agent, "quiet", "10.0.4.50"));
  EXPECT_EQ(plan_for(snapshot, "quiet-agent").releases_size(), 2);
}

TEST(DirectivePlanner, AgentMayConnectToGroupRelaysOnly) {
  const auto directives = plan_for(sample_snapshot(), "branch-agent");
  const std::vector<std::string> allowed(directives.allowed_peer_addresses().begin(),
                                         directives.allowed_peer_addresses().end());
  EXPECT_THAT(allowed, ::testing::UnorderedElementsAre("10.0.1.1", "10.0.1.2"));
}

TEST(DirectivePlanner, RelayMayConnectToGroupAndChildRelays) {
  const auto directives = plan_for(sample_snapshot(), "core-1");
  const std::vector<std::string> allowed(directives.allowed_peer_addresses().begin(),
                                         directives.allowed_peer_addresses().end());
  // Core's other relays and agent, and branch's relays; not the revoked
  // relay, not leaf (a grandchild) and not branch's agent.
  EXPECT_THAT(allowed, ::testing::UnorderedElementsAre("10.0.0.2", "10.0.0.3", "10.0.0.50",
                                                       "10.0.1.1", "10.0.1.2"));
}

TEST(DirectivePlanner, AgentWithoutGroupRelaysUsesOrigin) {
  auto snapshot = sample_snapshot();
  snapshot.nodes.push_back(make_node("quiet-agent", NodeRole::agent, "quiet", "10.0.4.50"));
  const auto directives = plan_for(snapshot, "quiet-agent");
  ASSERT_EQ(directives.releases_size(), 2);
  EXPECT_TRUE(directives.releases(0).fetch_from_origin());
}

}  // namespace
}  // namespace cascade::manager
