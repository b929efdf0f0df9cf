#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tracker/announce_request.hpp"
#include "tracker/bencode.hpp"
#include "tracker/swarm_table.hpp"
#include "tracker/tracker.hpp"

namespace cascade::tracker {
namespace {

using namespace std::string_literals;
using std::chrono::seconds;

// Escapes every byte, as a client does for a binary info hash.
std::string escape_all(const std::string& bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string escaped;
  for (unsigned char byte : bytes) {
    escaped += '%';
    escaped += digits[byte >> 4];
    escaped += digits[byte & 0xf];
  }
  return escaped;
}

const std::string info_hash_bytes = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
                                    "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14"s;
const std::string info_hash_hex = "0102030405060708090a0b0c0d0e0f1011121314";
const std::string info_hash_query = "info_hash=" + escape_all(info_hash_bytes);
const std::string peer_id_query = "peer_id=-LT2080-abcdefghijkl";

// A full announce with one parameter replaced, added or removed.
std::string announce(const std::map<std::string, std::string>& overrides,
                     const std::string& path = "/announce/node-key_1") {
  std::map<std::string, std::string> parameters = {
      {"info_hash", escape_all(info_hash_bytes)},
      {"peer_id", "-LT2080-abcdefghijkl"},
      {"port", "6881"},
      {"uploaded", "0"},
      {"downloaded", "0"},
      {"left", "1024"},
      {"compact", "1"},
  };
  for (const auto& [name, value] : overrides) {
    if (value == "<remove>") {
      parameters.erase(name);
    } else {
      parameters[name] = value;
    }
  }
  std::string target = path + "?";
  for (const auto& [name, value] : parameters) {
    target += name + "=" + value + "&";
  }
  target.pop_back();
  return target;
}

// ---- parse_announce ----

TEST(AnnounceRequest, ParsesLibtorrentStyleAnnounce) {
  // Parameter order and extras as libtorrent 2.0 sends them. The peer id
  // contains raw unreserved characters next to escapes.
  std::string target = "/announce/node-key_1?" + info_hash_query +
                       "&peer_id=-LT2080-%2B%21a%28%29*~.%FF_9Z&port=6881&uploaded=10"
                       "&downloaded=20&left=0&corrupt=0&key=4F2A1B3C&event=started"
                       "&numwant=200&compact=1&no_peer_id=1&supportcrypto=1&redundant=0"
                       "&ip=10.0.0.9&trackerid=abc";

  auto request = parse_announce(target);

  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->announce_key, "node-key_1");
  EXPECT_EQ(std::string(request->info_hash.begin(), request->info_hash.end()), info_hash_bytes);
  EXPECT_EQ(std::string(request->peer_id.begin(), request->peer_id.end()),
            "-LT2080-+!a()*~.\xff_9Z");
  EXPECT_EQ(request->port, 6881);
  EXPECT_EQ(request->uploaded, 10u);
  EXPECT_EQ(request->downloaded, 20u);
  EXPECT_EQ(request->left, 0u);
  EXPECT_EQ(request->event, AnnounceEvent::started);
  EXPECT_EQ(request->numwant, 200);
  EXPECT_TRUE(request->compact);
}

TEST(AnnounceRequest, DefaultsWithoutOptionalParameters) {
  auto request = parse_announce(announce({{"compact", "<remove>"}}));
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->event, AnnounceEvent::none);
  EXPECT_EQ(request->numwant, 50);
  EXPECT_TRUE(request->compact);
}

TEST(AnnounceRequest, ReadsEveryEvent) {
  const std::vector<std::pair<std::string, AnnounceEvent>> events = {
      {"started", AnnounceEvent::started}, {"completed", AnnounceEvent::completed},
      {"stopped", AnnounceEvent::stopped}, {"empty", AnnounceEvent::none},
      {"", AnnounceEvent::none},           {"paused", AnnounceEvent::none}};
  for (const auto& [word, event] : events) {
    SCOPED_TRACE(word);
    auto request = parse_announce(announce({{"event", word}}));
    ASSERT_TRUE(request.ok()) << request.error().message;
    EXPECT_EQ(request->event, event);
  }
}

TEST(AnnounceRequest, ClampsNumwant) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"0", 0},     {"17", 17},   {"200", 200}, {"201", 200},
      {"-1", 0},    {"99999999999999999999999", 200}};
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    auto request = parse_announce(announce({{"numwant", text}}));
    ASSERT_TRUE(request.ok()) << request.error().message;
    EXPECT_EQ(request->numwant, expected);
  }
}

