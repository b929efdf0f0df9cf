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
// Agents fall back to the primary source only after this many stall
// timeouts, because their relays may themselves still be fetching.
constexpr int kAgentStallFactor = 3;

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

std::string hex_of(const lt::sha256_hash& hash) {
  return crypto::to_hex(std::string_view(hash.data(), hash.size()));
}

// A release of one file becomes a single-file torrent named after the
// file; any other release is a directory named after its version.
bool is_single_file(const lt::torrent_info& torrent) {
  // A v2 torrent may end in a pad file, which does not count.
  const auto& files = torrent.files();
  int real_files = 0;
  bool nested = false;
  for (auto index : files.file_range()) {
    if (files.pad_file_at(index)) continue;
    ++real_files;
    nested = nested || fs::path(files.file_path(index)).has_parent_path();
  }
  return real_files == 1 && !nested;
}

// Directory libtorrent saves into, so that files land under
// ROOT/NAME/VERSION/ in both torrent layouts.
std::string save_path_for(const lt::torrent_info& torrent, const std::string& name_dir,
                          const std::string& version) {
  return is_single_file(torrent) ? name_dir + "/" + version : name_dir;
}

// Checks that the torrent contains exactly the signed files, with the signed
// lengths. Piece hashes then bind every byte to the signed info hash.
Status check_torrent_files(const lt::torrent_info& torrent,
                           const crypto::TargetsMetadata& metadata) {
  std::map<std::string, std::uint64_t> expected;
  for (const auto& file : metadata.files) {
    expected[file.path] = file.length;
  }
  const auto& files = torrent.files();
  const std::string prefix = is_single_file(torrent) ? "" : metadata.release_version + "/";
  std::size_t seen = 0;
  for (auto index : files.file_range()) {
    if (files.pad_file_at(index)) {
      continue;
    }
    auto path = fs::path(files.file_path(index)).generic_string();
    if (path.rfind(prefix, 0) != 0) {
      return Error{"torrent file '" + path + "' is outside the release directory"};
    }
    path = path.substr(prefix.size());
    auto found = expected.find(path);
    if (found == expected.end()) {
      return Error{"torrent contains '" + path + "', which the signed metadata does not list"};
    }
    if (found->second != static_cast<std::uint64_t>(files.file_size(index))) {
      return Error{"torrent length of '" + path + "' differs from the signed metadata"};
    }
    ++seen;
  }
  if (seen != expected.size()) {
    return Error{"torrent lacks files that the signed metadata lists"};
  }
  return ok_status();
}

