#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace cascade::cli {

// Prints rows as left-aligned columns under a header, for people.
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);

// Formats a byte count with a binary unit: "1.5 MiB".
std::string format_bytes(double bytes);

}  // namespace cascade::cli
