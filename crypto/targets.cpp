#include "crypto/targets.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "crypto/canonical_json.hpp"

namespace cascade::crypto {

namespace {

using nlohmann::json;

constexpr const char* kSpecVersion = "1.0.31";
constexpr const char* kVerifyOperation = "verify targets metadata";
constexpr const char* kValidateOperation = "validate targets metadata";

// Deeper documents are rejected before parsing, because canonical_json
// recurses once per level. Real targets documents are 5 levels deep.
constexpr int kMaxNestingDepth = 32;
// Untrusted text quoted in an error message is cut to this many bytes.
constexpr std::size_t kMaxQuotedBytes = 120;

// Quotes untrusted text for an error message: control bytes become \xNN so
// that a path cannot forge log lines, and long text is cut.
std::string quote(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMaxQuotedBytes; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f || byte == '"' || byte == '\\') {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
      out += escaped;
    } else {
      out.push_back(static_cast<char>(byte));
    }
  }
  if (text.size() > kMaxQuotedBytes) {
    out += "...";
  }
  out += "\"";
  return out;
}

bool is_lower_hex(std::string_view text, std::size_t digits) {
  if (text.size() != digits) {
    return false;
  }
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool is_valid_utf8(const std::string& text) {
  try {
    (void)json(text).dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

// Returns the deepest nesting of arrays and objects in JSON text, counting
// brackets outside strings. The text need not be valid JSON.
int nesting_depth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

std::string format_expiry(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto seconds_since_epoch = floor<seconds>(time);
  const auto day = floor<days>(seconds_since_epoch);
  const year_month_day date{day};
  const hh_mm_ss clock{seconds_since_epoch - day};
  char text[32];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

// Parses "YYYY-MM-DDTHH:MM:SSZ", the only form sign_targets writes.
Result<std::chrono::system_clock::time_point> parse_expiry(const std::string& text) {
  static constexpr std::string_view kPattern = "dddd-dd-ddTdd:dd:ddZ";
  const auto invalid = make_error(kVerifyOperation, "field signed.expires is " + quote(text) +
                                                        ", expected YYYY-MM-DDTHH:MM:SSZ in UTC");
  if (text.size() != kPattern.size()) {
    return invalid;
  }
  for (std::size_t i = 0; i < kPattern.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kPattern[i] == 'd' ? !digit : text[i] != kPattern[i]) {
      return invalid;
    }
  }
  auto number = [&](std::size_t position, std::size_t length) {
    return std::stoi(text.substr(position, length));
  };
  using namespace std::chrono;
  const year_month_day date{year{number(0, 4)}, month{static_cast<unsigned>(number(5, 2))},
                            day{static_cast<unsigned>(number(8, 2))}};
  const int hour = number(11, 2);
  const int minute = number(14, 2);
  const int second = number(17, 2);
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
    return invalid;
  }
  return system_clock::time_point{sys_days{date} + hours{hour} + minutes{minute} +
                                  seconds{second}};
}

// Looks up a member of a JSON object and checks its type. `name` is the
// member's full path, which errors quote.
Result<const json*> member(const json& object, const std::string& key, const std::string& name,
                           json::value_t type, const char* type_name) {
  const auto found = object.find(key);
  if (found == object.end()) {
    return make_error(kVerifyOperation, "field " + name + " is missing");
  }
  const bool matches = type == json::value_t::number_unsigned ? found->is_number_unsigned()
                                                              : found->type() == type;
  if (!matches) {
    return make_error(kVerifyOperation, "field " + name + " must be " + type_name);
  }
  return &*found;
}

Result<const json*> object_member(const json& object, const std::string& key,
                                  const std::string& name) {
  return member(object, key, name, json::value_t::object, "an object");
}

Result<std::string> string_member(const json& object, const std::string& key,
                                  const std::string& name) {
  auto found = member(object, key, name, json::value_t::string, "a string");
  if (!found) {
    return found.error();
  }
  return (*found)->get<std::string>();
}

Result<std::uint64_t> unsigned_member(const json& object, const std::string& key,
                                      const std::string& name) {
  auto found = member(object, key, name, json::value_t::number_unsigned,
                      "a non-negative integer");
  if (!found) {
    return found.error();
  }
  return (*found)->get<std::uint64_t>();
}

// Checks that `signatures` contains a valid signature of `signed_part` by
// `trusted_key`.
Status check_signature(const json& signatures, const json& signed_part,
                       const PublicKey& trusted_key) {
  const std::string trusted_id = key_id(trusted_key);
  std::vector<std::string> matching_signatures;
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const std::string name = "signatures[" + std::to_string(i) + "]";
    if (!signatures[i].is_object()) {
      return make_error(kVerifyOperation, "field " + name + " must be an object");
    }
    auto keyid = string_member(signatures[i], "keyid", name + ".keyid");
    if (!keyid) {
      return keyid.error();
    }
    auto sig = string_member(signatures[i], "sig", name + ".sig");
    if (!sig) {
      return sig.error();
    }
    if (*keyid == trusted_id) {
      matching_signatures.push_back(*sig);
    }
  }
  if (matching_signatures.empty()) {
    return make_error(kVerifyOperation,
                      "the metadata is not signed by the pinned key (key id " + trusted_id + ")");
  }

  std::string message;
  try {
    message = canonical_json(signed_part);
  } catch (const std::invalid_argument& error) {
    return make_error(kVerifyOperation, std::string("field signed: ") + error.what());
  }
  for (const auto& sig : matching_signatures) {
    auto signature = signature_from_hex(sig);
    if (signature && verify(trusted_key, message, *signature)) {
      return ok_status();
    }
  }
  return make_error(kVerifyOperation, "bad signature by the pinned key (key id " + trusted_id +
                                          "); the metadata was altered or signed by another key");
}

// Reads one entry of signed.targets into `metadata`. The first target sets
// the release fields; every later target must repeat them.
Status read_target(const std::string& path, const json& entry, TargetsMetadata& metadata) {
  const std::string name = "signed.targets[" + quote(path) + "]";
  if (!entry.is_object()) {
    return make_error(kVerifyOperation, "field " + name + " must be an object");
  }
  TargetFile file;
  file.path = path;
  auto length = unsigned_member(entry, "length", name + ".length");
  if (!length) {
    return length.error();
  }
  file.length = *length;
  auto hashes = object_member(entry, "hashes", name + ".hashes");
  if (!hashes) {
    return hashes.error();
  }
  auto sha256 = string_member(**hashes, "sha256", name + ".hashes.sha256");
  if (!sha256) {
    return sha256.error();
  }
  file.sha256 = *sha256;

  auto custom = object_member(entry, "custom", name + ".custom");
  if (!custom) {
    return custom.error();
  }
  const std::pair<const char*, std::string*> release_fields[] = {
      {"release", &metadata.release_name},
      {"release_version", &metadata.release_version},
      {"info_hash", &metadata.info_hash},
  };
  const bool first_target = metadata.files.empty();
  for (const auto& [key, field] : release_fields) {
    const std::string field_name = name + ".custom." + key;
    auto value = string_member(**custom, key, field_name);
    if (!value) {
      return value.error();
    }
    if (first_target) {
      *field = *value;
    } else if (*value != *field) {
      return make_error(kVerifyOperation, "field " + field_name + " is " + quote(*value) +
                                              " but an earlier target has " + quote(*field) +
                                              "; all targets must belong to one release");
    }
  }
  metadata.files.push_back(std::move(file));
  return ok_status();
}

Result<TargetsMetadata> read_signed(const json& signed_part) {
  auto type = string_member(signed_part, "_type", "signed._type");
  if (!type) {
    return type.error();
  }
  if (*type != "targets") {
    return make_error(kVerifyOperation,
                      "field signed._type is " + quote(*type) + ", expected \"targets\"");
  }
  auto spec_version = string_member(signed_part, "spec_version", "signed.spec_version");
  if (!spec_version) {
    return spec_version.error();
  }
  if (spec_version->rfind("1.", 0) != 0) {
    return make_error(kVerifyOperation, "field signed.spec_version is " + quote(*spec_version) +
                                            ", expected a TUF 1.x version");
  }

  TargetsMetadata metadata;
  auto version = unsigned_member(signed_part, "version", "signed.version");
  if (!version) {
    return version.error();
  }
  metadata.version = *version;
  auto expires_text = string_member(signed_part, "expires", "signed.expires");
  if (!expires_text) {
    return expires_text.error();
  }
  auto expires = parse_expiry(*expires_text);
  if (!expires) {
    return expires.error();
  }
  metadata.expires = *expires;

  auto targets = object_member(signed_part, "targets", "signed.targets");
  if (!targets) {
    return targets.error();
  }
  for (const auto& [path, entry] : (*targets)->items()) {
    if (auto status = read_target(path, entry, metadata); !status) {
      return status.error();
    }
  }
  return metadata;
}

// Checks the rules of validate_targets. Errors start with `operation`.
Status validate_metadata(const TargetsMetadata& metadata, const char* operation) {
  if (metadata.version == 0) {
    return make_error(operation, "version is 0; TUF metadata versions start at 1");
  }
  if (metadata.files.empty()) {
    return make_error(operation, "the release has no files");
  }
  const std::pair<const char*, const std::string*> names[] = {
      {"release name", &metadata.release_name},
      {"release version", &metadata.release_version},
  };
  for (const auto& [label, value] : names) {
    if (value->empty()) {
      return make_error(operation, std::string(label) + " is empty");
    }
    if (!is_valid_utf8(*value)) {
      return make_error(operation, std::string(label) + " is not valid UTF-8");
    }
  }
  if (!is_lower_hex(metadata.info_hash, 64)) {
    return make_error(operation, "info hash " + quote(metadata.info_hash) +
                                              " is not 64 lowercase hex digits (a v2 info hash)");
  }
  std::set<std::string_view> paths;
  for (const auto& file : metadata.files) {
    if (auto status = validate_target_path(file.path); !status) {
      return make_error(operation, status.error().message);
    }
    if (!paths.insert(file.path).second) {
      return make_error(operation, "target path " + quote(file.path) + " appears twice");
    }
    if (!is_lower_hex(file.sha256, 64)) {
      return make_error(operation, "sha256 of target " + quote(file.path) + " is " +
                                                quote(file.sha256) +
                                                ", expected 64 lowercase hex digits");
    }
  }
  return ok_status();
}

}  // namespace

