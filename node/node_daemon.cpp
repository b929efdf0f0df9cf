#include "node/node_daemon.hpp"

#include <filesystem>
#include <set>
#include <thread>

#include <libtorrent/alert_types.hpp>
#include <libtorrent/session.hpp>

#include "common/log.hpp"
#include "node/source_filter.hpp"
#include "node/torrent_session.hpp"

namespace cascade::node {

namespace fs = std::filesystem;

namespace {

constexpr auto kTickInterval = std::chrono::milliseconds(250);
constexpr auto kReportInterval = std::chrono::seconds(1);
constexpr auto kFullReportInterval = std::chrono::seconds(30);
// Retries of a failed release wait 15 s, doubling per failure up to 10 min,
// so a release that cannot succeed does not keep the manager busy.
constexpr auto kRetryDelay = std::chrono::seconds(15);
constexpr auto kMaxRetryDelay = std::chrono::seconds(600);

std::shared_ptr<spdlog::logger> logger() { return component_logger("node"); }

// Long-polls the manager for directives and leaves the latest in the
// mailbox. Owns copies of everything it uses.
void poll_directives(ManagerClient client, std::shared_ptr<void> mailbox_owner,
                     std::mutex* mutex, std::optional<proto::Directives>* latest,
                     const std::atomic<bool>* stop) {
  std::uint64_t after = 0;
  int failures = 0;
  while (!*stop) {
    auto directives = client.poll_directives(after);
    if (!directives) {
      // The first failure and then one in 15 are logged: a manager outage
      // must not flood the log.
      if (failures++ % 15 == 0) {
        logger()->warn("directive poll failed attempt={} error=\"{}\"", failures,
                       directives.error().message);
      }
      std::this_thread::sleep_for(std::chrono::seconds(2));
      continue;
    }
    if (failures > 0) {
      logger()->info("directive poll recovered after={} failures", failures);
      failures = 0;
    }
    after = directives->sequence();
    std::lock_guard lock(*mutex);
    *latest = std::move(*directives);
  }
}

}  // namespace

const char* to_string(TransferPhase phase) {
  switch (phase) {
    case TransferPhase::slice: return "slice";
    case TransferPhase::group: return "group";
    case TransferPhase::seeding: return "seeding";
    case TransferPhase::done: return "done";
    case TransferPhase::failed: return "failed";
  }
  return "unknown";
}

NodeDaemon::NodeDaemon(NodeConfig config, http::Url manager, Enrolment enrolment,
                       crypto::KeyPair identity)
    : config_(config),
      client_(std::move(manager), config.listen_address, std::move(enrolment), identity),
      store_(config) {}

NodeDaemon::~NodeDaemon() = default;

Status NodeDaemon::run(const std::atomic<bool>& stop) {
  if (auto prepared = store_.prepare(); !prepared) {
    return prepared;
  }
  session_ = make_torrent_session(config_);
  session_->add_extension(make_source_filter(source_policy_));
  logger()->info("node started node={} listen={}:{} manager={}", client_.enrolment().node_id,
                 config_.listen_address, config_.listen_port, config_.manager_url);

  auto mailbox = mailbox_;
  std::thread(poll_directives, client_, mailbox, &mailbox->mutex, &mailbox->latest, &stop)
      .detach();

  auto last_tick = Clock::now();
  auto last_report = last_tick;
  auto last_full_report = last_tick;
  while (!stop) {
    std::optional<proto::Directives> directives;
    {
      std::lock_guard lock(mailbox_->mutex);
      directives.swap(mailbox_->latest);
    }
    if (directives) {
      apply_directives(*directives);
    }
    session_->wait_for_alert(std::chrono::milliseconds(100));
    handle_alerts();
    const auto now = Clock::now();
    if (now - last_tick >= kTickInterval) {
      tick();
      last_tick = now;
    }
    if (now - last_report >= kReportInterval) {
      const bool full = now - last_full_report >= kFullReportInterval;
      send_reports(full);
      last_report = now;
      if (full) last_full_report = now;
    }
  }
  send_reports(true);
  logger()->info("node stopping node={}", client_.enrolment().node_id);
  session_.reset();
  return ok_status();
}

void NodeDaemon::apply_directives(const proto::Directives& directives) {
  if (directives.role() != role_) {
    logger()->info("role changed role={} group={}",
                   directives.role() == proto::ROLE_RELAY ? "relay" : "agent",
                   directives.group());
  }
  role_ = directives.role();
  peer_sharing_ = directives.peer_sharing();
  stall_timeout_seconds_ = std::max<std::uint32_t>(directives.stall_timeout_seconds(), 1);

  std::set<std::string> upstream;
  for (const auto& release : directives.releases()) {
    upstream.insert(release.upstream_addresses().begin(), release.upstream_addresses().end());
  }
  set_blocked_addresses(*session_, {upstream.begin(), upstream.end()});
  std::set<std::string> sources = upstream;
  sources.insert(directives.group_relay_addresses().begin(),
                 directives.group_relay_addresses().end());
  source_policy_->update(role_ == proto::ROLE_RELAY, std::move(sources));
  source_policy_->update_peers(
      {directives.allowed_peer_addresses().begin(), directives.allowed_peer_addresses().end()});

  for (const auto& release : directives.releases()) {
    const std::string key = release.name() + "/" + release.version();
    auto found = transfers_.find(key);
    if (found == transfers_.end()) {
      start_transfer(release);
    } else if (found->second.phase == TransferPhase::done &&
               (role_ == proto::ROLE_RELAY || peer_sharing_)) {
      start_seeding(found->second);
    }
  }
}

void NodeDaemon::start_transfer(const proto::ReleaseDirective& directive) {
  const std::string key = directive.name() + "/" + directive.version();
  Transfer& transfer = transfers_[key];
  transfer = Transfer{};
  transfer.directive = directive;
  transfer.last_progress = Clock::now();
  transfer.last_announce = Clock::now();
  if (auto started = begin_download(transfer); !started) {
    fail(transfer, started.error().message);
  }
}

void NodeDaemon::on_finished(Transfer& transfer) {
  if (transfer.phase != TransferPhase::slice && transfer.phase != TransferPhase::group) {
    return;
  }
  // libtorrent reports "finished" when every wanted piece is in. A relay
  // in its slice phase wants only its slice, so wait for all pieces.
  if (!transfer.handle.status().is_seeding) {
    return;
  }
  if (auto installed = store_.install(transfer.metadata, transfer.metadata_document); !installed) {
    fail(transfer, installed.error().message);
    return;
  }
  transfer.bytes_done = transfer.bytes_total;
  transfer.report_due = true;
  failure_counts_.erase(transfer.label());
  logger()->info("release installed release={} path={} origin_bytes={} peers={} fallbacks={} "
                 "hash_failures={}",
                 transfer.label(),
                 store_.installed_dir(transfer.directive.name(), transfer.directive.version()),
                 transfer.accounting.origin_bytes(), transfer.accounting.bytes_by_address().size(),
                 transfer.fallbacks, transfer.hash_failures);
  if (role_ == proto::ROLE_RELAY || peer_sharing_) {
    // The installed files are hard links of the staged ones, so the torrent
    // keeps seeding from the staging path without a pause. After a restart
    // it seeds from the installed path.
    transfer.phase = TransferPhase::seeding;
    logger()->info("seeding release={}", transfer.label());
    return;
  }
  transfer.phase = TransferPhase::done;
  session_->remove_torrent(transfer.handle);
  transfer.handle = lt::torrent_handle();
  remove_staging(transfer);
}

void NodeDaemon::remove_staging(Transfer& transfer) {
  std::error_code error;
  fs::remove_all(store_.staging_save_path(transfer.directive.name()) + "/" +
                     transfer.directive.version(),
                 error);
}

void NodeDaemon::fail(Transfer& transfer, const std::string& error) {
  const int failures = ++failure_counts_[transfer.label()];
  auto delay = kRetryDelay * (1 << std::min(failures - 1, 6));
  delay = std::min<decltype(delay)>(delay, kMaxRetryDelay);
  logger()->error("release failed release={} error=\"{}\" failures={} retry_in={}s",
                  transfer.label(), error, failures, delay.count());
  if (transfer.handle.is_valid()) {
    session_->remove_torrent(transfer.handle);
    transfer.handle = lt::torrent_handle();
  }
  transfer.phase = TransferPhase::failed;
  transfer.error = error;
  transfer.retry_at = Clock::now() + delay;
  transfer.report_due = true;
}

Transfer* NodeDaemon::find_by_handle(const lt::torrent_handle& handle) {
  for (auto& [key, transfer] : transfers_) {
    if (transfer.handle.is_valid() && transfer.handle == handle) {
      return &transfer;
    }
  }
  return nullptr;
}

void NodeDaemon::handle_alerts() {
  std::vector<lt::alert*> alerts;
  session_->pop_alerts(&alerts);
  for (lt::alert* alert : alerts) {
    if (auto* finished = lt::alert_cast<lt::torrent_finished_alert>(alert)) {
      if (auto* transfer = find_by_handle(finished->handle)) on_finished(*transfer);
    } else if (auto* block = lt::alert_cast<lt::block_finished_alert>(alert)) {
      if (auto* transfer = find_by_handle(block->handle)) count_block(*transfer, *block);
    } else if (auto* hash_failed = lt::alert_cast<lt::hash_failed_alert>(alert)) {
      if (auto* transfer = find_by_handle(hash_failed->handle)) {
        // Only the first failure and then one in 100 are logged, because a
        // corrupt peer can cause many.
        if (transfer->hash_failures++ % 100 == 0) {
          logger()->warn("piece hash failed release={} piece={} failures={}", transfer->label(),
                         static_cast<int>(hash_failed->piece_index), transfer->hash_failures);
        }
        transfer->report_due = true;
      }
    } else if (auto* error = lt::alert_cast<lt::torrent_error_alert>(alert)) {
      if (auto* transfer = find_by_handle(error->handle)) fail(*transfer, error->message());
    } else if (auto* file_error = lt::alert_cast<lt::file_error_alert>(alert)) {
      if (auto* transfer = find_by_handle(file_error->handle)) {
        // A write error (a full disk, most often) leaves partial files; they
        // are deleted so they do not block other releases.
        session_->remove_torrent(transfer->handle, lt::session::delete_files);
        transfer->handle = lt::torrent_handle();
        fail(*transfer, std::string("disk error on ") + file_error->filename() + " during " +
                            lt::operation_name(file_error->op) + ": " +
                            file_error->error.message() + "; check free space under " +
                            config_.data_dir);
      }
    } else if (auto* tracker_error = lt::alert_cast<lt::tracker_error_alert>(alert)) {
      logger()->warn("announce failed error=\"{}\"", tracker_error->message());
    } else if (lt::alert_cast<lt::alerts_dropped_alert>(alert) != nullptr) {
      logger()->warn("libtorrent dropped alerts; per-peer byte counts are now too low");
    } else if (auto* ban = lt::alert_cast<lt::peer_ban_alert>(alert)) {
      logger()->warn("peer banned for corrupt data peer={}", ban->endpoint.address().to_string());
    }
  }
}

void NodeDaemon::send_reports(bool all) {
  proto::StatusReport report;
  for (auto& [key, transfer] : transfers_) {
    if (!transfer.report_due && !all) {
      continue;
    }
    auto* item = report.add_releases();
    item->set_name(transfer.directive.name());
    item->set_version(transfer.directive.version());
    switch (transfer.phase) {
      case TransferPhase::slice:
      case TransferPhase::group: item->set_state(proto::STATE_DOWNLOADING); break;
      case TransferPhase::seeding:
      case TransferPhase::done: item->set_state(proto::STATE_DONE); break;
      case TransferPhase::failed: item->set_state(proto::STATE_FAILED); break;
    }
    item->set_bytes_total(transfer.bytes_total);
    item->set_bytes_done(transfer.bytes_done);
    item->set_origin_bytes(transfer.accounting.origin_bytes());
    for (const auto& [address, bytes] : transfer.accounting.bytes_by_address()) {
      auto* peer = item->add_peers();
      peer->set_address(address);
      peer->set_bytes(bytes);
    }
    item->set_error(transfer.error);
    item->set_fallbacks(transfer.fallbacks);
    item->set_hash_failures(transfer.hash_failures);
  }
  if (report.releases_size() == 0) {
    return;
  }
  if (auto sent = client_.send_report(report); !sent) {
    logger()->warn("report failed error=\"{}\"", sent.error().message);
    return;
  }
  for (auto& [key, transfer] : transfers_) {
    transfer.report_due = false;
  }
}

}  // namespace cascade::node
