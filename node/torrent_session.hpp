#pragma once

#include <memory>
#include <string>
#include <vector>

#include <libtorrent/session.hpp>

#include "node/node_config.hpp"

namespace cascade::node {

// Builds the libtorrent session of a node: private swarms only (no DHT,
// local service discovery, peer exchange, UPnP or NAT-PMP), TCP only,
// bound to the node's own address, POSIX disk back end.
std::unique_ptr<lt::session> make_torrent_session(const NodeConfig& config);

// Blocks the given addresses for torrents that have the apply_ip_filter
// flag. Relays of a child group use it to stop pulling from the parent
// group once their own slice is complete.
void set_blocked_addresses(lt::session& session, const std::vector<std::string>& addresses);

}  // namespace cascade::node
