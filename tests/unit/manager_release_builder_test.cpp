#include "manager/release_builder.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <libtorrent/torrent_info.hpp>

#include "crypto/keys.hpp"
#include "tests/unit/temp_files.hpp"
#include "crypto/targets.hpp"

namespace cascade::manager {
namespace {

namespace fs = std::filesystem;
using cascade::testing::read_text;
using cascade::testing::TempDir;
using cascade::testing::write_text;
using namespace std::chrono_literals;

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;

const std::string kOriginUrl = "http://127.0.0.1:1";
const std::string kAnnounceUrl = "http://127.0.0.1:1/announce";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool is_power_of_two(std::uint64_t value) { return value != 0 && (value & (value - 1)) == 0; }


std::string lowercase_hex(const char* data, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (std::size_t i = 0; i < size; ++i) {
    const auto byte = static_cast<unsigned char>(data[i]);
    hex.push_back(digits[byte >> 4]);
    hex.push_back(digits[byte & 0x0f]);
  }
  return hex;
}

// Content of the sample release, by path relative to its root. The binary
// file spans several 16 KiB pieces.
std::map<std::string, std::string> sample_files() {
  std::string binary;
  for (int i = 0; i < 40000; ++i) {
    binary.push_back(static_cast<char>(i * 7 % 251));
  }
  return {{"readme.txt", "security update\n"},
          {"libssl3.deb", binary},
          {"docs/changelog.txt", "fix CVE-2026-0001\n"}};
}

void write_files(const fs::path& root, const std::map<std::string, std::string>& files) {
  for (const auto& [path, content] : files) {
    write_text(root / path, content);
  }
}

// A source directory, a primary source root and an output directory, all
// under one temporary directory, with a fresh targets key.
class ReleaseBuilderTest : public ::testing::Test {
 protected:
  ReleaseBuilderTest() {
    source = temp.path() / "source";
    origin_root = temp.path() / "origin";
    output_dir = temp.path() / "output";
    fs::create_directories(source);
    fs::create_directories(origin_root);
    keys = crypto::generate_key_pair();

    settings.origin_url = kOriginUrl;
    settings.origin_root = origin_root.string();
    settings.announce_url = kAnnounceUrl;
    settings.output_dir = output_dir.string();
    settings.metadata_version = 3;
    settings.expires = std::chrono::system_clock::now() + 24h;
  }

  PublishRequest request_for(const fs::path& source_dir) const {
    return PublishRequest{"debs", "2026-12", source_dir.string()};
  }

  fs::path release_dir() const { return origin_root / "debs" / "2026-12"; }

  TempDir temp;
  fs::path source;
  fs::path origin_root;
  fs::path output_dir;
  crypto::KeyPair keys;
  BuildSettings settings;
};

TEST(ReleaseLabel, AcceptsUsualLabels) {
  for (const auto* label : {"1.0", "debs_2026-12", "openssl+fix", "a", "3.0.11-1"}) {
    EXPECT_TRUE(validate_release_label("release version", label).ok()) << label;
  }
  EXPECT_TRUE(validate_release_label("release name", std::string(64, 'x')).ok());
}

TEST(ReleaseLabel, RejectsBadLabels) {
  for (const std::string& label :
       {std::string(), std::string(".hidden"), std::string("-x"), std::string("a/b"),
        std::string(".."), std::string("a b"), std::string("a\\b"), std::string(65, 'x')}) {
    EXPECT_FALSE(validate_release_label("release name", label).ok()) << "'" << label << "'";
  }
}

TEST(ReleaseLabel, ErrorNamesFieldAndValue) {
  const auto status = validate_release_label("release name", "a/b");
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.error().message, "release name")) << status.error().message;
  EXPECT_TRUE(contains(status.error().message, "a/b")) << status.error().message;
}