TEST(AnnounceRequest, ReadsCompactZero) {
  auto request = parse_announce(announce({{"compact", "0"}}));
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_FALSE(request->compact);
}

TEST(AnnounceRequest, AcceptsLongestAnnounceKey) {
  std::string key(128, 'k');
  auto request = parse_announce(announce({}, "/announce/" + key));
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->announce_key, key);
}

struct MalformedCase {
  const char* name;
  std::string target;
  std::string named;  // text the message must contain
};

TEST(AnnounceRequest, RejectsMalformedAnnounces) {
  std::string short_hash = escape_all(info_hash_bytes.substr(0, 19));
  const std::vector<MalformedCase> cases = {
      {"missing info_hash", announce({{"info_hash", "<remove>"}}), "info_hash is missing"},
      {"19-byte info_hash", announce({{"info_hash", short_hash}}), "info_hash must be 20 bytes"},
      {"21-byte info_hash", announce({{"info_hash", short_hash + "%00%00"}}), "info_hash"},
      {"non-hex escape", announce({{"info_hash", "%G1" + short_hash}}), "info_hash"},
      {"truncated escape", announce({{"info_hash", short_hash + "%4"}}), "info_hash"},
      {"lone percent", announce({{"info_hash", short_hash + "%"}}), "info_hash"},
      {"missing peer_id", announce({{"peer_id", "<remove>"}}), "peer_id is missing"},
      {"short peer_id", announce({{"peer_id", "-LT2080-"}}), "peer_id"},
      {"missing port", announce({{"port", "<remove>"}}), "port is missing"},
      {"port 0", announce({{"port", "0"}}), "port"},
      {"port 70000", announce({{"port", "70000"}}), "port"},
      {"port abc", announce({{"port", "abc"}}), "port"},
      {"port with sign", announce({{"port", "+80"}}), "port"},
      {"negative left", announce({{"left", "-1"}}), "left"},
      {"non-numeric left", announce({{"left", "lots"}}), "left"},
      {"overflowing left", announce({{"left", "18446744073709551616"}}), "left"},
      {"missing left", announce({{"left", "<remove>"}}), "left is missing"},
      {"non-numeric uploaded", announce({{"uploaded", "1e3"}}), "uploaded"},
      {"empty downloaded", announce({{"downloaded", ""}}), "downloaded"},
      {"unknown event", announce({{"event", "finished"}}), "event"},
      {"non-numeric numwant", announce({{"numwant", "many"}}), "numwant"},
      {"bad compact", announce({{"compact", "yes"}}), "compact"},
      {"repeated port", announce({}) + "&port=6882", "\"port\" is repeated"},
      {"repeated unknown parameter", announce({{"key", "a"}}) + "&key=b", "\"key\" is repeated"},
      {"path without key", announce({}, "/announce"), "path"},
      {"path with empty key", announce({}, "/announce/"), "announce key is missing"},
      {"scrape path", announce({}, "/scrape/node-key_1"), "path"},
      {"root path", announce({}, "/"), "path"},
      {"key with dot", announce({}, "/announce/node.key"), "announce key"},
      {"key with slash", announce({}, "/announce/node/key"), "announce key"},
      {"key with escape", announce({}, "/announce/node%20key"), "announce key"},
      {"key too long", announce({}, "/announce/" + std::string(129, 'k')), "announce key"},
  };
  for (const auto& test_case : cases) {
    SCOPED_TRACE(test_case.name);
    auto request = parse_announce(test_case.target);
    ASSERT_FALSE(request.ok());
    const std::string& message = request.error().message;
    EXPECT_EQ(message.rfind("invalid announce: ", 0), 0u) << message;
    EXPECT_NE(message.find(test_case.named), std::string::npos) << message;
  }
}

TEST(AnnounceRequest, ErrorShowsBadValueReadably) {
  auto request = parse_announce(announce({{"port", "%01x"}}));
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.error().message.find("\"\\x01x\""), std::string::npos)
      << request.error().message;
}

TEST(PercentDecode, DecodesEscapesAndPlus) {
  auto decoded = percent_decode("a%20b+c%2B%00%ff");
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, "a b c+\0\xff"s);
}

TEST(PercentDecode, RejectsBadEscapes) {
  for (const char* text : {"%G1", "%4", "%", "ab%", "%1G", "%%41"}) {
    SCOPED_TRACE(text);
    auto decoded = percent_decode(text);
    ASSERT_FALSE(decoded.ok());
    EXPECT_NE(decoded.error().message.find("percent escape"), std::string::npos);
  }
}

