#include "node/source_filter.hpp"

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

namespace {

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
    return std::make_shared<SourcePeerPlugin>(policy_, peer.remote().address().to_string());
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
