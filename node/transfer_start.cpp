// Starting a release on a node: signed metadata, the torrent checked against
// it, and the libtorrent torrent added with the download plan.

#include "node/node_daemon.hpp"

#include <filesystem>
#include <map>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <libtorrent/session.hpp>

#include "common/log.hpp"

namespace cascade::node {

namespace fs = std::filesystem;

namespace {

std::shared_ptr<spdlog::logger> logger() { return component_logger("node"); }

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

}  // namespace cascade::node
