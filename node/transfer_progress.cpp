// Following a download: byte counts per peer, the slice phase of relays,
// stall fallbacks and reannounces.

#include "node/node_daemon.hpp"

#include <algorithm>

#include <libtorrent/alert_types.hpp>
#include <libtorrent/session.hpp>

#include "common/log.hpp"

namespace cascade::node {

namespace {

// Agents fall back to the primary source only after this many stall
// timeouts, because their relays may themselves still be fetching.
constexpr int kAgentStallFactor = 3;

std::shared_ptr<spdlog::logger> logger() { return component_logger("node"); }

}  // namespace

void NodeDaemon::count_block(Transfer& transfer, const lt::block_finished_alert& block) {
  constexpr int kBlockSize = 16 * 1024;
  const auto& files = transfer.torrent->files();
  const std::int64_t offset = static_cast<std::int64_t>(block.block_index) * kBlockSize;
  const int length = static_cast<int>(std::min<std::int64_t>(
      kBlockSize, files.piece_size(block.piece_index) - offset));
  if (length <= 0) {
    return;
  }
  // Pad bytes between files of a v2 torrent are never sent.
  std::uint64_t bytes = 0;
  for (const auto& slice : files.map_block(block.piece_index, offset, length)) {
    if (!files.pad_file_at(slice.file_index)) {
      bytes += static_cast<std::uint64_t>(slice.size);
    }
  }
  const auto address = block.endpoint.address().to_string();
  transfer.accounting.add(address, bytes, transfer.origin_addresses.count(address) > 0);
}

void NodeDaemon::tick() {
  const auto now = Clock::now();
  std::vector<proto::ReleaseDirective> retries;
  for (auto& [key, transfer] : transfers_) {
    if (transfer.phase == TransferPhase::failed && now >= transfer.retry_at) {
      retries.push_back(transfer.directive);
      continue;
    }
    if (transfer.phase != TransferPhase::slice && transfer.phase != TransferPhase::group) {
      continue;
    }
    const auto status = transfer.handle.status(lt::torrent_handle::query_pieces);
    const auto done = static_cast<std::uint64_t>(status.total_done);
    if (done != transfer.bytes_done) {
      transfer.bytes_done = done;
      transfer.report_due = true;
    }
    if (transfer.phase == TransferPhase::slice) {
      update_slice_phase(transfer, status);
    }
    check_stall(transfer, now);
    // Reannounce every second while the download stalls or has fewer than
    // 2 peers: relays join the swarm up to seconds after the nodes that
    // need them, and a relay's peers may all be agents with nothing to give.
    const bool progressing = now - transfer.last_progress < std::chrono::seconds(2);
    const auto announce_every = progressing && status.num_peers >= 2 ? std::chrono::seconds(15)
                                                                     : std::chrono::seconds(1);
    if (now - transfer.last_announce >= announce_every) {
      transfer.handle.force_reannounce(0, -1, lt::torrent_handle::ignore_min_interval);
      transfer.last_announce = now;
    }
  }
  for (const auto& directive : retries) {
    start_transfer(directive);
  }
}

void NodeDaemon::update_slice_phase(Transfer& transfer, const lt::torrent_status& status) {
  for (int piece = transfer.slice.begin; piece < transfer.slice.end; ++piece) {
    if (!status.pieces.get_bit(lt::piece_index_t(piece))) {
      return;
    }
  }
  transfer.phase = TransferPhase::group;
  transfer.last_progress = Clock::now();
  std::vector<lt::download_priority_t> priorities(
      static_cast<std::size_t>(transfer.torrent->num_pieces()), lt::default_priority);
  transfer.handle.prioritize_pieces(priorities);
  if (transfer.directive.fetch_from_origin()) {
    transfer.handle.remove_url_seed(transfer.web_seed_url);
  } else {
    transfer.handle.set_flags(lt::torrent_flags::apply_ip_filter);
  }
  logger()->info("slice complete release={} pieces={}-{}; fetching the rest from the group",
                 transfer.label(), transfer.slice.begin, transfer.slice.end);
}

void NodeDaemon::check_stall(Transfer& transfer, Clock::time_point now) {
  const auto done = static_cast<std::int64_t>(transfer.bytes_done);
  if (done > transfer.last_progress_bytes) {
    transfer.last_progress_bytes = done;
    transfer.last_progress = now;
    return;
  }
  const bool relay = role_ == proto::ROLE_RELAY;
  const auto timeout =
      std::chrono::seconds(stall_timeout_seconds_ * (relay ? 1 : kAgentStallFactor));
  if (now - transfer.last_progress < timeout || transfer.fallback == FallbackLevel::origin) {
    return;
  }
  transfer.last_progress = now;
  transfer.fallbacks += 1;
  transfer.report_due = true;
  const bool child_relay = relay && !transfer.directive.fetch_from_origin();
  if (child_relay && transfer.fallback == FallbackLevel::none &&
      transfer.phase == TransferPhase::group) {
    transfer.fallback = FallbackLevel::upstream;
    transfer.handle.unset_flags(lt::torrent_flags::apply_ip_filter);
    transfer.handle.force_reannounce(0, -1, lt::torrent_handle::ignore_min_interval);
    logger()->warn("fallback release={} to=parent_group reason=\"no progress for {} s\"",
                   transfer.label(), timeout.count());
    return;
  }
  if (transfer.web_seed_url.empty()) {
    return;
  }
  transfer.fallback = FallbackLevel::origin;
  transfer.handle.add_url_seed(transfer.web_seed_url);
  logger()->warn("fallback release={} to=primary_source url={} reason=\"no progress for {} s\"",
                 transfer.label(), transfer.web_seed_url, timeout.count());
}

}  // namespace cascade::node
