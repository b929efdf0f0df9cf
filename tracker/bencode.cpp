#include "tracker/bencode.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <optional>

namespace cascade::tracker {
namespace {

void append_string(std::string& out, std::string_view text) {
  out += std::to_string(text.size());
  out += ':';
  out += text;
}

template <class Integer>
void append_integer(std::string& out, Integer value) {
  out += 'i';
  out += std::to_string(value);
  out += 'e';
}

void append_port(std::string& out, std::uint16_t port) {
  out += static_cast<char>(port >> 8);
  out += static_cast<char>(port & 0xff);
}

// Address bytes in network order: 4 for IPv4 (also for an IPv4-mapped IPv6
// literal such as ::ffff:10.0.0.1) and 16 for IPv6. Returns nullopt for
// anything else.
std::optional<std::string> address_bytes(const std::string& address) {
  std::array<unsigned char, 16> buffer{};
  if (inet_pton(AF_INET, address.c_str(), buffer.data()) == 1) {
    return std::string(reinterpret_cast<const char*>(buffer.data()), 4);
  }
  if (inet_pton(AF_INET6, address.c_str(), buffer.data()) == 1) {
    static constexpr unsigned char v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(buffer.data(), v4_mapped_prefix, sizeof v4_mapped_prefix) == 0) {
      return std::string(reinterpret_cast<const char*>(buffer.data()) + 12, 4);
    }
    return std::string(reinterpret_cast<const char*>(buffer.data()), 16);
  }
  return std::nullopt;
}

void append_compact_peers(std::string& out, const std::vector<PeerNode>& peers) {
  std::string peers4;
  std::string peers6;
  for (const auto& peer : peers) {
    auto bytes = address_bytes(peer.address);
    if (!bytes) {
      continue;  // see encode_reply
    }
    std::string& list = bytes->size() == 4 ? peers4 : peers6;
    list += *bytes;
    append_port(list, peer.port);
  }
  append_string(out, "peers");
  append_string(out, peers4);
  append_string(out, "peers6");
  append_string(out, peers6);
}

// Each peer is a dictionary of "ip" and "port". BEP 3 also lists
// "peer id", which is left out because the tracker keeps node ids, not
// peer ids, and clients accept its absence.
void append_peer_dictionaries(std::string& out, const std::vector<PeerNode>& peers) {
  append_string(out, "peers");
  out += 'l';
  for (const auto& peer : peers) {
    if (!address_bytes(peer.address)) {
      continue;  // see encode_reply
    }
    out += 'd';
    append_string(out, "ip");
    append_string(out, peer.address);
    append_string(out, "port");
    append_integer(out, peer.port);
    out += 'e';
  }
  out += 'e';
}

}  // namespace

std::string encode_failure(const std::string& reason) {
  std::string out = "d";
  append_string(out, "failure reason");
  append_string(out, reason);
  out += 'e';
  return out;
}

std::string encode_reply(const AnnounceReply& reply, bool compact) {
  // Keys in byte order, as bencoding requires of dictionaries.
  std::string out = "d";
  append_string(out, "complete");
  append_integer(out, reply.complete);
  append_string(out, "incomplete");
  append_integer(out, reply.incomplete);
  append_string(out, "interval");
  append_integer(out, reply.interval_seconds);
  append_string(out, "min interval");
  append_integer(out, reply.min_interval_seconds);
  if (compact) {
    append_compact_peers(out, reply.peers);
  } else {
    append_peer_dictionaries(out, reply.peers);
  }
  out += 'e';
  return out;
}

}  // namespace cascade::tracker
