#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tracker/peer_policy.hpp"

namespace cascade::tracker {

// Bencoded tracker reply with only a "failure reason" (BEP 3).
std::string encode_failure(const std::string& reason);

struct AnnounceReply {
  int interval_seconds = 30;
  int min_interval_seconds = 5;
  std::uint64_t complete = 0;    // seeds in the swarm
  std::uint64_t incomplete = 0;  // downloaders in the swarm
  std::vector<PeerNode> peers;
};

// Bencoded announce reply. With `compact`, IPv4 peers go into "peers" as
// 6-byte entries (BEP 23) and IPv6 peers into "peers6" as 18-byte entries
// (BEP 7). Without it, "peers" is a list of dictionaries. A peer whose
// address is not an IP literal is left out, since no client could use it.
std::string encode_reply(const AnnounceReply& reply, bool compact);

}  // namespace cascade::tracker
