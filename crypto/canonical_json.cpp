#include "crypto/canonical_json.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace cascade::crypto {

namespace {

void append_string(const std::string& text, std::string& out) {
  out.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out.push_back('"');
}

void append_value(const nlohmann::json& value, std::string& out) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      out += "null";
      return;
    case nlohmann::json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case nlohmann::json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      return;
    case nlohmann::json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      return;
    case nlohmann::json::value_t::string:
      append_string(value.get_ref<const std::string&>(), out);
      return;
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value) {
        if (!first) {
          out.push_back(',');
        }
        first = false;
        append_value(element, out);
      }
      out.push_back(']');
      return;
    }
    case nlohmann::json::value_t::object: {
      // nlohmann::json stores objects in a std::map<std::string, ...>, whose
      // order compares chars as unsigned char (std::char_traits<char>::lt),
      // which is the byte order canonical JSON requires.
      out.push_back('{');
      bool first = true;
      for (const auto& [key, element] : value.items()) {
        if (!first) {
          out.push_back(',');
        }
        first = false;
        append_string(key, out);
        out.push_back(':');
        append_value(element, out);
      }
      out.push_back('}');
      return;
    }
    case nlohmann::json::value_t::number_float:
      throw std::invalid_argument("canonical JSON: floating-point numbers are not allowed");
    case nlohmann::json::value_t::binary:
      throw std::invalid_argument("canonical JSON: binary values are not allowed");
    case nlohmann::json::value_t::discarded:
      throw std::invalid_argument("canonical JSON: discarded value");
  }
  throw std::invalid_argument("canonical JSON: unknown value type");
}

}  // namespace

std::string canonical_json(const nlohmann::json& value) {
  std::string out;
  append_value(value, out);
  return out;
}

}  // namespace cascade::crypto
