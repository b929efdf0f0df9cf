#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <libtorrent/extensions.hpp>

namespace cascade::node {

// Which peers a node may download from. A relay downloads only from the
// relays of its own group and from its upstream (parent group's relays);
// every other peer (agents, child groups' relays) only downloads from it.
// Shared between the main thread, which updates it from directives, and
// libtorrent's network thread, which consults it.
class SourcePolicy {
 public:
  // `restricted` false lets the node download from any peer the tracker gave.
  void update(bool restricted, std::set<std::string> allowed_addresses);
  bool may_download_from(const std::string& address) const;

  // Addresses the tracker may pair this node with, in either direction.
  // Until the first update every address may connect.
  void update_peers(std::set<std::string> peer_addresses);
  bool may_connect(const std::string& address) const;

 private:
  mutable std::mutex mutex_;
  bool restricted_ = false;
  std::set<std::string> allowed_;
  bool peers_known_ = false;
  std::set<std::string> peers_;
};

// Returns a torrent plugin factory for lt::session::add_extension. For a
// peer the policy rejects, the plugin drops its have, bitfield, have-all,
// suggest and allowed-fast messages, so libtorrent records no pieces for
// that peer and never requests any from it. Uploads to that peer are
// unaffected. A connection from an address that may_connect rejects is
// closed at the BitTorrent handshake. Web seeds are never filtered.
std::function<std::shared_ptr<lt::torrent_plugin>(const lt::torrent_handle&, lt::client_data_t)>
make_source_filter(std::shared_ptr<const SourcePolicy> policy);

}  // namespace cascade::node
