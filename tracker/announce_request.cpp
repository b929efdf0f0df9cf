#include "tracker/announce_request.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <map>

namespace cascade::tracker {
namespace {

constexpr std::string_view announce_prefix = "/announce/";
constexpr std::size_t max_announce_key_length = 128;
constexpr int max_numwant = 200;

Error invalid(const std::string& detail) { return make_error("invalid announce", detail); }

// Quotes untrusted text for an error message: at most 32 bytes, with
// control and non-ASCII bytes as \xNN, so a reply or log line stays readable.
std::string quote(std::string_view text) {
  constexpr std::size_t max_shown = 32;
  std::string quoted = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_shown; ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte >= 0x7f || byte == '"' || byte == '\\') {
      static constexpr char digits[] = "0123456789abcdef";
      quoted += "\\x";
      quoted += digits[byte >> 4];
      quoted += digits[byte & 0xf];
    } else {
      quoted += static_cast<char>(byte);
    }
  }
  if (text.size() > max_shown) {
    quoted += "...";
  }
  quoted += '"';
  return quoted;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_announce_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

Result<std::string> parse_announce_key(std::string_view path) {
  if (path.substr(0, announce_prefix.size()) != announce_prefix) {
    return invalid("path " + quote(path) + " is not /announce/ANNOUNCE_KEY");
  }
  std::string_view key = path.substr(announce_prefix.size());
  if (key.empty()) {
    return invalid("announce key is missing from the path; expected /announce/ANNOUNCE_KEY");
  }
  if (key.size() > max_announce_key_length) {
    return invalid("announce key is longer than " + std::to_string(max_announce_key_length) +
                   " characters");
  }
  if (!std::all_of(key.begin(), key.end(), is_announce_key_char)) {
    return invalid("announce key in path " + quote(path) +
                   " may contain only letters, digits, '_' and '-'");
  }
  return std::string(key);
}

// Splits the query into decoded values by parameter name. Names are
// compared as sent, because clients never escape them.
Result<std::map<std::string, std::string, std::less<>>> split_query(std::string_view query) {
  std::map<std::string, std::string, std::less<>> parameters;
  while (!query.empty()) {
    std::size_t end = query.find('&');
    std::string_view pair = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
    if (pair.empty()) {
      continue;
    }
    std::size_t equals = pair.find('=');
    std::string name(pair.substr(0, equals));
    std::string_view raw_value =
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);

    // A repeated name is rejected because two readers of the same query
    // could disagree on which value counts.
    if (parameters.count(name) > 0) {
      return invalid("parameter " + quote(name) + " is repeated");
    }
    auto value = percent_decode(raw_value);
    if (!value) {
      return invalid(name + ": " + value.error().message);
    }
    parameters.emplace(std::move(name), std::move(*value));
  }
  return parameters;
}

template <class Parameters>
const std::string* find_parameter(const Parameters& parameters, std::string_view name) {
  auto found = parameters.find(name);
  return found == parameters.end() ? nullptr : &found->second;
}

template <class Parameters>
Status read_20_bytes(const Parameters& parameters, std::string_view name,
                     std::array<std::uint8_t, 20>& out) {
  const std::string* value = find_parameter(parameters, name);
  if (value == nullptr) {
    return invalid(std::string(name) + " is missing");
  }
  if (value->size() != out.size()) {
    return invalid(std::string(name) + " must be 20 bytes after percent-decoding, got " +
                   std::to_string(value->size()));
  }
  std::memcpy(out.data(), value->data(), out.size());
  return ok_status();
}

// Parses a decimal without sign, so "-1", "+1", " 1" and "" are all rejected.
bool parse_unsigned(const std::string& text, std::uint64_t& out) {
  if (text.empty()) {
    return false;
  }
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, out);
  return error == std::errc() && stop == end;
}

template <class Parameters>
Status read_counter(const Parameters& parameters, std::string_view name, std::uint64_t& out) {
  const std::string* value = find_parameter(parameters, name);
  if (value == nullptr) {
    return invalid(std::string(name) + " is missing");
  }
  if (!parse_unsigned(*value, out)) {
    return invalid(std::string(name) + " must be a non-negative decimal number, got " +
                   quote(*value));
  }
  return ok_status();
}

