#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace cascade::crypto {

// Serialises a JSON value in the OLPC canonical form that TUF signs:
// object keys sorted by byte value, no insignificant whitespace, strings
// escaping only '"' and '\\' (other bytes, control characters included, are
// written as they are), integers only. Throws std::invalid_argument for a
// float or a binary value, which canonical JSON cannot represent.
std::string canonical_json(const nlohmann::json& value);

}  // namespace cascade::crypto