Status validate_target_path(std::string_view path) {
  const std::string operation = "check target path " + quote(path);
  if (path.empty()) {
    return make_error(operation, "the path is empty");
  }
  if (path.front() == '/') {
    return make_error(operation, "the path is absolute; expected a path relative to the release");
  }
  if (path.find('\\') != std::string_view::npos) {
    return make_error(operation, "the path contains a backslash; use '/' as the separator");
  }
  if (path.find("..") != std::string_view::npos) {
    return make_error(operation, "the path contains \"..\"");
  }
  for (char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return make_error(operation, "the path contains a control character");
    }
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty()) {
      return make_error(operation, "the path has an empty segment");
    }
    if (segment == ".") {
      return make_error(operation, "the path has a \".\" segment");
    }
    start = end + 1;
  }
  if (!is_valid_utf8(std::string(path))) {
    return make_error(operation, "the path is not valid UTF-8");
  }
  return ok_status();
}

Status validate_targets(const TargetsMetadata& metadata) {
  return validate_metadata(metadata, kValidateOperation);
}

std::string sign_targets(const TargetsMetadata& metadata, const KeyPair& keys) {
  json targets = json::object();
  for (const auto& file : metadata.files) {
    targets[file.path] = {
        {"length", file.length},
        {"hashes", {{"sha256", file.sha256}}},
        {"custom",
         {
             {"release", metadata.release_name},
             {"release_version", metadata.release_version},
             {"info_hash", metadata.info_hash},
         }},
    };
  }
  const json signed_part = {
      {"_type", "targets"},
      {"spec_version", kSpecVersion},
      {"version", metadata.version},
      {"expires", format_expiry(metadata.expires)},
      {"targets", std::move(targets)},
  };
  const Signature signature = sign(keys, canonical_json(signed_part));
  const json document = {
      {"signatures", json::array({{{"keyid", key_id(keys.public_key)}, {"sig", to_hex(signature)}}})},
      {"signed", signed_part},
  };
  // Invalid UTF-8 (which validate_targets rejects) is replaced rather than
  // thrown on, so such a document fails verification instead of signing.
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<TargetsMetadata> verify_targets(const std::string& document, const PublicKey& trusted_key,
                                       std::chrono::system_clock::time_point now) {
  if (nesting_depth(document) > kMaxNestingDepth) {
    return make_error(kVerifyOperation, "the document nests deeper than " +
                                            std::to_string(kMaxNestingDepth) + " levels");
  }
  const json root = json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return make_error(kVerifyOperation, "the document is not valid JSON");
  }
  if (!root.is_object()) {
    return make_error(kVerifyOperation, "the document must be a JSON object");
  }
  auto signatures = member(root, "signatures", "signatures", json::value_t::array, "an array");
  if (!signatures) {
    return signatures.error();
  }
  auto signed_part = object_member(root, "signed", "signed");
  if (!signed_part) {
    return signed_part.error();
  }

  // Nothing in `signed` is trusted, or even read, before its signature checks.
  if (auto status = check_signature(**signatures, **signed_part, trusted_key); !status) {
    return status.error();
  }
  auto metadata = read_signed(**signed_part);
  if (!metadata) {
    return metadata.error();
  }
  if (metadata->expires <= now) {
    return make_error(kVerifyOperation, "the metadata expired at " +
                                            format_expiry(metadata->expires) + " (now " +
                                            format_expiry(now) +
                                            "); fetch current metadata from the manager");
  }
  if (auto status = validate_metadata(*metadata, kVerifyOperation); !status) {
    return status.error();
  }
  return metadata;
}

}  // namespace cascade::crypto
