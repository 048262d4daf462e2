#include "store/sqlite/db.h"

namespace dejima::store::sqlite {

Statement::Statement(sqlite3* db, std::string_view sql) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
      SQLITE_OK)
    stmt_ = nullptr;
}

namespace {

// SQLite's memory statistics take a global mutex on every allocation (8 % of an import's time
// went to pthread_mutex_lock/unlock); Dejima reads none of them. Set before the first open.
void configure_once() {
  static const bool done = [] { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }();
  (void)done;
}

}  // namespace

Status Database::open(const std::string& path, bool create, bool full_sync, bool shared) {
  configure_once();
  int flags = SQLITE_OPEN_READWRITE | (shared ? SQLITE_OPEN_FULLMUTEX : SQLITE_OPEN_NOMUTEX) |
              (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    Error e = error("cannot open " + path);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    return std::unexpected(e);
  }
  sqlite3_busy_timeout(db_, 5000);
  if (auto s = exec("PRAGMA journal_mode=WAL"); !s) return s;
  return exec(full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
}

Status Database::exec(std::string_view sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : "unknown error";
    sqlite3_free(msg);
    return fail(ErrorKind::InternalError, "storage error", std::string(sql.substr(0, 40)) + ": " + m);
  }
  return {};
}

Error Database::error(std::string_view what) const {
  return Error{ErrorKind::InternalError, "storage error",
               std::string(what) + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory")};
}

}  // namespace dejima::store::sqlite
