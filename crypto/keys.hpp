#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace cascade::crypto {

using PublicKey = std::array<std::uint8_t, 32>;   // Ed25519
using SecretKey = std::array<std::uint8_t, 64>;   // Ed25519, libsodium layout
using Signature = std::array<std::uint8_t, 64>;

struct KeyPair {
  PublicKey public_key{};
  SecretKey secret_key{};
};

// Initialises libsodium and is safe to call more than once. Every other
// function here initialises it too, and aborts the process if sodium_init
// fails.
Status initialise();

KeyPair generate_key_pair();

// Writes the secret key as hex to a new file with mode 0600. Fails rather
// than overwrite an existing file. The file appears whole or not at all.
Status save_key_pair(const KeyPair& keys, const std::string& path);
// Reads a file written by save_key_pair. Rejects a malformed file and one
// whose public half does not match its seed.
Result<KeyPair> load_key_pair(const std::string& path);

Signature sign(const KeyPair& keys, std::string_view message);
bool verify(const PublicKey& key, std::string_view message, const Signature& signature);

// TUF key id: hex SHA-256 of the canonical JSON of the key object
// {"keytype":"ed25519","scheme":"ed25519","keyval":{"public":HEX}}.
std::string key_id(const PublicKey& key);

std::string to_hex(std::string_view bytes);
template <std::size_t N>
std::string to_hex(const std::array<std::uint8_t, N>& bytes) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), N));
}
// Decodes hex of either case; returns an error on odd length or a non-hex digit.
Result<std::string> from_hex(std::string_view hex);
Result<PublicKey> public_key_from_hex(std::string_view hex);
Result<Signature> signature_from_hex(std::string_view hex);

std::string sha256_hex(std::string_view data);
// Hashes a file in chunks; returns an error naming the path if it cannot be read.
Result<std::string> sha256_file_hex(const std::string& path);

}  // namespace cascade::crypto
