#pragma once

#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "manager/registry.hpp"

namespace cascade::manager {

// Builds the JSON of GET /v1/status for one release from node reports:
// counts of nodes done, downloading, failed and not yet reporting; bytes
// from the primary source; and for each group the bytes its nodes pulled
// from outside it (primary source, other groups' relays, unknown
// addresses). Per-node rows name each peer by node id where the address
// belongs to a registered node.
nlohmann::json summarise_release(const Release& release, const std::vector<Node>& nodes,
                                 const std::vector<ReleaseStatus>& statuses);

}  // namespace cascade::manager
