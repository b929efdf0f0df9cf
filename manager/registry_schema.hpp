#pragma once

#include <span>

#include "common/result.hpp"

struct sqlite3;

namespace cascade::manager {

// One schema step. Versions start at 1 and rise by 1 without gaps.
struct Migration {
  int version;
  const char* sql;
};

// The registry's schema steps, oldest first.
std::span<const Migration> registry_migrations();

// Applies the steps of `migrations` above the version recorded in the
// file's schema_version table, each in its own transaction together with
// its schema_version row. Rejects a file whose version is newer than the
// last step, since this build would misread it.
Status apply_migrations(sqlite3* db, std::span<const Migration> migrations);

// Highest version recorded in the schema_version table, 0 for a new file.
Result<int> read_schema_version(sqlite3* db);

}  // namespace cascade::manager
