// Announce throughput of the tracker logic, without sockets. The baseline
// is parse_announce alone, so the figures show what peer selection and
// the swarm table add on top of parsing.
//
// Run: build/bench/tracker_announce_bench

#include <map>
#include <optional>
#include <string>

#include <benchmark/benchmark.h>

#include "tracker/announce_request.hpp"
#include "tracker/tracker.hpp"

namespace {

using namespace cascade::tracker;

const std::string kInfoHashHex = "0123456789abcdef0123456789abcdef01234567";

class BenchDirectory : public NodeDirectory {
 public:
  std::optional<PeerNode> find_by_announce_key(const std::string& key) override {
    auto found = keys_.find(key);
    return found == keys_.end() ? std::nullopt : find_by_id(found->second);
  }
  std::optional<PeerNode> find_by_id(const std::string& id) override {
    auto found = nodes_.find(id);
    return found == nodes_.end() ? std::nullopt : std::optional<PeerNode>(found->second);
  }
  bool is_known_info_hash(const std::string& hex) override { return hex == kInfoHashHex; }
  const Topology& topology() override { return topology_; }

  void add(const std::string& key, PeerNode node) {
    keys_[key] = node.id;
    nodes_[node.id] = std::move(node);
  }

 private:
  std::map<std::string, std::string> keys_;
  std::map<std::string, PeerNode> nodes_;
  Topology topology_ = {{"core", {"", false}}};
};

std::string percent_encode_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) out += "%" + hex.substr(i, 2);
  return out;
}

std::string announce_target(int node) {
  return "/announce/key" + std::to_string(node) + "?info_hash=" + percent_encode_hex(kInfoHashHex) +
         "&peer_id=-CD0001-000000000000&port=6881&uploaded=0&downloaded=0&left=1000&compact=1"
         "&numwant=50";
}

// One group of `relays` relays and `agents` agents, all in the swarm.
struct Swarm {
  Swarm(int relays, int agents)
      : tracker(directory, [] { return SwarmTable::Clock::now(); }, 42) {
    for (int i = 0; i < relays + agents; ++i) {
      PeerNode node;
      node.id = "n" + std::to_string(i);
      node.role = i < relays ? PeerRole::relay : PeerRole::agent;
      node.group = "core";
      node.address = "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
      node.port = 6881;
      directory.add("key" + std::to_string(i), node);
      tracker.handle_announce(announce_target(i));
      targets.push_back(announce_target(i));
    }
  }
  BenchDirectory directory;
  Tracker tracker;
  std::vector<std::string> targets;
};

void BM_ParseAnnounceBaseline(benchmark::State& state) {
  const auto target = announce_target(1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(parse_announce(target));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAnnounceBaseline);

void BM_HandleAnnounce(benchmark::State& state) {
  Swarm swarm(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  std::size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(swarm.tracker.handle_announce(swarm.targets[next]));
    next = (next + 1) % swarm.targets.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HandleAnnounce)->Args({2, 8})->Args({10, 1000})->Args({10, 10000});

}  // namespace

BENCHMARK_MAIN();
