#include "node/release_store.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "crypto/keys.hpp"
#include "tests/unit/temp_files.hpp"

namespace cascade::node {
namespace {

namespace fs = std::filesystem;
using cascade::testing::read_text;
using cascade::testing::TempDir;
using cascade::testing::write_text;
using namespace std::chrono_literals;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}


const std::map<std::string, std::string> kFiles = {
    {"debs/libssl3.deb", "libssl3 package bytes"},
    {"debs/openssl.deb", "openssl package bytes, a little longer"},
    {"readme.txt", "apply with dpkg -i\n"},
};

crypto::TargetsMetadata metadata_for(const std::string& version, std::uint64_t metadata_version) {
  crypto::TargetsMetadata metadata;
  metadata.version = metadata_version;
  metadata.expires = std::chrono::system_clock::now() + 24h;
  metadata.release_name = "openssl-fix";
  metadata.release_version = version;
  metadata.info_hash = std::string(64, 'c');
  for (const auto& [path, content] : kFiles) {
    metadata.files.push_back({path, content.size(), crypto::sha256_hex(content)});
  }
  return metadata;
}

std::string document_for(std::uint64_t metadata_version) {
  return R"({"signed":{"version":)" + std::to_string(metadata_version) + "}}";
}

class ReleaseStoreTest : public ::testing::Test {
 protected:
  ReleaseStoreTest() : store(make_config(temp)) {}

  static NodeConfig make_config(const TempDir& dir) {
    NodeConfig config;
    config.data_dir = (dir.path() / "data").string();
    return config;
  }

  fs::path data_dir() const { return temp.path() / "data"; }

  // Writes the sample files where libtorrent would download VERSION.
  fs::path stage(const std::string& version) const {
    const fs::path root = fs::path(store.staging_save_path("openssl-fix")) / version;
    for (const auto& [path, content] : kFiles) {
      write_text(root / path, content);
    }
    return root;
  }

  TempDir temp;
  ReleaseStore store;
};

TEST_F(ReleaseStoreTest, PrepareCreatesDirectories) {
  ASSERT_TRUE(store.prepare().ok());
  EXPECT_TRUE(fs::is_directory(data_dir() / "releases"));
  EXPECT_TRUE(fs::is_directory(data_dir() / "staging"));
  EXPECT_TRUE(fs::is_directory(data_dir() / "metadata"));
}

TEST_F(ReleaseStoreTest, PrepareTwiceSucceeds) {
  ASSERT_TRUE(store.prepare().ok());
  EXPECT_TRUE(store.prepare().ok());
}

TEST_F(ReleaseStoreTest, PathsFollowLayout) {
  EXPECT_EQ(store.staging_save_path("openssl-fix"), (data_dir() / "staging/openssl-fix").string());
  EXPECT_EQ(store.installed_save_path("openssl-fix"),
            (data_dir() / "releases/openssl-fix").string());
  EXPECT_EQ(store.installed_dir("openssl-fix", "1.0"),
            (data_dir() / "releases/openssl-fix/1.0").string());
}

TEST_F(ReleaseStoreTest, VerifyPassesOnMatchingFiles) {
  const auto root = stage("1.0");
  const auto status = ReleaseStore::verify_files(root.string(), metadata_for("1.0", 1));
  EXPECT_TRUE(status.ok()) << status.error().message;
}

TEST_F(ReleaseStoreTest, VerifyNamesFileWithChangedByte) {
  const auto root = stage("1.0");
  std::string changed = kFiles.at("debs/openssl.deb");
  changed[3] ^= 0x01;
  write_text(root / "debs/openssl.deb", changed);

  const auto status = ReleaseStore::verify_files(root.string(), metadata_for("1.0", 1));
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.error().message, "debs/openssl.deb")) << status.error().message;
  EXPECT_TRUE(contains(status.error().message, "sha256")) << status.error().message;
}

TEST_F(ReleaseStoreTest, VerifyNamesFileWithWrongLength) {
  const auto root = stage("1.0");
  write_text(root / "readme.txt", kFiles.at("readme.txt") + "x");

  const auto status = ReleaseStore::verify_files(root.string(), metadata_for("1.0", 1));
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.error().message, "readme.txt")) << status.error().message;
  EXPECT_TRUE(contains(status.error().message, "length")) << status.error().message;
}

TEST_F(ReleaseStoreTest, VerifyNamesMissingFile) {
  const auto root = stage("1.0");
  fs::remove(root / "debs/libssl3.deb");

  const auto status = ReleaseStore::verify_files(root.string(), metadata_for("1.0", 1));
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.error().message, "debs/libssl3.deb")) << status.error().message;
  EXPECT_TRUE(contains(status.error().message, "missing")) << status.error().message;
}

TEST_F(ReleaseStoreTest, InstallMovesReleaseIntoPlace) {
  ASSERT_TRUE(store.prepare().ok());
  stage("1.0");
  const auto status = store.install(metadata_for("1.0", 7), document_for(7));
  ASSERT_TRUE(status.ok()) << status.error().message;

  const fs::path installed = store.installed_dir("openssl-fix", "1.0");
  for (const auto& [path, content] : kFiles) {
    EXPECT_EQ(read_text(installed / path), content) << path;
  }
}

