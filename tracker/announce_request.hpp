#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace cascade::tracker {

enum class AnnounceEvent { none, started, completed, stopped };

// An HTTP announce (BEP 3) to a path of the form /announce/ANNOUNCE_KEY.
struct AnnounceRequest {
  std::string announce_key;
  std::array<std::uint8_t, 20> info_hash{};
  std::array<std::uint8_t, 20> peer_id{};
  std::uint16_t port = 0;
  std::uint64_t uploaded = 0;
  std::uint64_t downloaded = 0;
  std::uint64_t left = 0;
  AnnounceEvent event = AnnounceEvent::none;
  bool compact = true;
  int numwant = 50;
};

// Parses the request target (path and query). Rejects, with a message
// naming the parameter: a path that is not /announce/KEY, a missing or
// malformed info_hash or peer_id (not exactly 20 bytes after
// percent-decoding), a missing or out-of-range port, non-numeric
// counters, an unknown event and bad percent-encoding.
Result<AnnounceRequest> parse_announce(std::string_view target);

// Percent-decodes a query value; returns an error on a truncated or
// non-hex escape.
Result<std::string> percent_decode(std::string_view text);

}  // namespace cascade::tracker
