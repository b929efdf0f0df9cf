#include "crypto/keys.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/canonical_json.hpp"

namespace cascade::crypto {

namespace {

constexpr std::size_t kHashChunkBytes = 64 * 1024;

std::string errno_text() { return std::strerror(errno); }

// Runs sodium_init once per process and aborts the process if it fails,
// because the functions that call this one have no way to report an error.
void require_sodium() {
  static const bool initialised = sodium_init() >= 0;
  if (!initialised) {
    std::fputs("cascade crypto: sodium_init failed\n", stderr);
    std::abort();
  }
}

int hex_digit_value(char digit) {
  if (digit >= '0' && digit <= '9') {
    return digit - '0';
  }
  if (digit >= 'a' && digit <= 'f') {
    return digit - 'a' + 10;
  }
  if (digit >= 'A' && digit <= 'F') {
    return digit - 'A' + 10;
  }
  return -1;
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> fixed_bytes_from_hex(std::string_view hex, const char* what) {
  if (hex.size() != 2 * N) {
    return make_error("decode " + std::string(what),
                      "expected " + std::to_string(2 * N) + " hex digits, got " +
                          std::to_string(hex.size()));
  }
  auto bytes = from_hex(hex);
  if (!bytes) {
    return make_error("decode " + std::string(what), bytes.error().message);
  }
  std::array<std::uint8_t, N> result{};
  std::memcpy(result.data(), bytes->data(), N);
  return result;
}

// Writes `content` to a new file at `path` with mode 0600 and never replaces
// an existing file. The content goes to a temporary file first and link(2)
// publishes it, so a crash leaves either no file or the whole file, and a
// file that appears in between is not overwritten (link fails with EEXIST).
Status write_new_private_file(const std::string& path, const std::string& content) {
  const std::string operation = "save key " + path;
  std::string temporary = path + ".tmp-XXXXXX";
  int fd = mkstemp(temporary.data());  // creates the file with mode 0600
  if (fd < 0) {
    return make_error(operation, "create temporary file: " + errno_text());
  }
  auto fail = [&](const std::string& detail) {
    close(fd);
    unlink(temporary.c_str());
    return make_error(operation, detail);
  };
  // mkstemp already uses 0600, and fchmod keeps the mode exact under any umask.
  if (fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
    return fail("set mode 0600: " + errno_text());
  }

  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t count = write(fd, content.data() + written, content.size() - written);
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count <= 0) {
      return fail("write: " + errno_text());
    }
    written += static_cast<std::size_t>(count);
  }

  if (fsync(fd) != 0) {
    return fail("sync: " + errno_text());
  }
  if (close(fd) != 0) {
    unlink(temporary.c_str());
    return make_error(operation, "close: " + errno_text());
  }

  const int link_result = link(temporary.c_str(), path.c_str());
  const int link_errno = errno;
  unlink(temporary.c_str());
  if (link_result != 0) {
    if (link_errno == EEXIST) {
      return make_error(operation, "the file already exists; remove it first or choose another path");
    }
    return make_error(operation, std::string("publish file: ") + std::strerror(link_errno));
  }
  return ok_status();
}

}  // namespace

Status initialise() {
  if (sodium_init() < 0) {
    return make_error("initialise libsodium", "sodium_init failed (no usable random source?)");
  }
  return ok_status();
}

KeyPair generate_key_pair() {
  require_sodium();
  KeyPair keys;
  crypto_sign_keypair(keys.public_key.data(), keys.secret_key.data());
  return keys;
}

Status save_key_pair(const KeyPair& keys, const std::string& path) {
  if (auto status = initialise(); !status) {
    return status;
  }
  struct stat existing {};
  if (lstat(path.c_str(), &existing) == 0) {
    return make_error("save key " + path,
                      "the file already exists; remove it first or choose another path");
  }
  std::string content = to_hex(keys.secret_key) + "\n";
  auto status = write_new_private_file(path, content);
  sodium_memzero(content.data(), content.size());
  return status;
}

Result<KeyPair> load_key_pair(const std::string& path) {
  if (auto status = initialise(); !status) {
    return status.error();
  }
  const std::string operation = "load key " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(operation, "cannot open the file: " + errno_text());
  }
  // A key file is 129 bytes. Reading a little more is enough to reject a
  // longer file without loading an arbitrary amount.
  std::string text(2 * sizeof(SecretKey) + 16, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) {
    return make_error(operation, "read failed");
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }

  auto secret = fixed_bytes_from_hex<sizeof(SecretKey)>(text, "secret key");
  sodium_memzero(text.data(), text.size());
  if (!secret) {
    return make_error(operation, secret.error().message);
  }
  KeyPair keys;
  keys.secret_key = *secret;
  sodium_memzero(secret->data(), secret->size());

  // libsodium's secret key is the 32-byte seed followed by the public key.
  // Deriving the pair again from the seed detects a corrupted file.
  KeyPair derived;
  crypto_sign_seed_keypair(derived.public_key.data(), derived.secret_key.data(),
                           keys.secret_key.data());
  const bool matches =
      sodium_memcmp(derived.secret_key.data(), keys.secret_key.data(), sizeof(SecretKey)) == 0;
  sodium_memzero(derived.secret_key.data(), derived.secret_key.size());
  if (!matches) {
    sodium_memzero(keys.secret_key.data(), keys.secret_key.size());
    return make_error(operation, "the public half does not match the seed; the file is corrupted");
  }
  keys.public_key = derived.public_key;
  return keys;
}

Signature sign(const KeyPair& keys, std::string_view message) {
  require_sodium();
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       keys.secret_key.data());
  return signature;
}

bool verify(const PublicKey& key, std::string_view message, const Signature& signature) {
  require_sodium();
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.data()) == 0;
}

std::string key_id(const PublicKey& key) {
  const nlohmann::json key_object = {
      {"keytype", "ed25519"},
      {"scheme", "ed25519"},
      {"keyval", {{"public", to_hex(key)}}},
  };
  return sha256_hex(canonical_json(key_object));
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  return hex;
}

Result<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return make_error("decode hex", "odd number of digits (" + std::to_string(hex.size()) + ")");
  }
  std::string bytes(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_digit_value(hex[i]);
    const int low = hex_digit_value(hex[i + 1]);
    if (high < 0 || low < 0) {
      const std::size_t position = high < 0 ? i : i + 1;
      return make_error("decode hex", "invalid hex digit at position " + std::to_string(position));
    }
    bytes[i / 2] = static_cast<char>((high << 4) | low);
  }
  return bytes;
}

Result<PublicKey> public_key_from_hex(std::string_view hex) {
  return fixed_bytes_from_hex<sizeof(PublicKey)>(hex, "public key");
}

Result<Signature> signature_from_hex(std::string_view hex) {
  return fixed_bytes_from_hex<sizeof(Signature)>(hex, "signature");
}

std::string sha256_hex(std::string_view data) {
  require_sodium();
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  return to_hex(digest);
}

Result<std::string> sha256_file_hex(const std::string& path) {
  if (auto status = initialise(); !status) {
    return status.error();
  }
  const std::string operation = "hash " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(operation, "cannot open the file: " + errno_text());
  }
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<char> buffer(kHashChunkBytes);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto count = in.gcount();
    if (count > 0) {
      crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buffer.data()),
                                static_cast<unsigned long long>(count));
    }
  }
  if (in.bad()) {
    return make_error(operation, "read failed: " + errno_text());
  }
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state, digest.data());
  return to_hex(digest);
}

}  // namespace cascade::crypto
