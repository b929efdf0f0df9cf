#include "crypto/request_auth.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace cascade::crypto {

namespace {

constexpr std::string_view kScheme = "Cascade ";
constexpr const char* kParseOperation = "parse X-Cascade-Auth header";
constexpr const char* kExpectedForm = "expected \"Cascade node=ID ts=UNIX_SECONDS sig=HEX\"";

// Splits "name=value" off the front of `rest` up to the next space, checking
// that the name matches. Leaves the remainder, from that space on, in `rest`.
Result<std::string_view> take_field(std::string_view& rest, std::string_view name) {
  const std::string prefix = std::string(name) + "=";
  if (rest.substr(0, prefix.size()) != prefix) {
    return make_error(kParseOperation,
                      "missing field " + std::string(name) + " where expected; " + kExpectedForm);
  }
  const std::size_t end = std::min(rest.find(' '), rest.size());
  const std::string_view value = rest.substr(prefix.size(), end - prefix.size());
  rest.remove_prefix(end);
  if (value.empty()) {
    return make_error(kParseOperation, "field " + std::string(name) + " is empty");
  }
  return value;
}

// Consumes the single space that follows field `previous`.
Status skip_separator(std::string_view& rest, std::string_view previous) {
  if (rest.empty() || rest[0] != ' ') {
    return make_error(kParseOperation, "the value ends after field " + std::string(previous) +
                                           "; " + kExpectedForm);
  }
  rest.remove_prefix(1);
  return ok_status();
}

}  // namespace

std::string request_signing_message(const std::string& method, const std::string& target,
                                    std::int64_t timestamp, const std::string& body) {
  return method + "\n" + target + "\n" + std::to_string(timestamp) + "\n" + sha256_hex(body);
}

std::string make_auth_header(const std::string& node_id, const KeyPair& keys,
                             const std::string& method, const std::string& target,
                             std::int64_t timestamp, const std::string& body) {
  const Signature signature = sign(keys, request_signing_message(method, target, timestamp, body));
  return std::string(kScheme) + "node=" + node_id + " ts=" + std::to_string(timestamp) +
         " sig=" + to_hex(signature);
}

Result<RequestAuth> parse_auth_header(const std::string& value) {
  std::string_view rest = value;
  if (rest.substr(0, kScheme.size()) != kScheme) {
    return make_error(kParseOperation, std::string("the value does not start with \"Cascade \"; ") +
                                           kExpectedForm);
  }
  rest.remove_prefix(kScheme.size());

  RequestAuth auth;
  auto node = take_field(rest, "node");
  if (!node) {
    return node.error();
  }
  for (char c : *node) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) {
      return make_error(kParseOperation, "field node must be printable ASCII");
    }
  }
  auth.node_id = std::string(*node);

  if (auto status = skip_separator(rest, "node"); !status) {
    return status.error();
  }
  auto timestamp = take_field(rest, "ts");
  if (!timestamp) {
    return timestamp.error();
  }
  const char* first = timestamp->data();
  const char* last = first + timestamp->size();
  const auto [end, error] = std::from_chars(first, last, auth.timestamp);
  if (error != std::errc() || end != last || (*timestamp)[0] == '-') {
    return make_error(kParseOperation,
                      "field ts must be a non-negative integer number of Unix seconds");
  }

  if (auto status = skip_separator(rest, "ts"); !status) {
    return status.error();
  }
  auto sig = take_field(rest, "sig");
  if (!sig) {
    return sig.error();
  }
  auto signature = signature_from_hex(*sig);
  if (!signature) {
    return make_error(kParseOperation, "field sig: " + signature.error().message);
  }
  auth.signature = *signature;

  if (!rest.empty()) {
    return make_error(kParseOperation, std::string("unexpected text after field sig; ") +
                                           kExpectedForm);
  }
  return auth;
}

}  // namespace cascade::crypto
