// Minimal RAII over sqlite3 handles; private to the sqlite folder.
#pragma once
#include <sqlite3.h>

#include <string>
#include <string_view>

#include "util/error.h"

namespace dejima::store::sqlite {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, std::string_view sql);
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(Statement&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept {
    std::swap(stmt_, o.stmt_);
    return *this;
  }
  bool ok() const { return stmt_ != nullptr; }
  void bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void bind_blob(int i, std::string_view bytes) {
    sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  }
  void bind(int i, long long v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string_view column_text(int i) {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))) : std::string_view{};
  }
  std::string_view column_blob(int i) {
    auto p = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))) : std::string_view{};
  }
  long long column_int(int i) { return sqlite3_column_int64(stmt_, i); }
  double column_double(int i) { return sqlite3_column_double(stmt_, i); }
  bool column_null(int i) { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  Database() = default;
  ~Database() {
    if (db_) sqlite3_close_v2(db_);
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A connection shared between threads serializes its calls (shared = true); a connection
  // used by one thread at a time skips that locking.
  Status open(const std::string& path, bool create, bool full_sync, bool shared = true);
  Status exec(std::string_view sql);
  sqlite3* handle() const { return db_; }
  Error error(std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace dejima::store::sqlite
