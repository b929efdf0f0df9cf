#include "manager/release_builder.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/torrent_info.hpp>

#include "crypto/targets.hpp"

namespace cascade::manager {

namespace fs = std::filesystem;

namespace {

bool is_label_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' ||
         c == '-';
}

// Location of the files a release is built from. A new upload is copied
// to ORIGIN_ROOT/NAME/.partial-VERSION/VERSION first (the torrent's name
// is the directory's name) and renamed into place only when the release
// is complete, so a rejected publish leaves nothing at the primary source.
struct ContentPlacement {
  fs::path build_dir;    // directory the torrent and hashes are built from
  fs::path staging_dir;  // .partial-VERSION to rename from and clean up; empty if in place
  fs::path final_dir;    // ORIGIN_ROOT/NAME/VERSION

  void discard() const {
    std::error_code ignored;
    if (!staging_dir.empty()) fs::remove_all(staging_dir, ignored);
  }
};

// The primary source's web server usually runs as another user. Releases
// are public content, so the copy is made readable by everyone, whatever
// the source directory's mode was.
void make_world_readable(const fs::path& root, std::error_code& error) {
  const auto directory_mode = fs::perms::owner_all | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec;
  const auto file_mode = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                         fs::perms::others_read;
  fs::permissions(root, directory_mode, error);
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_symlink()) continue;
    fs::permissions(it->path(), it->is_directory() ? directory_mode : file_mode, error);
    if (error) return;
  }
}

Result<ContentPlacement> stage_files(const PublishRequest& request, const fs::path& origin_root) {
  const std::string operation = "publish " + request.name + " " + request.version;
  ContentPlacement placement;
  placement.final_dir = origin_root / request.name / request.version;
  std::error_code error;
  if (request.source_dir.empty()) {
    if (!fs::is_directory(placement.final_dir, error)) {
      return make_error(operation, "no directory given and " + placement.final_dir.string() +
                                       " does not exist at the primary source");
    }
    placement.build_dir = placement.final_dir;
    return placement;
  }
  if (!fs::is_directory(request.source_dir, error)) {
    return make_error(operation, request.source_dir + " is not a directory");
  }
  if (fs::exists(placement.final_dir, error)) {
    return make_error(operation, placement.final_dir.string() +
                                     " already exists at the primary source; publish a new version");
  }
  placement.staging_dir = origin_root / request.name / (".partial-" + request.version);
  placement.build_dir = placement.staging_dir / request.version;
  fs::remove_all(placement.staging_dir, error);
  fs::create_directories(placement.staging_dir, error);
  if (!error) {
    fs::copy(request.source_dir, placement.build_dir,
             fs::copy_options::recursive | fs::copy_options::copy_symlinks, error);
  }
  if (!error) {
    make_world_readable(placement.staging_dir, error);
  }
  if (error) {
    placement.discard();
    return make_error(operation, "copy " + request.source_dir + " to " +
                                     placement.build_dir.string() + ": " + error.message());
  }
  return placement;
}

Result<std::vector<crypto::TargetFile>> hash_files(const fs::path& root) {
  std::vector<crypto::TargetFile> files;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_symlink()) {
      return Error{"'" + it->path().lexically_relative(root).generic_string() +
                   "' is a symbolic link; publish regular files only"};
    }
    if (!it->is_regular_file()) {
      continue;
    }
    auto digest = crypto::sha256_file_hex(it->path().string());
    if (!digest) {
      return digest.error();
    }
    crypto::TargetFile file;
    file.path = fs::relative(it->path(), root).generic_string();
    file.length = it->file_size();
    file.sha256 = *digest;
    files.push_back(std::move(file));
  }
  if (error) {
    return Error{"read the directory: " + error.message()};
  }
  if (files.empty()) {
    return Error{"the directory contains no files"};
  }
  return files;
}

Status write_file(const std::string& path, const std::string& content) {
  auto partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) {
      return make_error("write " + path, "cannot write the file");
    }
  }
  std::error_code error;
  fs::rename(partial, path, error);
  if (error) {
    return make_error("write " + path, error.message());
  }
  return ok_status();
}

struct BuiltRelease {
  std::uint64_t total_bytes = 0;
  std::uint64_t file_count = 0;
  std::string info_hash;
};