TEST_F(ReleaseStoreTest, InstallKeepsStagedFilesAsHardLinks) {
  ASSERT_TRUE(store.prepare().ok());
  const auto staged = stage("1.0");
  const auto status = store.install(metadata_for("1.0", 7), document_for(7));
  ASSERT_TRUE(status.ok()) << status.error().message;

  const fs::path installed = store.installed_dir("openssl-fix", "1.0");
  for (const auto& [path, content] : kFiles) {
    ASSERT_TRUE(fs::exists(staged / path)) << path;
    EXPECT_TRUE(fs::equivalent(staged / path, installed / path)) << path;
  }
}

TEST_F(ReleaseStoreTest, InstallMarksReleaseInstalled) {
  ASSERT_TRUE(store.prepare().ok());
  stage("1.0");
  EXPECT_FALSE(store.is_installed("openssl-fix", "1.0"));
  ASSERT_TRUE(store.install(metadata_for("1.0", 7), document_for(7)).ok());
  EXPECT_TRUE(store.is_installed("openssl-fix", "1.0"));
  EXPECT_FALSE(store.is_installed("openssl-fix", "2.0"));
}

TEST_F(ReleaseStoreTest, InstallLeavesNoPartialDirectory) {
  ASSERT_TRUE(store.prepare().ok());
  stage("1.0");
  ASSERT_TRUE(store.install(metadata_for("1.0", 7), document_for(7)).ok());
  for (const auto& entry : fs::directory_iterator(store.installed_save_path("openssl-fix"))) {
    EXPECT_EQ(entry.path().filename().string(), "1.0");
  }
}

TEST_F(ReleaseStoreTest, StoredVersionReadsSignedVersion) {
  ASSERT_TRUE(store.prepare().ok());
  EXPECT_EQ(store.stored_metadata_version("openssl-fix", "1.0"), 0u);
  stage("1.0");
  ASSERT_TRUE(store.install(metadata_for("1.0", 7), document_for(7)).ok());
  EXPECT_EQ(store.stored_metadata_version("openssl-fix", "1.0"), 7u);
}

TEST_F(ReleaseStoreTest, StoredVersionIsPerRelease) {
  ASSERT_TRUE(store.prepare().ok());
  stage("2.0");
  ASSERT_TRUE(store.install(metadata_for("2.0", 9), document_for(9)).ok());
  stage("1.0");
  ASSERT_TRUE(store.install(metadata_for("1.0", 7), document_for(7)).ok());
  EXPECT_EQ(store.stored_metadata_version("openssl-fix", "1.0"), 7u);
  EXPECT_EQ(store.stored_metadata_version("openssl-fix", "2.0"), 9u);
  EXPECT_EQ(store.stored_metadata_version("other-release", "1.0"), 0u);
}

TEST_F(ReleaseStoreTest, SaveMetadataReplacesKeptCopy) {
  ASSERT_TRUE(store.prepare().ok());
  stage("1.0");
  ASSERT_TRUE(store.install(metadata_for("1.0", 7), document_for(7)).ok());
  ASSERT_TRUE(store.save_metadata("openssl-fix", "1.0", document_for(8)).ok());
  EXPECT_EQ(store.stored_metadata_version("openssl-fix", "1.0"), 8u);
  EXPECT_EQ(store.stored_metadata("openssl-fix", "1.0").value(), document_for(8));
}

// A stored document that is JSON but lacks "signed" or a numeric version
// reads as version 0 rather than throwing, so the rollback check cannot crash.
TEST_F(ReleaseStoreTest, StoredVersionOfMalformedDocumentIsZero) {
  ASSERT_TRUE(store.prepare().ok());
  stage("2.0");
  ASSERT_TRUE(store.install(metadata_for("2.0", 9), R"({"signed":{"version":"nine"}})").ok());

  std::uint64_t version = 1;
  ASSERT_NO_THROW(version = store.stored_metadata_version("openssl-fix", "2.0"));
  EXPECT_EQ(version, 0u);
}

TEST_F(ReleaseStoreTest, TamperedInstallFails) {
  ASSERT_TRUE(store.prepare().ok());
  const auto staged = stage("1.0");
  std::string changed = kFiles.at("debs/libssl3.deb");
  changed[0] ^= 0x20;
  write_text(staged / "debs/libssl3.deb", changed);

  const auto status = store.install(metadata_for("1.0", 7), document_for(7));
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.error().message, "debs/libssl3.deb")) << status.error().message;
}

TEST_F(ReleaseStoreTest, TamperedInstallChangesNothing) {
  ASSERT_TRUE(store.prepare().ok());
  const auto staged = stage("1.0");
  std::string changed = kFiles.at("debs/libssl3.deb");
  changed[0] ^= 0x20;
  write_text(staged / "debs/libssl3.deb", changed);
  ASSERT_FALSE(store.install(metadata_for("1.0", 7), document_for(7)).ok());

  EXPECT_FALSE(store.is_installed("openssl-fix", "1.0"));
  EXPECT_FALSE(fs::exists(store.installed_dir("openssl-fix", "1.0")));
  EXPECT_EQ(store.stored_metadata_version("openssl-fix", "1.0"), 0u);
  EXPECT_EQ(read_text(staged / "debs/libssl3.deb"), changed);
  EXPECT_EQ(read_text(staged / "readme.txt"), kFiles.at("readme.txt"));
}

}  // namespace
}  // namespace cascade::node
