#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/canonical_json.hpp"
#include "crypto/keys.hpp"
#include "crypto/request_auth.hpp"
#include "crypto/targets.hpp"

namespace cascade::crypto {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

// 2026-06-01T00:00:00Z and 2027-01-01T00:00:00Z as Unix seconds.
const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1780272000)};
const std::chrono::system_clock::time_point kExpires{std::chrono::seconds(1798761600)};

const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');
const std::string kInfoHash(64, 'c');

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TargetsMetadata sample_metadata() {
  TargetsMetadata metadata;
  metadata.version = 7;
  metadata.expires = kExpires;
  metadata.release_name = "openssl-fix";
  metadata.release_version = "3.0.11-1";
  metadata.info_hash = kInfoHash;
  metadata.files = {
      {"debs/libssl3.deb", 2048, kHashA},
      {"debs/openssl.deb", 1024, kHashB},
  };
  return metadata;
}

// Temporary directory removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "cascade-crypto-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Changes one field of a signed document without re-signing it.
std::string tamper(const std::string& document, const std::function<void(json&)>& change) {
  json root = json::parse(document);
  change(root["signed"]);
  return root.dump();
}

// --- hex and SHA-256 ---

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, FileMatchesInMemoryHash) {
  TempDir dir;
  std::string content(200 * 1024, 'x');  // several read chunks
  content += "tail";
  write_text(dir.file("data"), content);
  auto digest = sha256_file_hex(dir.file("data"));
  ASSERT_TRUE(digest.ok()) << digest.error().message;
  EXPECT_EQ(*digest, sha256_hex(content));
}

TEST(Sha256, MissingFileNamesPath) {
  auto digest = sha256_file_hex("/nonexistent/cascade-file");
  ASSERT_FALSE(digest.ok());
  EXPECT_TRUE(contains(digest.error().message, "/nonexistent/cascade-file"));
}

TEST(Hex, RoundTripsBothCases) {
  EXPECT_EQ(to_hex(std::string("\x00\xff\x10", 3)), "00ff10");
  auto lower = from_hex("00ff10");
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(*lower, std::string("\x00\xff\x10", 3));
  auto upper = from_hex("00FF10");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, *lower);
}

TEST(Hex, RejectsOddLengthAndBadDigit) {
  auto odd = from_hex("abc");
  ASSERT_FALSE(odd.ok());
  EXPECT_TRUE(contains(odd.error().message, "odd"));
  auto bad = from_hex("0g");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(contains(bad.error().message, "position 1"));
}

TEST(Hex, PublicKeyNeedsExactLength) {
  EXPECT_FALSE(public_key_from_hex(std::string(62, 'a')).ok());
  EXPECT_TRUE(public_key_from_hex(std::string(64, 'a')).ok());
  EXPECT_FALSE(signature_from_hex(std::string(64, 'a')).ok());
  EXPECT_TRUE(signature_from_hex(std::string(128, 'a')).ok());
}

// --- Ed25519 ---

TEST(Ed25519, SignAndVerify) {
  ASSERT_TRUE(initialise().ok());
  const KeyPair keys = generate_key_pair();
  const Signature signature = sign(keys, "message");
  EXPECT_TRUE(verify(keys.public_key, "message", signature));
  EXPECT_FALSE(verify(keys.public_key, "messagE", signature));
  EXPECT_FALSE(verify(generate_key_pair().public_key, "message", signature));
}

TEST(KeyId, IsHashOfCanonicalKeyObject) {
  const KeyPair keys = generate_key_pair();
  const std::string expected = sha256_hex(
      R"({"keytype":"ed25519","keyval":{"public":")" + to_hex(keys.public_key) +
      R"("},"scheme":"ed25519"})");
  EXPECT_EQ(key_id(keys.public_key), expected);
}

// --- key files ---