// Hashes the files, builds the torrent and writes the signed metadata and
// the torrent to the output directory.
Result<BuiltRelease> build_metadata(const PublishRequest& request, const BuildSettings& settings,
                                    const crypto::KeyPair& targets_key, const fs::path& content) {
  const std::string operation = "publish " + request.name + " " + request.version;
  auto files = hash_files(content);
  if (!files) {
    const std::string source = request.source_dir.empty() ? content.string() : request.source_dir;
    return make_error(operation, source + ": " + files.error().message);
  }

  lt::file_storage storage;
  lt::add_files(storage, content.string());
  std::uint64_t total = static_cast<std::uint64_t>(storage.total_size());
  lt::create_torrent torrent(storage, choose_piece_size(total), lt::create_torrent::v2_only);
  torrent.set_priv(true);
  torrent.add_tracker(settings.announce_url);
  // libtorrent appends the torrent's name to a web seed URL that ends in
  // '/'. A multi-file torrent is named after the version; a release of one
  // file becomes a single-file torrent named after that file.
  const bool single_file = storage.num_files() == 1;
  torrent.add_url_seed(settings.origin_url + "/" + request.name + "/" +
                       (single_file ? request.version + "/" : ""));
  torrent.set_creator("cascade");
  lt::error_code hash_error;
  lt::set_piece_hashes(torrent, content.parent_path().string(), hash_error);
  if (hash_error) {
    return make_error(operation, "hash pieces: " + hash_error.message());
  }
  std::vector<char> torrent_bytes;
  lt::bencode(std::back_inserter(torrent_bytes), torrent.generate());
  lt::error_code parse_error;
  lt::torrent_info info(torrent_bytes, parse_error, lt::from_span);
  if (parse_error) {
    return make_error(operation, "read generated torrent: " + parse_error.message());
  }
  const auto& v2 = info.info_hashes().v2;
  const std::string info_hash = crypto::to_hex(std::string_view(v2.data(), v2.size()));

  crypto::TargetsMetadata metadata;
  metadata.version = settings.metadata_version;
  metadata.expires = settings.expires;
  metadata.release_name = request.name;
  metadata.release_version = request.version;
  metadata.info_hash = info_hash;
  metadata.files = std::move(*files);

  if (auto valid = crypto::validate_targets(metadata); !valid) {
    return make_error(operation, valid.error().message);
  }
  std::error_code error;
  fs::create_directories(settings.output_dir, error);
  if (error) {
    return make_error(operation, "create " + settings.output_dir + ": " + error.message());
  }
  std::string torrent_text(torrent_bytes.begin(), torrent_bytes.end());
  if (auto status = write_file(settings.output_dir + "/release.torrent", torrent_text); !status) {
    return status.error();
  }
  if (auto status = write_file(settings.output_dir + "/targets.json",
                               crypto::sign_targets(metadata, targets_key));
      !status) {
    return status.error();
  }

  return BuiltRelease{total, metadata.files.size(), info_hash};
}

}  // namespace

Status validate_release_label(const std::string& what, const std::string& text) {
  if (text.empty() || text.size() > 64) {
    return make_error("invalid " + what + " '" + text + "'", "expected 1 to 64 characters");
  }
  if (text[0] == '.' || text[0] == '-') {
    return make_error("invalid " + what + " '" + text + "'", "must not start with '.' or '-'");
  }
  for (char c : text) {
    if (!is_label_char(c)) {
      return make_error("invalid " + what + " '" + text + "'",
                        "use only letters, digits and . _ + -");
    }
  }
  return ok_status();
}

int choose_piece_size(std::uint64_t total_bytes) {
  std::uint64_t piece = 16 * 1024;
  while (piece < 8ull * 1024 * 1024 && total_bytes / piece > 1024) {
    piece *= 2;
  }
  return static_cast<int>(piece);
}

Result<Release> build_release(const PublishRequest& request, const BuildSettings& settings,
                              const crypto::KeyPair& targets_key) {
  for (const auto& [what, text] : {std::pair{"release name", request.name},
                                   std::pair{"release version", request.version}}) {
    if (auto status = validate_release_label(what, text); !status) {
      return status.error();
    }
  }
  const std::string operation = "publish " + request.name + " " + request.version;
  if (settings.origin_root.empty() || settings.origin_url.empty()) {
    return make_error(operation,
                      "origin_url and origin_root are not set in manager.conf; set both to "
                      "the primary source");
  }
  auto placement = stage_files(request, settings.origin_root);
  if (!placement) {
    return placement.error();
  }
  auto built = build_metadata(request, settings, targets_key, placement->build_dir);
  if (!built) {
    placement->discard();
    return built.error();
  }
  if (!placement->staging_dir.empty()) {
    std::error_code error;
    fs::rename(placement->build_dir, placement->final_dir, error);
    placement->discard();
    if (error) {
      return make_error(operation, "move " + placement->build_dir.string() + " to " +
                                       placement->final_dir.string() + ": " + error.message());
    }
  }
  const auto& [total, file_count, info_hash] = *built;

  Release release;
  release.name = request.name;
  release.version = request.version;
  release.metadata_version = settings.metadata_version;
  release.info_hash = info_hash;
  release.total_bytes = total;
  release.file_count = file_count;
  release.published_at = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  return release;
}

}  // namespace cascade::manager