// ---- bencode ----

TEST(Bencode, EncodesFailure) {
  EXPECT_EQ(encode_failure("unknown node"), "d14:failure reason12:unknown nodee");
}

TEST(Bencode, EncodesCompactPeersByteForByte) {
  AnnounceReply reply;
  reply.complete = 2;
  reply.incomplete = 1;
  reply.peers = {
      PeerNode{"r1", PeerRole::relay, "g", "10.0.0.1", 6881},
      PeerNode{"r2", PeerRole::relay, "g", "::1", 6882},
      PeerNode{"r3", PeerRole::relay, "g", "192.168.1.2", 80},
  };

  std::string expected = "d8:completei2e10:incompletei1e8:intervali30e12:min intervali5e"s +
                         "5:peers12:"s + "\x0a\x00\x00\x01\x1a\xe1"s + "\xc0\xa8\x01\x02\x00\x50"s +
                         "6:peers618:"s + std::string(15, '\0') + "\x01\x1a\xe2"s + "e"s;
  EXPECT_EQ(encode_reply(reply, true), expected);
}

TEST(Bencode, EncodesEmptyCompactPeers) {
  AnnounceReply reply;
  EXPECT_EQ(encode_reply(reply, true),
            "d8:completei0e10:incompletei0e8:intervali30e12:min intervali5e"
            "5:peers0:6:peers60:e");
}

TEST(Bencode, PutsMappedIpv4InPeers) {
  AnnounceReply reply;
  reply.peers = {PeerNode{"r1", PeerRole::relay, "g", "::ffff:10.0.0.1", 6881}};
  std::string body = encode_reply(reply, true);
  EXPECT_NE(body.find("5:peers6:\x0a\x00\x00\x01\x1a\xe1"s), std::string::npos);
  EXPECT_NE(body.find("6:peers60:"), std::string::npos);
}

TEST(Bencode, SkipsPeerWithoutIpLiteral) {
  AnnounceReply reply;
  reply.peers = {PeerNode{"r1", PeerRole::relay, "g", "relay.example", 6881}};
  EXPECT_NE(encode_reply(reply, true).find("5:peers0:6:peers60:"), std::string::npos);
  EXPECT_NE(encode_reply(reply, false).find("5:peersle"), std::string::npos);
}

TEST(Bencode, EncodesPeerDictionaries) {
  AnnounceReply reply;
  reply.peers = {PeerNode{"r1", PeerRole::relay, "g", "10.0.0.1", 6881},
                 PeerNode{"r2", PeerRole::relay, "g", "fd00::2", 80}};
  EXPECT_EQ(encode_reply(reply, false),
            "d8:completei0e10:incompletei0e8:intervali30e12:min intervali5e"
            "5:peersld2:ip8:10.0.0.14:porti6881eed2:ip7:fd00::24:porti80eeee");
}

// ---- SwarmTable ----

const SwarmTable::Clock::time_point start{seconds(1000)};

TEST(SwarmTable, KeepsMemberForItsLifetime) {
  SwarmTable table(seconds(120));
  table.announce("hash", "node-1", 6881, false, false, start);

  auto members = table.members("hash", start + seconds(120));

  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].node_id, "node-1");
  EXPECT_EQ(members[0].port, 6881);
  EXPECT_FALSE(members[0].seed);
}

TEST(SwarmTable, DropsMemberAfterLifetime) {
  SwarmTable table(seconds(120));
  table.announce("hash", "node-1", 6881, false, false, start);
  table.announce("hash", "node-2", 6882, true, false, start + seconds(60));

  auto members = table.members("hash", start + seconds(121));

  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].node_id, "node-2");
  EXPECT_TRUE(table.members("hash", start + seconds(181)).empty());
  EXPECT_EQ(table.swarm_count(), 0u);
}

TEST(SwarmTable, ReannounceRefreshesMember) {
  SwarmTable table(seconds(120));
  table.announce("hash", "node-1", 6881, false, false, start);
  table.announce("hash", "node-1", 7000, true, false, start + seconds(100));

  auto members = table.members("hash", start + seconds(200));

  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].port, 7000);
  EXPECT_TRUE(members[0].seed);
}