TEST(KeyFile, RoundTripsWithMode0600) {
  TempDir dir;
  const std::string path = dir.file("node.key");
  const KeyPair keys = generate_key_pair();
  ASSERT_TRUE(save_key_pair(keys, path).ok());

  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto loaded = load_key_pair(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->public_key, keys.public_key);
  EXPECT_EQ(loaded->secret_key, keys.secret_key);
}

TEST(KeyFile, ModeIgnoresPermissiveUmask) {
  TempDir dir;
  const mode_t previous = umask(0);
  auto status = save_key_pair(generate_key_pair(), dir.file("node.key"));
  umask(previous);
  ASSERT_TRUE(status.ok()) << status.error().message;
  struct stat info {};
  ASSERT_EQ(stat(dir.file("node.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(KeyFile, RejectsOverwrite) {
  TempDir dir;
  const std::string path = dir.file("node.key");
  const KeyPair first = generate_key_pair();
  ASSERT_TRUE(save_key_pair(first, path).ok());
  const std::string before = read_text(path);

  auto status = save_key_pair(generate_key_pair(), path);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.error().message, "already exists"));
  EXPECT_EQ(read_text(path), before);
}

TEST(KeyFile, LeavesNoTemporaryFiles) {
  TempDir dir;
  ASSERT_TRUE(save_key_pair(generate_key_pair(), dir.file("node.key")).ok());
  int count = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(dir.file("")))) {
    (void)entry;
    ++count;
  }
  EXPECT_EQ(count, 1);
}

