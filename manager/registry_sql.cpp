#include "manager/registry_sql.hpp"

#include <sqlite3.h>

#include <limits>
#include <utility>

namespace cascade::manager::sql {

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* handle = nullptr;
  int code = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &handle, nullptr);
  if (code != SQLITE_OK) {
    return make_error("prepare SQL statement", sqlite3_errmsg(db));
  }
  return Statement(db, handle);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      handle_(std::exchange(other.handle_, nullptr)),
      bind_error_(std::move(other.bind_error_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(handle_);
    db_ = other.db_;
    handle_ = std::exchange(other.handle_, nullptr);
    bind_error_ = std::move(other.bind_error_);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(handle_); }

void Statement::bind(int index, std::string_view text) {
  int code = sqlite3_bind_text(handle_, index, text.data(), static_cast<int>(text.size()),
                               SQLITE_TRANSIENT);
  if (code != SQLITE_OK && bind_error_.empty()) {
    bind_error_ = "bind parameter " + std::to_string(index) + ": " + sqlite3_errstr(code);
  }
}

void Statement::bind(int index, std::int64_t number) {
  int code = sqlite3_bind_int64(handle_, index, number);
  if (code != SQLITE_OK && bind_error_.empty()) {
    bind_error_ = "bind parameter " + std::to_string(index) + ": " + sqlite3_errstr(code);
  }
}

void Statement::bind(int index, std::uint64_t number) {
  if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    if (bind_error_.empty()) {
      bind_error_ = "value " + std::to_string(number) +
                    " is above 9223372036854775807, the maximum SQLite integer";
    }
    return;
  }
  bind(index, static_cast<std::int64_t>(number));
}

void Statement::bind_or_null(int index, const std::string& text) {
  if (!text.empty()) {
    bind(index, text);
    return;
  }
  int code = sqlite3_bind_null(handle_, index);
  if (code != SQLITE_OK && bind_error_.empty()) {
    bind_error_ = "bind parameter " + std::to_string(index) + ": " + sqlite3_errstr(code);
  }
}

Result<bool> Statement::step() {
  if (!bind_error_.empty()) {
    return Error{bind_error_};
  }
  int code = sqlite3_step(handle_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  return make_error("run SQL statement", sqlite3_errmsg(db_));
}

Status Statement::run() {
  auto row = step();
  if (!row) return row.error();
  return ok_status();
}

std::string Statement::text(int column) const {
  const auto* bytes = sqlite3_column_text(handle_, column);
  if (bytes == nullptr) return {};
  int size = sqlite3_column_bytes(handle_, column);
  return std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(handle_, column); }

Status exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string detail = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return make_error("run SQL", detail);
  }
  return ok_status();
}

Status in_transaction(sqlite3* db, const std::function<Status()>& body) {
  if (auto begun = exec(db, "BEGIN IMMEDIATE"); !begun) {
    return begun;
  }
  Status result = body();
  if (result) {
    result = exec(db, "COMMIT");
  }
  // A failed COMMIT may have rolled back already, so roll back only a
  // transaction that is still open.
  if (!result && sqlite3_get_autocommit(db) == 0) {
    exec(db, "ROLLBACK");
  }
  return result;
}

}  // namespace cascade::manager::sql