TEST(SwarmTable, StoppedRemovesMember) {
  SwarmTable table(seconds(120));
  table.announce("hash", "node-1", 6881, false, false, start);
  table.announce("hash", "node-2", 6882, false, false, start);
  table.announce("hash", "node-1", 6881, false, true, start + seconds(1));

  auto members = table.members("hash", start + seconds(2));

  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].node_id, "node-2");
}

TEST(SwarmTable, StoppedFromUnknownNodeAddsNothing) {
  SwarmTable table(seconds(120));
  table.announce("hash", "node-1", 6881, false, true, start);
  EXPECT_EQ(table.swarm_count(), 0u);
}

TEST(SwarmTable, KeepsSwarmsApart) {
  SwarmTable table(seconds(120));
  table.announce("hash-a", "node-1", 6881, false, false, start);
  table.announce("hash-b", "node-2", 6882, false, false, start);
  EXPECT_EQ(table.swarm_count(), 2u);
  ASSERT_EQ(table.members("hash-a", start).size(), 1u);
  EXPECT_EQ(table.members("hash-a", start)[0].node_id, "node-1");
}

TEST(SwarmTable, ExpireDropsIdleSwarms) {
  SwarmTable table(seconds(120));
  table.announce("hash-a", "node-1", 6881, false, false, start);
  table.announce("hash-b", "node-2", 6882, false, false, start + seconds(100));

  table.expire(start + seconds(150));

  EXPECT_EQ(table.swarm_count(), 1u);
  EXPECT_EQ(table.members("hash-b", start + seconds(150)).size(), 1u);
}

// ---- Tracker ----

class FakeDirectory : public NodeDirectory {
 public:
  void add(const std::string& announce_key, const PeerNode& node) {
    keys_[announce_key] = node.id;
    nodes_[node.id] = node;
  }
  void remove(const std::string& node_id) { nodes_.erase(node_id); }

  std::optional<PeerNode> find_by_announce_key(const std::string& announce_key) override {
    auto found = keys_.find(announce_key);
    return found == keys_.end() ? std::nullopt : find_by_id(found->second);
  }
  std::optional<PeerNode> find_by_id(const std::string& node_id) override {
    auto found = nodes_.find(node_id);
    return found == nodes_.end() ? std::nullopt : std::optional<PeerNode>(found->second);
  }
  bool is_known_info_hash(const std::string& info_hash_hex) override {
    return known_info_hashes.count(info_hash_hex) > 0;
  }
  const Topology& topology() override { return groups; }

  std::set<std::string> known_info_hashes = {info_hash_hex};
  Topology groups = {{"core", {"", false}}, {"branch", {"core", false}}};

 private:
  std::map<std::string, std::string> keys_;
  std::map<std::string, PeerNode> nodes_;
};

// Peers of a compact reply as "a.b.c.d:port".
std::set<std::string> compact_peers(const std::string& body) {
  std::set<std::string> peers;
  std::size_t key = body.find("5:peers");
  if (key == std::string::npos) {
    ADD_FAILURE() << "no peers in " << body;
    return peers;
  }
  std::size_t colon = body.find(':', key + 7);
  std::size_t length = std::stoul(body.substr(key + 7, colon - key - 7));
  std::string bytes = body.substr(colon + 1, length);
  for (std::size_t i = 0; i + 6 <= bytes.size(); i += 6) {
    auto byte = [&](std::size_t at) { return static_cast<unsigned char>(bytes[i + at]); };
    peers.insert(std::to_string(byte(0)) + "." + std::to_string(byte(1)) + "." +
                 std::to_string(byte(2)) + "." + std::to_string(byte(3)) + ":" +
                 std::to_string(byte(4) * 256 + byte(5)));
  }
  return peers;
}

bool is_failure(const std::string& body) { return body.rfind("d14:failure reason", 0) == 0; }

class TrackerTest : public ::testing::Test {
 protected:
  TrackerTest() : tracker(directory, [this] { return now; }, 1) {
    directory.add("key-core-r1", {"core-r1", PeerRole::relay, "core", "10.0.1.1", 0});
    directory.add("key-core-r2", {"core-r2", PeerRole::relay, "core", "10.0.1.2", 0});
    directory.add("key-branch-r1", {"branch-r1", PeerRole::relay, "branch", "10.0.2.1", 0});
    directory.add("key-branch-r2", {"branch-r2", PeerRole::relay, "branch", "10.0.2.2", 0});
    directory.add("key-branch-a1", {"branch-a1", PeerRole::agent, "branch", "10.0.2.101", 0});
  }

