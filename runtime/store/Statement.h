// A prepared SQLite statement with typed binds and column reads, finalised
// on scope exit. Internal to runtime/store.
#pragma once

#include "runtime/store/Store.h"

#include <sqlite3.h>

#include <string>

namespace edl::store {

class Statement {
 public:
  Statement(sqlite3 *db, const char *sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw StoreError(std::string("store: ") + sqlite3_errmsg(db) + " in: " + sql);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement &) = delete;
  Statement &operator=(const Statement &) = delete;

  Statement &bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement &bind(int i, int v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement &bind(int i, double v) { return check(sqlite3_bind_double(stmt_, i, v)); }
  Statement &bind(int i, const std::string &v) {
    return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Statement &bind(int i, std::optional<std::int64_t> v) {
    return v ? bind(i, *v) : check(sqlite3_bind_null(stmt_, i));
  }

  // True while there is a row to read.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(std::string("store: ") + sqlite3_errmsg(db_));
  }
  void run() { while (step()) {} }
  // Ready to run again with new binds.
  void reset() { sqlite3_reset(stmt_); }

  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<std::int64_t> optional_integer(int col) const {
    return null(col) ? std::nullopt : std::optional<std::int64_t>(integer(col));
  }
  std::optional<double> optional_real(int col) const {
    return null(col) ? std::nullopt : std::optional<double>(real(col));
  }
  std::string text(int col) const {
    const auto *p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char *>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
  }

 private:
  Statement &check(int rc) {
    if (rc != SQLITE_OK) throw StoreError(std::string("store: ") + sqlite3_errmsg(db_));
    return *this;
  }
  sqlite3 *db_;
  sqlite3_stmt *stmt_ = nullptr;
};

}  // namespace edl::store
