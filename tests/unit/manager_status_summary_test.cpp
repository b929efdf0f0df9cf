#include "manager/status_summary.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cascade::manager {
namespace {

using nlohmann::json;

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

ReleaseStatus make_status(const std::string& node_id, const std::string& state,
                          std::uint64_t origin_bytes, const json& peer_bytes) {
  ReleaseStatus status;
  status.node_id = node_id;
  status.release_name = "openssl-fix";
  status.release_version = "3.0.11-1";
  status.state = state;
  status.bytes_done = state == "done" ? 1000 : 500;
  status.bytes_total = 1000;
  status.origin_bytes = origin_bytes;
  status.peer_bytes_json = peer_bytes.dump();
  return status;
}

Release sample_release() {
  Release release;
  release.name = "openssl-fix";
  release.version = "3.0.11-1";
  release.metadata_version = 4;
  release.info_hash = std::string(64, 'c');
  release.total_bytes = 1000;
  release.file_count = 2;
  return release;
}

// Groups core (10.0.0.x) and branch (10.0.1.x). branch-idle has not
// reported, and neither has core-gone, which is revoked.
std::vector<Node> sample_nodes() {
  return {
      make_node("core-r1", NodeRole::relay, "core", "10.0.0.1"),
      make_node("core-a1", NodeRole::agent, "core", "10.0.0.2"),
      make_node("core-gone", NodeRole::agent, "core", "10.0.0.9", NodeState::revoked),
      make_node("branch-r1", NodeRole::relay, "branch", "10.0.1.1"),
      make_node("branch-a1", NodeRole::agent, "branch", "10.0.1.2"),
      make_node("branch-idle", NodeRole::agent, "branch", "10.0.1.3"),
  };
}

// Bytes each node pulled and the part that counts as outside its group.
//   core-r1   origin 600, 400 from core-a1 (same group)         outside 600
//   core-a1   300 from core-r1 (same group), 50 from 192.0.2.7   outside 50
//   branch-r1 origin 100, 900 from core-r1 (other group)         outside 1000
//   branch-a1 500 from branch-r1 (same group), 20 from core-a1   outside 20
std::vector<ReleaseStatus> sample_statuses() {
  return {
      make_status("core-r1", "done", 600, {{"10.0.0.2", 400}}),
      make_status("core-a1", "downloading", 0, {{"10.0.0.1", 300}, {"192.0.2.7", 50}}),
      make_status("branch-r1", "done", 100, {{"10.0.0.1", 900}}),
      make_status("branch-a1", "failed", 0, {{"10.0.1.1", 500}, {"10.0.0.2", 20}}),
  };
}

json sample_summary() {
  return summarise_release(sample_release(), sample_nodes(), sample_statuses());
}

const json& detail_of(const json& summary, const std::string& id) {
  for (const auto& row : summary.at("node_details")) {
    if (row.at("id") == id) {
      return row;
    }
  }
  ADD_FAILURE() << "no node_details row for " << id;
  static const json empty = json::object();
  return empty;
}

TEST(StatusSummary, ReleaseFieldsAreCopied) {
  const auto summary = sample_summary();
  EXPECT_EQ(summary.at("name"), "openssl-fix");
  EXPECT_EQ(summary.at("version"), "3.0.11-1");
  EXPECT_EQ(summary.at("info_hash"), std::string(64, 'c'));
  EXPECT_EQ(summary.at("metadata_version"), 4);
  EXPECT_EQ(summary.at("total_bytes"), 1000);
  EXPECT_EQ(summary.at("files"), 2);
}

TEST(StatusSummary, CountsNodesPerState) {
  const auto nodes = sample_summary().at("nodes");
  EXPECT_EQ(nodes.at("done"), 2);
  EXPECT_EQ(nodes.at("downloading"), 1);
  EXPECT_EQ(nodes.at("failed"), 1);
}

TEST(StatusSummary, PendingCountsActiveNodesWithoutReport) {
  EXPECT_EQ(sample_summary().at("nodes").at("pending"), 1);
}

TEST(StatusSummary, PendingIsAllActiveNodesBeforeReports) {
  const auto summary = summarise_release(sample_release(), sample_nodes(), {});
  EXPECT_EQ(summary.at("nodes").at("pending"), 5);
  EXPECT_EQ(summary.at("nodes").at("done"), 0);
  EXPECT_EQ(summary.at("origin_bytes"), 0);
  EXPECT_TRUE(summary.at("groups").empty());
  EXPECT_TRUE(summary.at("node_details").empty());
}

// A report of a revoked node must not hide an active node that never
// reported: branch-idle stays pending.
TEST(StatusSummary, RevokedNodeReportKeepsPendingCount) {
  auto statuses = sample_statuses();
  statuses.push_back(make_status("core-gone", "done", 0, json::object()));
  const auto summary = summarise_release(sample_release(), sample_nodes(), statuses);
  EXPECT_EQ(summary.at("nodes").at("pending"), 1);
}

TEST(StatusSummary, SumsOriginBytes) {
  EXPECT_EQ(sample_summary().at("origin_bytes"), 700);
}

TEST(StatusSummary, OutsideBytesSkipSameGroupPeers) {
  // core-r1's 600 origin bytes plus core-a1's 50 from an unknown address.
  // The 400 and 300 bytes exchanged inside core do not count.
  EXPECT_EQ(sample_summary().at("groups").at("core").at("outside_bytes"), 650);
}

TEST(StatusSummary, OutsideBytesCountOtherGroupPeers) {
  // 100 origin bytes plus 900 and 20 from core nodes. The 500 bytes from
  // branch-r1 stay inside branch.
  EXPECT_EQ(sample_summary().at("groups").at("branch").at("outside_bytes"), 1020);
}

TEST(StatusSummary, OutsideBytesCountUnknownAddresses) {
  const std::vector<ReleaseStatus> statuses = {
      make_status("core-a1", "downloading", 0, {{"192.0.2.7", 70}, {"198.51.100.1", 5}})};
  const auto summary = summarise_release(sample_release(), sample_nodes(), statuses);
  EXPECT_EQ(summary.at("groups").at("core").at("outside_bytes"), 75);
}

TEST(StatusSummary, OutsideRatioDividesByReleaseSize) {
  const auto groups = sample_summary().at("groups");
  EXPECT_DOUBLE_EQ(groups.at("core").at("outside_ratio").get<double>(), 0.65);
  EXPECT_DOUBLE_EQ(groups.at("branch").at("outside_ratio").get<double>(), 1.02);
}

TEST(StatusSummary, OnlyReportingGroupsAppear) {
  const std::vector<ReleaseStatus> statuses = {
      make_status("core-r1", "done", 1000, json::object())};
  const auto summary = summarise_release(sample_release(), sample_nodes(), statuses);
  EXPECT_TRUE(summary.at("groups").contains("core"));
  EXPECT_FALSE(summary.at("groups").contains("branch"));
}

TEST(StatusSummary, DetailsNamePeersByNodeId) {
  const auto row = detail_of(sample_summary(), "branch-a1");
  EXPECT_EQ(row.at("peers"), json({{"branch-r1", 500}, {"core-a1", 20}}));
}

TEST(StatusSummary, DetailsKeepUnknownPeerAddress) {
  const auto row = detail_of(sample_summary(), "core-a1");
  EXPECT_EQ(row.at("peers"), json({{"core-r1", 300}, {"192.0.2.7", 50}}));
}

TEST(StatusSummary, DetailsCopyNodeAndReportFields) {
  auto statuses = sample_statuses();
  statuses[3].error = "verify debs/a.deb: sha256 differs";
  statuses[3].fallbacks = 2;
  statuses[3].hash_failures = 3;
  const auto summary = summarise_release(sample_release(), sample_nodes(), statuses);
  const auto row = detail_of(summary, "branch-a1");
  EXPECT_EQ(row.at("hostname"), "branch-a1.lan");
  EXPECT_EQ(row.at("address"), "10.0.1.2");
  EXPECT_EQ(row.at("group"), "branch");
  EXPECT_EQ(row.at("role"), "agent");
  EXPECT_EQ(row.at("state"), "failed");
  EXPECT_EQ(row.at("bytes_done"), 500);
  EXPECT_EQ(row.at("bytes_total"), 1000);
  EXPECT_EQ(row.at("origin_bytes"), 0);
  EXPECT_EQ(row.at("fallbacks"), 2);
  EXPECT_EQ(row.at("hash_failures"), 3);
  EXPECT_EQ(row.at("error"), "verify debs/a.deb: sha256 differs");
}

TEST(StatusSummary, OneDetailRowPerReport) {
  EXPECT_EQ(sample_summary().at("node_details").size(), 4u);
}

TEST(StatusSummary, MalformedPeerBytesCountOriginOnly) {
  auto status = make_status("core-r1", "downloading", 250, json::object());
  status.peer_bytes_json = "not json";
  const auto summary = summarise_release(sample_release(), sample_nodes(), {status});
  EXPECT_EQ(summary.at("groups").at("core").at("outside_bytes"), 250);
  EXPECT_TRUE(detail_of(summary, "core-r1").at("peers").empty());
}

}  // namespace
}  // namespace cascade::manager
