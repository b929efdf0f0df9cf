#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <libtorrent/fwd.hpp>

#include "node/manager_client.hpp"
#include "node/node_config.hpp"
#include "node/release_store.hpp"
#include "node/source_filter.hpp"
#include "node/transfer.hpp"

namespace cascade::node {

// The node's main loop: follows the manager's directives, downloads and
// verifies releases, installs them, seeds them when it is a relay and
// reports progress.
class NodeDaemon {
 public:
  NodeDaemon(NodeConfig config, http::Url manager, Enrolment enrolment, crypto::KeyPair identity);
  ~NodeDaemon();

  // Runs until `stop` becomes true.
  Status run(const std::atomic<bool>& stop);

 private:
  void apply_directives(const proto::Directives& directives);
  void start_transfer(const proto::ReleaseDirective& directive);
  Status load_metadata(Transfer& transfer);
  Status begin_download(Transfer& transfer);
  void start_seeding(Transfer& transfer);
  void handle_alerts();
  void on_finished(Transfer& transfer);
  void fail(Transfer& transfer, const std::string& error);
  void tick();
  void update_slice_phase(Transfer& transfer, const lt::torrent_status& status);
  void check_stall(Transfer& transfer, Clock::time_point now);
  void count_block(Transfer& transfer, const lt::block_finished_alert& block);
  void remove_staging(Transfer& transfer);
  void send_reports(bool all);
  Transfer* find_by_handle(const lt::torrent_handle& handle);

  NodeConfig config_;
  ManagerClient client_;
  ReleaseStore store_;
  std::unique_ptr<lt::session> session_;

  // Latest directives from the long-poll thread. Shared, because the
  // thread may still be blocked in a poll when the daemon is destroyed.
  struct Mailbox {
    std::mutex mutex;
    std::optional<proto::Directives> latest;
  };
  std::shared_ptr<Mailbox> mailbox_ = std::make_shared<Mailbox>();

  std::shared_ptr<SourcePolicy> source_policy_ = std::make_shared<SourcePolicy>();
  proto::Role role_ = proto::ROLE_AGENT;
  bool peer_sharing_ = false;
  std::uint32_t stall_timeout_seconds_ = 10;
  std::map<std::string, Transfer> transfers_;  // by "NAME/VERSION"
  std::map<std::string, int> failure_counts_;  // consecutive, by "NAME/VERSION"
};

}  // namespace cascade::node