template <class Parameters>
Status read_port(const Parameters& parameters, std::uint16_t& out) {
  const std::string* value = find_parameter(parameters, "port");
  if (value == nullptr) {
    return invalid("port is missing");
  }
  std::uint64_t port = 0;
  if (!parse_unsigned(*value, port) || port == 0 || port > 65535) {
    return invalid("port must be a number from 1 to 65535, got " + quote(*value));
  }
  out = static_cast<std::uint16_t>(port);
  return ok_status();
}

template <class Parameters>
Status read_event(const Parameters& parameters, AnnounceEvent& out) {
  const std::string* value = find_parameter(parameters, "event");
  // BEP 3 treats "empty" like an absent event. libtorrent 2.0 also sends
  // "paused" (BEP 21), which this tracker handles as a regular announce.
  if (value == nullptr || value->empty() || *value == "empty" || *value == "paused") {
    out = AnnounceEvent::none;
  } else if (*value == "started") {
    out = AnnounceEvent::started;
  } else if (*value == "completed") {
    out = AnnounceEvent::completed;
  } else if (*value == "stopped") {
    out = AnnounceEvent::stopped;
  } else {
    return invalid("event must be started, completed, stopped or empty, got " + quote(*value));
  }
  return ok_status();
}

template <class Parameters>
Status read_compact(const Parameters& parameters, bool& out) {
  const std::string* value = find_parameter(parameters, "compact");
  if (value == nullptr) {
    return ok_status();  // keep the default
  }
  if (*value != "0" && *value != "1") {
    return invalid("compact must be 0 or 1, got " + quote(*value));
  }
  out = *value == "1";
  return ok_status();
}

// Clamps numwant to [0, max_numwant]. A number outside that range is
// clamped rather than rejected, because the rest of the announce is usable.
template <class Parameters>
Status read_numwant(const Parameters& parameters, int& out) {
  const std::string* value = find_parameter(parameters, "numwant");
  if (value == nullptr) {
    return ok_status();  // keep the default
  }
  std::string_view digits = *value;
  bool negative = !digits.empty() && digits.front() == '-';
  if (negative) {
    digits.remove_prefix(1);
  }
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(),
                                     [](char c) { return c >= '0' && c <= '9'; })) {
    return invalid("numwant must be a decimal number, got " + quote(*value));
  }
  if (negative) {
    out = 0;
    return ok_status();
  }
  std::uint64_t wanted = 0;
  auto [stop, error] = std::from_chars(digits.data(), digits.data() + digits.size(), wanted);
  out = error == std::errc() && wanted < static_cast<std::uint64_t>(max_numwant)
            ? static_cast<int>(wanted)
            : max_numwant;
  return ok_status();
}

}  // namespace

Result<std::string> percent_decode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      // Form encoding. libtorrent's escape_string sends a literal '+' as %2B.
      decoded += ' ';
      continue;
    }
    if (c != '%') {
      decoded += c;
      continue;
    }
    if (text.size() - i < 3) {
      return Error{"truncated percent escape " + quote(text.substr(i)) + " at offset " +
                   std::to_string(i)};
    }
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) {
      return Error{"invalid percent escape " + quote(text.substr(i, 3)) + " at offset " +
                   std::to_string(i) + "; expected % and two hex digits"};
    }
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return decoded;
}

Result<AnnounceRequest> parse_announce(std::string_view target) {
  std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  AnnounceRequest request;
  auto key = parse_announce_key(path);
  if (!key) {
    return key.error();
  }
  request.announce_key = std::move(*key);

  auto parameters = split_query(query);
  if (!parameters) {
    return parameters.error();
  }
  // Parameters of other BEPs and clients (key, supportcrypto, no_peer_id,
  // corrupt, redundant, ip, trackerid, ...) are read by no one and ignored.
  for (const Status& status : {
           read_20_bytes(*parameters, "info_hash", request.info_hash),
           read_20_bytes(*parameters, "peer_id", request.peer_id),
           read_port(*parameters, request.port),
           read_counter(*parameters, "uploaded", request.uploaded),
           read_counter(*parameters, "downloaded", request.downloaded),
           read_counter(*parameters, "left", request.left),
           read_event(*parameters, request.event),
           read_compact(*parameters, request.compact),
           read_numwant(*parameters, request.numwant),
       }) {
    if (!status) {
      return status.error();
    }
  }
  return request;
}

}  // namespace cascade::tracker