  std::string announce_as(const std::string& key, const std::string& port,
                          const std::string& left = "0", const std::string& event = "") {
    std::map<std::string, std::string> overrides = {{"port", port}, {"left", left}};
    if (!event.empty()) {
      overrides["event"] = event;
    }
    return tracker.handle_announce(announce(overrides, "/announce/" + key));
  }

  void announce_all_relays() {
    announce_as("key-core-r1", "7001");
    announce_as("key-core-r2", "7002");
    announce_as("key-branch-r1", "7003", "1024");
    announce_as("key-branch-r2", "7004", "1024");
  }

  FakeDirectory directory;
  SwarmTable::Clock::time_point now = start;
  Tracker tracker;
};

TEST_F(TrackerTest, UnknownKeyGetsFailure) {
  std::string body = tracker.handle_announce(announce({}, "/announce/not-enrolled"));
  EXPECT_TRUE(is_failure(body)) << body;
  EXPECT_NE(body.find("unknown node"), std::string::npos) << body;
  EXPECT_EQ(body.find("not-enrolled"), std::string::npos) << "the reply repeats the key";
}

TEST_F(TrackerTest, UnknownInfoHashGetsFailure) {
  directory.known_info_hashes.clear();
  std::string body = announce_as("key-branch-a1", "6881");
  EXPECT_TRUE(is_failure(body)) << body;
  EXPECT_NE(body.find("unknown info hash " + info_hash_hex), std::string::npos) << body;
}

TEST_F(TrackerTest, MalformedAnnounceGetsFailure) {
  std::string body = announce_as("key-branch-a1", "70000");
  EXPECT_TRUE(is_failure(body)) << body;
  EXPECT_NE(body.find("invalid announce: port"), std::string::npos) << body;
}

TEST_F(TrackerTest, GroupMissingFromTopologyGetsFailure) {
  directory.add("key-lost", {"lost-a1", PeerRole::agent, "lost", "10.0.9.1", 0});
  std::string body = announce_as("key-lost", "6881");
  EXPECT_TRUE(is_failure(body)) << body;
  EXPECT_NE(body.find("\"lost\""), std::string::npos) << body;
}

TEST_F(TrackerTest, BranchAgentNeverGetsCoreRelays) {
  announce_all_relays();
  std::string body = announce_as("key-branch-a1", "6881", "1024");
  ASSERT_FALSE(is_failure(body)) << body;
  EXPECT_EQ(compact_peers(body), (std::set<std::string>{"10.0.2.1:7003", "10.0.2.2:7004"}));
}

TEST_F(TrackerTest, BranchRelayGetsCoreRelays) {
  announce_all_relays();
  std::string body = announce_as("key-branch-r1", "7003", "1024");
  ASSERT_FALSE(is_failure(body)) << body;
  EXPECT_EQ(compact_peers(body),
            (std::set<std::string>{"10.0.1.1:7001", "10.0.1.2:7002", "10.0.2.2:7004"}));
}

TEST_F(TrackerTest, ReplyCountsSeedsAndDownloaders) {
  announce_all_relays();
  std::string body = announce_as("key-branch-a1", "6881", "1024");
  EXPECT_NE(body.find("d8:completei2e10:incompletei3e8:intervali30e12:min intervali5e"),
            std::string::npos)
      << body;
}

TEST_F(TrackerTest, ExpiredMembersAreNotHandedOut) {
  announce_as("key-branch-r1", "7003");
  now += seconds(60);
  announce_as("key-branch-r2", "7004");
  now += seconds(61);
  std::string body = announce_as("key-branch-a1", "6881", "1024");
  EXPECT_EQ(compact_peers(body), (std::set<std::string>{"10.0.2.2:7004"}));
}

TEST_F(TrackerTest, StoppedMembersAreNotHandedOut) {
  announce_all_relays();
  std::string stopped = announce_as("key-branch-r1", "7003", "0", "stopped");
  EXPECT_TRUE(compact_peers(stopped).empty());
  std::string body = announce_as("key-branch-a1", "6881", "1024");
  EXPECT_EQ(compact_peers(body), (std::set<std::string>{"10.0.2.2:7004"}));
}

TEST_F(TrackerTest, RevokedMembersAreNotHandedOut) {
  announce_all_relays();
  directory.remove("branch-r2");
  std::string body = announce_as("key-branch-a1", "6881", "1024");
  EXPECT_EQ(compact_peers(body), (std::set<std::string>{"10.0.2.1:7003"}));
}

}  // namespace
}  // namespace cascade::tracker
