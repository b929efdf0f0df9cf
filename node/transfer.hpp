#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>

#include "crypto/targets.hpp"
#include "node/peer_accounting.hpp"
#include "node/slice_plan.hpp"
#include "proto/cascade.pb.h"

namespace cascade::node {

// State of a release on this node.
enum class TransferPhase {
  slice,    // relay: pulling its own slice from outside the group
  group,    // pulling the rest from the group's relays
  seeding,  // relay: installed and serving
  done,     // agent: installed
  failed,   // waiting to retry
};

const char* to_string(TransferPhase phase);

// Fallback steps of a relay that stalls: first its upstream again (the
// parent group, or the primary source for a tier-1 group), then, for a
// child group, the primary source too.
enum class FallbackLevel { none, upstream, origin };

using Clock = std::chrono::steady_clock;

// One release on this node, from directive to done.
struct Transfer {
  proto::ReleaseDirective directive;
  crypto::TargetsMetadata metadata;
  std::string metadata_document;
  std::shared_ptr<lt::torrent_info> torrent;  // web seeds and trackers removed
  lt::torrent_handle handle;
  TransferPhase phase = TransferPhase::group;
  PieceRange slice;
  std::string web_seed_url;  // the primary source, from the torrent
  std::set<std::string> origin_addresses;  // its host's IP addresses
  FallbackLevel fallback = FallbackLevel::none;
  std::uint32_t fallbacks = 0;
  std::uint32_t hash_failures = 0;
  PeerAccounting accounting;
  std::uint64_t bytes_total = 0;
  std::uint64_t bytes_done = 0;
  std::int64_t last_progress_bytes = -1;
  Clock::time_point last_progress;
  Clock::time_point last_announce;
  Clock::time_point retry_at;
  std::string error;
  bool report_due = true;

  std::string label() const { return directive.name() + "/" + directive.version(); }
};

}  // namespace cascade::node
