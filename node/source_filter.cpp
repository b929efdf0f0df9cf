#include "node/source_filter.hpp"

#include <stdexcept>

#include <libtorrent/bdecode.hpp>
#include <libtorrent/peer_connection_handle.hpp>

namespace cascade::node {

void SourcePolicy::update(bool restricted, std::set<std::string> allowed_addresses) {
  std::lock_guard lock(mutex_);
  restricted_ = restricted;
  allowed_ = std::move(allowed_addresses);
}

bool SourcePolicy::may_download_from(const std::string& address) const {
  std::lock_guard lock(mutex_);
  return !restricted_ || allowed_.count(address) > 0;
}

void SourcePolicy::update_peers(std::set<std::string> peer_addresses) {
  std::lock_guard lock(mutex_);
  peers_known_ = true;
  peers_ = std::move(peer_addresses);
}

bool SourcePolicy::may_connect(const std::string& address) const {
  std::lock_guard lock(mutex_);
  return !peers_known_ || peers_.count(address) > 0;
}

namespace {

// Closes a connection from a peer the tracker would never have paired with
// this node. libtorrent closes a connection whose plugin throws from a
// message handler.
class RejectedPeerPlugin final : public lt::peer_plugin {
 public:
  explicit RejectedPeerPlugin(std::string address) : address_(std::move(address)) {}

  bool on_handshake(lt::span<const char>) override { reject(); }
  bool on_extension_handshake(const lt::bdecode_node&) override { reject(); }
  bool on_bitfield(const lt::bitfield&) override { reject(); }
  bool on_have_all() override { reject(); }
  bool on_have_none() override { reject(); }
  bool on_interested() override { reject(); }
  bool on_request(const lt::peer_request&) override { reject(); }

 private:
  [[noreturn]] void reject() const {
    throw std::runtime_error("peer " + address_ + " is not in this node's relay group");
  }

  std::string address_;
};

class SourcePeerPlugin final : public lt::peer_plugin {
 public:
  SourcePeerPlugin(std::shared_ptr<const SourcePolicy> policy, std::string address)
      : policy_(std::move(policy)), address_(std::move(address)) {}

  // Returning true consumes the message before libtorrent records it.
  bool on_have(lt::piece_index_t) override { return rejected(); }
  bool on_bitfield(const lt::bitfield&) override { return rejected(); }
  bool on_have_all() override { return rejected(); }
  bool on_allowed_fast(lt::piece_index_t) override { return rejected(); }
  bool on_suggest(lt::piece_index_t) override { return rejected(); }

 private:
  bool rejected() const { return !policy_->may_download_from(address_); }

  std::shared_ptr<const SourcePolicy> policy_;
  std::string address_;
};

class SourceTorrentPlugin final : public lt::torrent_plugin {
 public:
  explicit SourceTorrentPlugin(std::shared_ptr<const SourcePolicy> policy)
      : policy_(std::move(policy)) {}

  std::shared_ptr<lt::peer_plugin> new_connection(const lt::peer_connection_handle& peer) override {
    // libtorrent passes a web seed's implied have-all through the same
    // hook, so web seeds get no filter.
    if (peer.type() != lt::connection_type::bittorrent) {
      return nullptr;
    }
    auto address = peer.remote().address().to_string();
    if (!policy_->may_connect(address)) {
      return std::make_shared<RejectedPeerPlugin>(std::move(address));
    }
    return std::make_shared<SourcePeerPlugin>(policy_, std::move(address));
  }

 private:
  std::shared_ptr<const SourcePolicy> policy_;
};

}  // namespace

std::function<std::shared_ptr<lt::torrent_plugin>(const lt::torrent_handle&, lt::client_data_t)>
make_source_filter(std::shared_ptr<const SourcePolicy> policy) {
  return [policy](const lt::torrent_handle&, lt::client_data_t) {
    return std::make_shared<SourceTorrentPlugin>(policy);
  };
}

}  // namespace cascade::node