// Addresses of a URL's host, to tell web seed bytes from peer bytes.
std::set<std::string> resolve_url_host(const std::string& url) {
  std::set<std::string> addresses;
  auto parsed = http::Url::parse(url);
  if (!parsed) {
    return addresses;
  }
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::system::error_code error;
  for (const auto& entry : resolver.resolve(parsed->host, "", error)) {
    addresses.insert(entry.endpoint().address().to_string());
  }
  return addresses;
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

Status NodeDaemon::load_metadata(Transfer& transfer) {
  const auto& directive = transfer.directive;
  const auto& key = client_.enrolment().targets_key;
  const auto now = std::chrono::system_clock::now();
  auto matches = [&](const crypto::TargetsMetadata& metadata) {
    return metadata.release_name == directive.name() &&
           metadata.release_version == directive.version() &&
           metadata.info_hash == directive.info_hash();
  };

  // An installed release keeps the metadata it was verified against; while
  // that copy is current, the manager's copy is not needed.
  if (auto kept = store_.stored_metadata(directive.name(), directive.version())) {
    auto metadata = crypto::verify_targets(*kept, key, now);
    if (metadata && matches(*metadata)) {
      transfer.metadata = *metadata;
      transfer.metadata_document = *kept;
      return ok_status();
    }
  }

  auto document = client_.fetch_release_file(directive.name(), directive.version(), "targets.json");
  if (!document) {
    return document.error();
  }
  auto metadata = crypto::verify_targets(*document, key, now);
  if (!metadata) {
    return make_error("verify metadata of " + transfer.label(), metadata.error().message);
  }
  if (!matches(*metadata)) {
    return Error{"signed metadata of " + transfer.label() +
                 " names another release or info hash than the directive"};
  }
  const auto kept_version = store_.stored_metadata_version(directive.name(), directive.version());
  if (metadata->version < kept_version) {
    return Error{"metadata of " + transfer.label() + " has version " +
                 std::to_string(metadata->version) + ", older than the kept version " +
                 std::to_string(kept_version) + "; rejected as a rollback"};
  }
  if (kept_version > 0) {
    // The kept copy expired or was damaged; keep the newer one instead.
    if (auto saved = store_.save_metadata(directive.name(), directive.version(), *document);
        !saved) {
      return saved;
    }
  }
  transfer.metadata = *metadata;
  transfer.metadata_document = *document;
  return ok_status();
}

Status NodeDaemon::begin_download(Transfer& transfer) {
  const auto& directive = transfer.directive;
  if (auto loaded = load_metadata(transfer); !loaded) {
    return loaded;
  }
  for (const auto& file : transfer.metadata.files) {
    transfer.bytes_total += file.length;
  }
  const auto* metadata = &transfer.metadata;
  const bool installed = store_.is_installed(directive.name(), directive.version());
  if (installed && role_ != proto::ROLE_RELAY && !peer_sharing_) {
    transfer.phase = TransferPhase::done;
    transfer.bytes_done = transfer.bytes_total;
    return ok_status();
  }

  auto torrent_bytes =
      client_.fetch_release_file(directive.name(), directive.version(), "release.torrent");
  if (!torrent_bytes) {
    return torrent_bytes.error();
  }
  lt::error_code parse_error;
  auto torrent = std::make_shared<lt::torrent_info>(
      lt::span<const char>(torrent_bytes->data(), static_cast<long>(torrent_bytes->size())),
      parse_error, lt::from_span);
  if (parse_error) {
    return make_error("read torrent of " + transfer.label(), parse_error.message());
  }
  if (hex_of(torrent->info_hashes().v2) != metadata->info_hash) {
    return Error{"torrent of " + transfer.label() +
                 " does not match the signed info hash; the manager's copy is corrupt"};
  }
  if (auto files = check_torrent_files(*torrent, *metadata); !files) {
    return make_error("check torrent of " + transfer.label(), files.error().message);
  }
  if (!torrent->web_seeds().empty()) {
    transfer.web_seed_url = torrent->web_seeds().front().url;
    transfer.origin_addresses = resolve_url_host(transfer.web_seed_url);
  }
  // Peers come from our own tracker URL, which carries the announce key;
  // the primary source is added back only where the plan allows it.
  torrent->set_web_seeds({});
  torrent->clear_trackers();
  transfer.torrent = torrent;

  if (installed) {
    transfer.bytes_done = transfer.bytes_total;
    transfer.phase = TransferPhase::done;
    if (role_ == proto::ROLE_RELAY || peer_sharing_) {
      start_seeding(transfer);
    }
    return ok_status();
  }

  lt::add_torrent_params params;
  params.ti = torrent;
  params.save_path =
      save_path_for(*torrent, store_.staging_save_path(directive.name()), directive.version());
  params.trackers = {client_.enrolment().announce_url};
  params.flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused);
  transfer.phase = TransferPhase::group;
  if (role_ == proto::ROLE_RELAY) {
    transfer.phase = TransferPhase::slice;
    transfer.slice =
        slice_range(torrent->num_pieces(), directive.slice_index(), directive.slice_count());
    params.piece_priorities.assign(static_cast<std::size_t>(torrent->num_pieces()),
                                   lt::dont_download);
    for (int piece = transfer.slice.begin; piece < transfer.slice.end; ++piece) {
      params.piece_priorities[static_cast<std::size_t>(piece)] = lt::default_priority;
    }
    if (directive.fetch_from_origin() && !transfer.web_seed_url.empty()) {
      params.url_seeds = {transfer.web_seed_url};
    } else {
      // The parent group's relays stay reachable until the slice is in.
      params.flags &= ~lt::torrent_flags::apply_ip_filter;
    }
  } else if (directive.fetch_from_origin() && !transfer.web_seed_url.empty()) {
    params.url_seeds = {transfer.web_seed_url};
    transfer.fallback = FallbackLevel::origin;
    transfer.fallbacks += 1;
    logger()->warn("fallback release={} to=primary_source url={} reason=\"the group has no "
                   "relays\"",
                   transfer.label(), transfer.web_seed_url);
  }
  std::error_code error;
  fs::create_directories(params.save_path, error);
  // Failing before the download leaves no partial files to fill the disk.
  const auto space = fs::space(params.save_path, error);
  if (!error && space.available < transfer.bytes_total) {
    return Error{"not enough disk space for " + transfer.label() + ": it needs " +
                 std::to_string(transfer.bytes_total) + " bytes and " +
                 std::to_string(space.available) + " are free under " + config_.data_dir +
                 "; free some space"};
  }
  lt::error_code add_error;
  transfer.handle = session_->add_torrent(std::move(params), add_error);
  if (add_error) {
    return make_error("add torrent of " + transfer.label(), add_error.message());
  }
  logger()->info("download started release={} role={} phase={} slice={}-{} of {} pieces "
                 "from_origin={}",
                 transfer.label(), role_ == proto::ROLE_RELAY ? "relay" : "agent",
                 to_string(transfer.phase), transfer.slice.begin, transfer.slice.end,
                 torrent->num_pieces(), directive.fetch_from_origin());
  transfer.report_due = true;
  return ok_status();
}

void NodeDaemon::start_seeding(Transfer& transfer) {
  lt::add_torrent_params params;
  params.ti = transfer.torrent;
  params.save_path = save_path_for(*transfer.torrent,
                                   store_.installed_save_path(transfer.directive.name()),
                                   transfer.directive.version());
  params.trackers = {client_.enrolment().announce_url};
  params.flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused);
  // Every file was checked against the signed SHA-256 at install time.
  params.flags |= lt::torrent_flags::seed_mode;
  lt::error_code error;
  transfer.handle = session_->add_torrent(std::move(params), error);
  if (error) {
    fail(transfer, "seed " + transfer.label() + ": " + error.message());
    return;
  }
  transfer.phase = TransferPhase::seeding;
  transfer.bytes_done = transfer.bytes_total;
  transfer.report_due = true;
  // The staged copy was only kept for the torrent that downloaded it.
  remove_staging(transfer);
  logger()->info("seeding release={}", transfer.label());
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