TEST(KeyFile, RejectsCorruptedPublicHalf) {
  TempDir dir;
  const std::string path = dir.file("node.key");
  ASSERT_TRUE(save_key_pair(generate_key_pair(), path).ok());
  std::string text = read_text(path);
  text[100] = text[100] == '0' ? '1' : '0';  // a digit of the public half
  fs::remove(path);
  write_text(path, text);

  auto loaded = load_key_pair(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(contains(loaded.error().message, "corrupted"));
}

TEST(KeyFile, RejectsMalformedContent) {
  TempDir dir;
  const std::string cases[] = {"", "not hex\n", std::string(127, 'a'), std::string(130, 'a'),
                               std::string(128, 'z')};
  for (const auto& text : cases) {
    write_text(dir.file("bad.key"), text);
    auto loaded = load_key_pair(dir.file("bad.key"));
    EXPECT_FALSE(loaded.ok()) << "accepted content of " << text.size() << " bytes";
    if (!loaded.ok()) {
      EXPECT_TRUE(contains(loaded.error().message, dir.file("bad.key")));
    }
  }
}

TEST(KeyFile, MissingFileNamesPath) {
  auto loaded = load_key_pair("/nonexistent/node.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(contains(loaded.error().message, "/nonexistent/node.key"));
}

// --- canonical JSON ---

TEST(CanonicalJson, SortsKeysWithoutWhitespace) {
  const json value = json::parse(R"({"b": 1, "a": [true, null, -2], "A": {"z": "x", "y": 0}})");
  EXPECT_EQ(canonical_json(value), R"({"A":{"y":0,"z":"x"},"a":[true,null,-2],"b":1})");
}

TEST(CanonicalJson, SortsKeysByByteValue) {
  json value = json::object();
  value["\xc3\xa9"] = 1;  // U+00E9 encodes as 0xC3 0xA9, above every ASCII byte
  value["z"] = 2;
  value["Z"] = 3;
  EXPECT_EQ(canonical_json(value), "{\"Z\":3,\"z\":2,\"\xc3\xa9\":1}");
}

TEST(CanonicalJson, EscapesOnlyQuoteAndBackslash) {
  const json value = std::string("a\"b\\c\nd\x01");
  EXPECT_EQ(canonical_json(value), std::string("\"a\\\"b\\\\c\nd\x01\""));
}

TEST(CanonicalJson, WritesLargeIntegersExactly) {
  const json value = {{"max", std::numeric_limits<std::uint64_t>::max()},
                      {"min", std::numeric_limits<std::int64_t>::min()}};
  EXPECT_EQ(canonical_json(value), R"({"max":18446744073709551615,"min":-9223372036854775808})");
}

TEST(CanonicalJson, RejectsFloat) {
  EXPECT_THROW(canonical_json(json(1.5)), std::invalid_argument);
  EXPECT_THROW(canonical_json(json::parse(R"({"a":[1, 2.0]})")), std::invalid_argument);
}

// --- targets metadata ---

TEST(Targets, SignVerifyRoundTrip) {
  const KeyPair keys = generate_key_pair();
  const TargetsMetadata original = sample_metadata();
  const std::string document = sign_targets(original, keys);

  auto verified = verify_targets(document, keys.public_key, kNow);
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(verified->version, original.version);
  EXPECT_EQ(verified->expires, original.expires);
  EXPECT_EQ(verified->release_name, original.release_name);
  EXPECT_EQ(verified->release_version, original.release_version);
  EXPECT_EQ(verified->info_hash, original.info_hash);
  ASSERT_EQ(verified->files.size(), 2u);
  EXPECT_EQ(verified->files[0].path, "debs/libssl3.deb");
  EXPECT_EQ(verified->files[0].length, 2048u);
  EXPECT_EQ(verified->files[0].sha256, kHashA);
  EXPECT_EQ(verified->files[1].path, "debs/openssl.deb");
}

TEST(Targets, DocumentHasTufLayout) {
  const KeyPair keys = generate_key_pair();
  const json root = json::parse(sign_targets(sample_metadata(), keys));
  ASSERT_EQ(root["signatures"].size(), 1u);
  EXPECT_EQ(root["signatures"][0]["keyid"], key_id(keys.public_key));
  EXPECT_EQ(root["signatures"][0]["sig"].get<std::string>().size(), 128u);
  const json& signed_part = root["signed"];
  EXPECT_EQ(signed_part["_type"], "targets");
  EXPECT_EQ(signed_part["spec_version"], "1.0.31");
  EXPECT_EQ(signed_part["version"], 7);
  EXPECT_EQ(signed_part["expires"], "2027-01-01T00:00:00Z");
  const json& target = signed_part["targets"]["debs/openssl.deb"];
  EXPECT_EQ(target["length"], 1024);
  EXPECT_EQ(target["hashes"]["sha256"], kHashB);
  EXPECT_EQ(target["custom"]["release"], "openssl-fix");
  EXPECT_EQ(target["custom"]["release_version"], "3.0.11-1");
  EXPECT_EQ(target["custom"]["info_hash"], kInfoHash);
}

TEST(Targets, ExpiryRoundsDownToSeconds) {
  const KeyPair keys = generate_key_pair();
  TargetsMetadata metadata = sample_metadata();
  metadata.expires = kExpires + 999ms;
  const json root = json::parse(sign_targets(metadata, keys));
  EXPECT_EQ(root["signed"]["expires"], "2027-01-01T00:00:00Z");
}

TEST(Targets, TamperedSignedFieldsFail) {
  const KeyPair keys = generate_key_pair();
  const std::string document = sign_targets(sample_metadata(), keys);
  const std::string path = "debs/openssl.deb";
  const std::pair<const char*, std::function<void(json&)>> changes[] = {
      {"length", [&](json& s) { s["targets"][path]["length"] = 1025; }},
      {"sha256", [&](json& s) { s["targets"][path]["hashes"]["sha256"] = kHashA; }},
      {"version", [](json& s) { s["version"] = 8; }},
      {"expires", [](json& s) { s["expires"] = "2099-01-01T00:00:00Z"; }},
      {"info_hash", [&](json& s) { s["targets"][path]["custom"]["info_hash"] = kHashA; }},
      {"added target", [&](json& s) { s["targets"]["extra"] = s["targets"][path]; }},
      {"removed target", [&](json& s) { s["targets"].erase(path); }},
      {"extra field", [](json& s) { s["delegations"] = json::object(); }},
  };
  for (const auto& [label, change] : changes) {
    auto verified = verify_targets(tamper(document, change), keys.public_key, kNow);
    ASSERT_FALSE(verified.ok()) << "accepted a tampered " << label;
    EXPECT_TRUE(contains(verified.error().message, "bad signature")) << verified.error().message;
  }
}

TEST(Targets, AnyFlippedByteFails) {
  const KeyPair keys = generate_key_pair();
  const std::string document = sign_targets(sample_metadata(), keys);
  const std::size_t signed_start = document.find("\"signed\":");
  ASSERT_NE(signed_start, std::string::npos);
  for (std::size_t i = signed_start; i < document.size(); ++i) {
    std::string altered = document;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    EXPECT_FALSE(verify_targets(altered, keys.public_key, kNow).ok())
        << "accepted a change at byte " << i << ": " << altered.substr(i, 20);
  }
}

TEST(Targets, WrongKeyFails) {
  const KeyPair signer = generate_key_pair();
  const KeyPair pinned = generate_key_pair();
  auto verified = verify_targets(sign_targets(sample_metadata(), signer), pinned.public_key, kNow);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(contains(verified.error().message, "not signed by the pinned key"));
}

TEST(Targets, ForgedSignatureUnderPinnedKeyIdFails) {
  const KeyPair signer = generate_key_pair();
  const KeyPair pinned = generate_key_pair();
  json root = json::parse(sign_targets(sample_metadata(), signer));
  root["signatures"][0]["keyid"] = key_id(pinned.public_key);
  auto verified = verify_targets(root.dump(), pinned.public_key, kNow);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(contains(verified.error().message, "bad signature"));
}

TEST(Targets, ExpiredFails) {
  const KeyPair keys = generate_key_pair();
  const std::string document = sign_targets(sample_metadata(), keys);
  auto at_expiry = verify_targets(document, keys.public_key, kExpires);
  ASSERT_FALSE(at_expiry.ok());
  EXPECT_TRUE(contains(at_expiry.error().message, "expired at 2027-01-01T00:00:00Z"));
  EXPECT_TRUE(verify_targets(document, keys.public_key, kExpires - 1s).ok());
}

TEST(Targets, MalformedJsonFails) {
  const KeyPair keys = generate_key_pair();
  const std::string cases[] = {"", "{", "not json", "[]", "{\"signed\":{}}"};
  for (const auto& text : cases) {
    auto verified = verify_targets(text, keys.public_key, kNow);
    ASSERT_FALSE(verified.ok()) << "accepted " << text;
    EXPECT_FALSE(verified.error().message.empty());
  }
  auto invalid = verify_targets("{", keys.public_key, kNow);
  EXPECT_TRUE(contains(invalid.error().message, "not valid JSON"));
}

TEST(Targets, DeepNestingFails) {
  const KeyPair keys = generate_key_pair();
  const std::string text = "{\"signed\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
  auto verified = verify_targets(text, keys.public_key, kNow);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(contains(verified.error().message, "nests deeper"));
}

// Re-signs a changed `signed` object, so the check under test is not the
// signature but the field rules that follow it.
std::string resign(const std::string& document, const KeyPair& keys,
                   const std::function<void(json&)>& change) {
  json root = json::parse(document);
  change(root["signed"]);
  root["signatures"][0]["sig"] = to_hex(sign(keys, canonical_json(root["signed"])));
  return root.dump();
}

TEST(Targets, MissingOrWrongTypedFieldNamed) {
  const KeyPair keys = generate_key_pair();
  const std::string document = sign_targets(sample_metadata(), keys);
  const std::string path = "debs/openssl.deb";
  const std::pair<std::string, std::function<void(json&)>> cases[] = {
      {"signed._type", [](json& s) { s.erase("_type"); }},
      {"signed.version", [](json& s) { s["version"] = "7"; }},
      {"signed.version", [](json& s) { s["version"] = -1; }},
      {"signed.expires", [](json& s) { s["expires"] = 1798761600; }},
      {"signed.expires", [](json& s) { s["expires"] = "2027-01-01 00:00:00"; }},
      {"signed.expires", [](json& s) { s["expires"] = "2027-02-30T00:00:00Z"; }},
      {"signed.targets", [](json& s) { s["targets"] = json::array(); }},
      {".length", [&](json& s) { s["targets"][path].erase("length"); }},
      {".hashes.sha256", [&](json& s) { s["targets"][path]["hashes"] = {{"md5", kHashA}}; }},
      {".custom.release", [&](json& s) { s["targets"][path]["custom"].erase("release"); }},
  };
  for (const auto& [field, change] : cases) {
    auto verified = verify_targets(resign(document, keys, change), keys.public_key, kNow);
    ASSERT_FALSE(verified.ok()) << "accepted a bad " << field;
    EXPECT_TRUE(contains(verified.error().message, field)) << verified.error().message;
  }
}

TEST(Targets, WrongTypeRejected) {
  const KeyPair keys = generate_key_pair();
  const std::string document = resign(sign_targets(sample_metadata(), keys), keys,
                                      [](json& s) { s["_type"] = "root"; });
  auto verified = verify_targets(document, keys.public_key, kNow);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(contains(verified.error().message, "\"targets\""));
}

TEST(Targets, FloatInSignedRejected) {
  const KeyPair keys = generate_key_pair();
  json root = json::parse(sign_targets(sample_metadata(), keys));
  root["signed"]["targets"]["debs/openssl.deb"]["length"] = 1024.0;
  auto verified = verify_targets(root.dump(), keys.public_key, kNow);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(contains(verified.error().message, "floating-point"));
}

TEST(Targets, MixedReleaseFieldsRejected) {
  const KeyPair keys = generate_key_pair();
  const std::string document =
      resign(sign_targets(sample_metadata(), keys), keys, [](json& s) {
        s["targets"]["debs/openssl.deb"]["custom"]["release"] = "other-release";
      });
  auto verified = verify_targets(document, keys.public_key, kNow);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(contains(verified.error().message, "one release"));
}

TEST(Targets, UnsafePathsRejected) {
  const KeyPair keys = generate_key_pair();
  const std::string unsafe_paths[] = {
      "/etc/passwd", "../escape",  "debs/../../etc", "a\\b", "a//b",   "a/",
      "",            "./a",        "a/./b",          "..",   "a\nb",   std::string("a\0b", 3),
  };
  for (const auto& path : unsafe_paths) {
    TargetsMetadata metadata = sample_metadata();
    metadata.files[0].path = path;
    EXPECT_FALSE(validate_targets(metadata).ok()) << "validated path " << path;
    auto verified = verify_targets(sign_targets(metadata, keys), keys.public_key, kNow);
    ASSERT_FALSE(verified.ok()) << "verified path " << path;
    EXPECT_TRUE(contains(verified.error().message, "check target path"))
        << verified.error().message;
  }
}

TEST(Targets, SafePathsAccepted) {
  for (const std::string path : {"a", "dir/sub/file.deb", "name with spaces.txt", "a.b.c"}) {
    EXPECT_TRUE(validate_target_path(path).ok()) << path;
  }
}

TEST(Targets, BadSha256Rejected) {
  const KeyPair keys = generate_key_pair();
  const std::string bad_hashes[] = {std::string(63, 'a'), std::string(65, 'a'),
                                    std::string(64, 'g'), std::string(64, 'A'), ""};
  for (const auto& hash : bad_hashes) {
    TargetsMetadata metadata = sample_metadata();
    metadata.files[1].sha256 = hash;
    auto verified = verify_targets(sign_targets(metadata, keys), keys.public_key, kNow);
    ASSERT_FALSE(verified.ok()) << "accepted sha256 " << hash;
    EXPECT_TRUE(contains(verified.error().message, "sha256")) << verified.error().message;
  }
}

TEST(Targets, EmptyReleaseRejected) {
  const KeyPair keys = generate_key_pair();
  TargetsMetadata metadata = sample_metadata();
  metadata.files.clear();
  EXPECT_FALSE(validate_targets(metadata).ok());
  auto verified = verify_targets(sign_targets(metadata, keys), keys.public_key, kNow);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(contains(verified.error().message, "no files"));
}

TEST(Targets, ValidateRejectsBadFields) {
  TargetsMetadata zero_version = sample_metadata();
  zero_version.version = 0;
  EXPECT_FALSE(validate_targets(zero_version).ok());

  TargetsMetadata short_info_hash = sample_metadata();
  short_info_hash.info_hash = std::string(40, 'c');
  EXPECT_FALSE(validate_targets(short_info_hash).ok());

  TargetsMetadata duplicate_path = sample_metadata();
  duplicate_path.files[1].path = duplicate_path.files[0].path;
  EXPECT_FALSE(validate_targets(duplicate_path).ok());

  TargetsMetadata no_name = sample_metadata();
  no_name.release_name.clear();
  EXPECT_FALSE(validate_targets(no_name).ok());

  EXPECT_TRUE(validate_targets(sample_metadata()).ok());
}

// --- request authentication ---

TEST(RequestAuth, HeaderRoundTrip) {
  const KeyPair keys = generate_key_pair();
  const std::string header =
      make_auth_header("node-17", keys, "POST", "/api/v1/report?x=1", 1780272000, "{\"ok\":true}");
  EXPECT_EQ(header.rfind("Cascade node=node-17 ts=1780272000 sig=", 0), 0u) << header;

  auto auth = parse_auth_header(header);
  ASSERT_TRUE(auth.ok()) << auth.error().message;
  EXPECT_EQ(auth->node_id, "node-17");
  EXPECT_EQ(auth->timestamp, 1780272000);
  const std::string message =
      request_signing_message("POST", "/api/v1/report?x=1", 1780272000, "{\"ok\":true}");
  EXPECT_TRUE(verify(keys.public_key, message, auth->signature));
  EXPECT_FALSE(verify(keys.public_key,
                      request_signing_message("POST", "/api/v1/report?x=1", 1780272000, "{}"),
                      auth->signature));
}

TEST(RequestAuth, SigningMessageLayout) {
  EXPECT_EQ(request_signing_message("GET", "/a", 42, "abc"),
            "GET\n/a\n42\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(RequestAuth, MalformedHeaderRejected) {
  const std::string sig(128, 'a');
  const std::pair<std::string, std::string> cases[] = {
      {"", "Cascade "},
      {"Bearer abc", "Cascade "},
      {"Cascade ts=1 node=n sig=" + sig, "node"},
      {"Cascade node= ts=1 sig=" + sig, "node"},
      {"Cascade node=n", "node"},
      {"Cascade node=n  ts=1 sig=" + sig, "ts"},
      {"Cascade node=n ts=abc sig=" + sig, "ts"},
      {"Cascade node=n ts=-5 sig=" + sig, "ts"},
      {"Cascade node=n ts=99999999999999999999 sig=" + sig, "ts"},
      {"Cascade node=n ts=1 sig=abc", "sig"},
      {"Cascade node=n ts=1 sig=" + std::string(128, 'z'), "sig"},
      {"Cascade node=n ts=1 sig=" + sig + " extra=1", "after field sig"},
      {"Cascade node=n ts=1 sig=" + sig + " ", "after field sig"},
      {"Cascade node=n\x01 ts=1 sig=" + sig, "node"},
  };
  for (const auto& [value, named] : cases) {
    auto auth = parse_auth_header(value);
    ASSERT_FALSE(auth.ok()) << "accepted " << value;
    EXPECT_TRUE(contains(auth.error().message, named)) << value << " -> " << auth.error().message;
  }
}

}  // namespace
}  // namespace cascade::crypto
