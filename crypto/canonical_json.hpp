#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace cascade::crypto {

// Serialises a JSON value in the OLPC canonical form that TUF signs:
// object keys sorted by byte value, no insignificant whitespace, strings
// escaping only '"' and '\\', integers only (floats are not allowed, so
// the caller must not pass them). Throws std::invalid_argument for a float.
std::string canonical_json(const nlohmann::json& value);

}  // namespace cascade::crypto
