#pragma once

// Small RAII helpers over the sqlite3 C API, private to the registry.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace cascade::manager::sql {

// One prepared statement, finalized on destruction. Pass values through
// bind_all() rather than pasting them into the SQL text.
class Statement {
 public:
  static Result<Statement> prepare(sqlite3* db, std::string_view sql);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds parameters ?1, ?2, ... in order. A failed bind is reported by the
  // next step(), so call sites stay linear.
  template <class... Values>
  Statement& bind_all(const Values&... values) {
    int index = 1;
    (bind(index++, values), ...);
    return *this;
  }
  void bind(int index, std::string_view text);
  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  void bind(int index, const char* text) { bind(index, std::string_view(text)); }
  void bind(int index, std::int64_t number);
  void bind(int index, int number) { bind(index, static_cast<std::int64_t>(number)); }
  // Rejects values above INT64_MAX, which SQLite integers cannot hold.
  void bind(int index, std::uint64_t number);
  void bind(int index, std::uint32_t number) { bind(index, static_cast<std::int64_t>(number)); }
  void bind(int index, std::uint16_t number) { bind(index, static_cast<std::int64_t>(number)); }
  void bind(int index, bool flag) { bind(index, static_cast<std::int64_t>(flag ? 1 : 0)); }
  // Binds NULL for an empty string, for nullable references such as a
  // group's parent.
  void bind_or_null(int index, const std::string& text);

  // Returns true while a row is available and false once the statement is done.
  Result<bool> step();
  // Runs a statement that returns no rows.
  Status run();

  std::string text(int column) const;  // "" for NULL
  std::int64_t int64(int column) const;
  std::uint64_t uint64(int column) const { return static_cast<std::uint64_t>(int64(column)); }

 private:
  Statement(sqlite3* db, sqlite3_stmt* handle) : db_(db), handle_(handle) {}

  sqlite3* db_ = nullptr;
  sqlite3_stmt* handle_ = nullptr;
  std::string bind_error_;
};

// Runs SQL text without parameters, such as a migration step or a PRAGMA.
Status exec(sqlite3* db, const char* sql);

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT. The write lock is taken
// before the first read, so the checks in `body` still hold when it writes.
// Rolls back when `body` returns an error or the commit fails.
Status in_transaction(sqlite3* db, const std::function<Status()>& body);

// Returns whether the query yields at least one row.
template <class... Values>
Result<bool> row_exists(sqlite3* db, std::string_view query, const Values&... values) {
  auto statement = Statement::prepare(db, query);
  if (!statement) return statement.error();
  statement->bind_all(values...);
  return statement->step();
}

// Runs a statement that returns no rows, with `values` bound in order.
template <class... Values>
Status run(sqlite3* db, std::string_view statement_sql, const Values&... values) {
  auto statement = Statement::prepare(db, statement_sql);
  if (!statement) return statement.error();
  return statement->bind_all(values...).run();
}

// Returns the first column of the first row as an integer, 0 without rows.
template <class... Values>
Result<std::int64_t> query_int64(sqlite3* db, std::string_view query, const Values&... values) {
  auto statement = Statement::prepare(db, query);
  if (!statement) return statement.error();
  statement->bind_all(values...);
  auto row = statement->step();
  if (!row) return row.error();
  return *row ? statement->int64(0) : std::int64_t{0};
}

}  // namespace cascade::manager::sql