TEST(PieceSize, PowerOfTwoWithinBounds) {
  for (std::uint64_t total : {std::uint64_t{0}, std::uint64_t{1}, 16 * kKiB, 1 * kMiB,
                              100 * kMiB, std::uint64_t{100'000'000}, 5000 * kMiB,
                              100'000 * kMiB}) {
    const auto piece = static_cast<std::uint64_t>(choose_piece_size(total));
    EXPECT_TRUE(is_power_of_two(piece)) << total;
    EXPECT_GE(piece, 16 * kKiB) << total;
    EXPECT_LE(piece, 8 * kMiB) << total;
  }
}

TEST(PieceSize, SmallReleaseUsesMinimum) {
  EXPECT_EQ(choose_piece_size(0), 16 * 1024);
  EXPECT_EQ(choose_piece_size(1 * kMiB), 16 * 1024);
}

TEST(PieceSize, HugeReleaseUsesMaximum) {
  EXPECT_EQ(choose_piece_size(100'000 * kMiB), 8 * 1024 * 1024);
}

TEST(PieceSize, HundredMegabytesKeepsPiecesAt1024) {
  for (std::uint64_t total : {100 * kMiB, std::uint64_t{100'000'000}}) {
    const auto piece = static_cast<std::uint64_t>(choose_piece_size(total));
    const auto pieces = (total + piece - 1) / piece;
    EXPECT_LE(pieces, 1024u) << total;
    // Half the piece size would exceed 1024 pieces, so this is the smallest fit.
    EXPECT_GT((total + piece / 2 - 1) / (piece / 2), 1024u) << total;
  }
}

TEST_F(ReleaseBuilderTest, CopiesFilesToOrigin) {
  write_files(source, sample_files());
  auto release = build_release(request_for(source), settings, keys);
  ASSERT_TRUE(release.ok()) << release.error().message;
  for (const auto& [path, content] : sample_files()) {
    EXPECT_EQ(read_text(release_dir() / path), content) << path;
  }
}

TEST_F(ReleaseBuilderTest, WritesTorrentAndTargets) {
  write_files(source, sample_files());
  auto release = build_release(request_for(source), settings, keys);
  ASSERT_TRUE(release.ok()) << release.error().message;
  EXPECT_TRUE(fs::is_regular_file(output_dir / "release.torrent"));
  EXPECT_TRUE(fs::is_regular_file(output_dir / "targets.json"));
}

TEST_F(ReleaseBuilderTest, TargetsVerifyAndListEveryFile) {
  write_files(source, sample_files());
  auto release = build_release(request_for(source), settings, keys);
  ASSERT_TRUE(release.ok()) << release.error().message;

  auto metadata = crypto::verify_targets(read_text(output_dir / "targets.json"), keys.public_key,
                                         std::chrono::system_clock::now());
  ASSERT_TRUE(metadata.ok()) << metadata.error().message;
  EXPECT_EQ(metadata->version, 3u);
  EXPECT_EQ(metadata->release_name, "debs");
  EXPECT_EQ(metadata->release_version, "2026-12");

  std::map<std::string, crypto::TargetFile> listed;
  for (const auto& file : metadata->files) {
    listed[file.path] = file;
  }
  ASSERT_EQ(listed.size(), sample_files().size());
  for (const auto& [path, content] : sample_files()) {
    ASSERT_TRUE(listed.contains(path)) << path;
    EXPECT_EQ(listed[path].length, content.size()) << path;
    auto digest = crypto::sha256_file_hex((source / path).string());
    ASSERT_TRUE(digest.ok()) << digest.error().message;
    EXPECT_EQ(listed[path].sha256, *digest) << path;
  }
}

TEST_F(ReleaseBuilderTest, ReturnsReleaseRecord) {
  std::uint64_t total = 0;
  for (const auto& [path, content] : sample_files()) {
    total += content.size();
  }
  write_files(source, sample_files());
  auto release = build_release(request_for(source), settings, keys);
  ASSERT_TRUE(release.ok()) << release.error().message;
  EXPECT_EQ(release->name, "debs");
  EXPECT_EQ(release->version, "2026-12");
  EXPECT_EQ(release->metadata_version, 3u);
  EXPECT_EQ(release->total_bytes, total);
  EXPECT_EQ(release->file_count, sample_files().size());
}

TEST_F(ReleaseBuilderTest, InfoHashMatchesTorrentFile) {
  write_files(source, sample_files());
  auto release = build_release(request_for(source), settings, keys);
  ASSERT_TRUE(release.ok()) << release.error().message;
  auto metadata = crypto::verify_targets(read_text(output_dir / "targets.json"), keys.public_key,
                                         std::chrono::system_clock::now());
  ASSERT_TRUE(metadata.ok()) << metadata.error().message;

  lt::error_code error;
  lt::torrent_info torrent((output_dir / "release.torrent").string(), error);
  ASSERT_FALSE(error) << error.message();
  const auto& v2 = torrent.info_hashes().v2;
  const std::string expected = lowercase_hex(v2.data(), v2.size());
  EXPECT_EQ(metadata->info_hash, expected);
  EXPECT_EQ(release->info_hash, expected);
}

TEST_F(ReleaseBuilderTest, TorrentIsPrivateV2Only) {
  write_files(source, sample_files());
  auto release = build_release(request_for(source), settings, keys);
  ASSERT_TRUE(release.ok()) << release.error().message;
  lt::error_code error;
  lt::torrent_info torrent((output_dir / "release.torrent").string(), error);
  ASSERT_FALSE(error) << error.message();
  EXPECT_TRUE(torrent.priv());
  EXPECT_TRUE(torrent.v2());
  EXPECT_FALSE(torrent.v1());
}

TEST_F(ReleaseBuilderTest, TorrentNamesVersionAndFiles) {
  write_files(source, sample_files());
  auto release = build_release(request_for(source), settings, keys);
  ASSERT_TRUE(release.ok()) << release.error().message;
  lt::error_code error;
  lt::torrent_info torrent((output_dir / "release.torrent").string(), error);
  ASSERT_FALSE(error) << error.message();
  EXPECT_EQ(torrent.name(), "2026-12");

  std::map<std::string, std::int64_t> sizes;
  const auto& storage = torrent.files();
  for (auto index : storage.file_range()) {
    if (!(storage.file_flags(index) & lt::file_storage::flag_pad_file)) {
      sizes[storage.file_path(index)] = storage.file_size(index);
    }
  }
  ASSERT_EQ(sizes.size(), sample_files().size());
  for (const auto& [path, content] : sample_files()) {
    const std::string torrent_path = (fs::path("2026-12") / path).string();
    ASSERT_TRUE(sizes.contains(torrent_path)) << torrent_path;
    EXPECT_EQ(sizes[torrent_path], static_cast<std::int64_t>(content.size())) << path;
  }
}

TEST_F(ReleaseBuilderTest, TorrentHasWebSeedAndTracker) {
  write_files(source, sample_files());
  auto release = build_release(request_for(source), settings, keys);
  ASSERT_TRUE(release.ok()) << release.error().message;
  lt::error_code error;
  lt::torrent_info torrent((output_dir / "release.torrent").string(), error);
  ASSERT_FALSE(error) << error.message();

  ASSERT_EQ(torrent.web_seeds().size(), 1u);
  EXPECT_EQ(torrent.web_seeds()[0].url, kOriginUrl + "/debs/");
  ASSERT_EQ(torrent.trackers().size(), 1u);
  EXPECT_EQ(torrent.trackers()[0].url, kAnnounceUrl);
}

TEST_F(ReleaseBuilderTest, RepublishFailsNamingPath) {
  write_files(source, sample_files());
  ASSERT_TRUE(build_release(request_for(source), settings, keys).ok());

  const fs::path other = temp.path() / "other";
  write_files(other, {{"readme.txt", "different content\n"}});
  auto again = build_release(request_for(other), settings, keys);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(contains(again.error().message, release_dir().string())) << again.error().message;
}

TEST_F(ReleaseBuilderTest, RepublishChangesNothing) {
  write_files(source, sample_files());
  ASSERT_TRUE(build_release(request_for(source), settings, keys).ok());
  const auto torrent_before = read_text(output_dir / "release.torrent");
  const auto targets_before = read_text(output_dir / "targets.json");

  const fs::path other = temp.path() / "other";
  write_files(other, {{"readme.txt", "different content\n"}, {"extra.txt", "new file\n"}});
  settings.metadata_version = 4;
  ASSERT_FALSE(build_release(request_for(other), settings, keys).ok());

  EXPECT_EQ(read_text(output_dir / "release.torrent"), torrent_before);
  EXPECT_EQ(read_text(output_dir / "targets.json"), targets_before);
  EXPECT_EQ(read_text(release_dir() / "readme.txt"), sample_files()["readme.txt"]);
  EXPECT_FALSE(fs::exists(release_dir() / "extra.txt"));
}

TEST_F(ReleaseBuilderTest, EmptySourceFails) {
  auto release = build_release(request_for(source), settings, keys);
  ASSERT_FALSE(release.ok());
  EXPECT_TRUE(contains(release.error().message, "no files")) << release.error().message;
  EXPECT_FALSE(fs::exists(output_dir / "targets.json"));
}

// A rejected publish must leave nothing at the primary source.
TEST_F(ReleaseBuilderTest, EmptySourceLeavesOriginUntouched) {
  ASSERT_FALSE(build_release(request_for(source), settings, keys).ok());
  EXPECT_FALSE(fs::exists(release_dir()));
}

// A leftover copy would block the version, so a retry must succeed.
TEST_F(ReleaseBuilderTest, RetryAfterRejectedPublishSucceeds) {
  ASSERT_FALSE(build_release(request_for(source), settings, keys).ok());
  write_files(source, sample_files());
  auto retry = build_release(request_for(source), settings, keys);
  EXPECT_TRUE(retry.ok()) << retry.error().message;
}

TEST_F(ReleaseBuilderTest, MissingSourceFails) {
  const fs::path missing = temp.path() / "missing";
  auto release = build_release(request_for(missing), settings, keys);
  ASSERT_FALSE(release.ok());
  EXPECT_TRUE(contains(release.error().message, missing.string())) << release.error().message;
  EXPECT_FALSE(fs::exists(release_dir()));
  EXPECT_FALSE(fs::exists(output_dir / "targets.json"));
}

TEST_F(ReleaseBuilderTest, SymlinkIsRejected) {
  write_files(source, sample_files());
  fs::create_symlink(source / "readme.txt", source / "docs" / "link.txt");
  auto release = build_release(request_for(source), settings, keys);
  ASSERT_FALSE(release.ok());
  EXPECT_TRUE(contains(release.error().message, "link.txt")) << release.error().message;
  EXPECT_FALSE(fs::exists(output_dir / "targets.json"));
  EXPECT_FALSE(fs::exists(output_dir / "release.torrent"));
}

TEST_F(ReleaseBuilderTest, SymlinkLeavesOriginUntouched) {
  write_files(source, sample_files());
  fs::create_symlink(source / "readme.txt", source / "docs" / "link.txt");
  ASSERT_FALSE(build_release(request_for(source), settings, keys).ok());
  EXPECT_FALSE(fs::exists(release_dir()));
}

TEST_F(ReleaseBuilderTest, InvalidNameTouchesNothing) {
  write_files(source, sample_files());
  PublishRequest request{"../escape", "1.0", source.string()};
  auto release = build_release(request, settings, keys);
  ASSERT_FALSE(release.ok());
  EXPECT_TRUE(contains(release.error().message, "../escape")) << release.error().message;
  EXPECT_TRUE(fs::is_empty(origin_root));
  EXPECT_FALSE(fs::exists(output_dir));
}

}  // namespace
}  // namespace cascade::manager
