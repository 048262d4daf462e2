// A tenant's entity state as an append-only log in one SQLite database (WAL mode).
//
// Every write appends the entity's whole new document (or a tombstone) at the tail of
// `entity_log`; the newest row per id is the entity. Appending keeps a group commit down to a
// few sequential pages however large the tenant is, where updating rows in place would dirty
// two random B-tree pages per entity. A cleaner keeps the log below about twice the live data:
// it takes the oldest rows, re-appends those that are still current and deletes the range
// (log-structured cleaning). Which row is current is kept in memory (id -> seq).
#pragma once
#include <memory>
#include <string>

#include "store/store.h"

namespace dejima::store::sqlite {

Result<std::unique_ptr<TenantStore>> open_entity_log(const std::string& path, bool full_sync);

}  // namespace dejima::store::sqlite
