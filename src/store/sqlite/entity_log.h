// A tenant's durable state in two SQLite databases (WAL mode):
//
//   <tenant>.records   records(seq, body): the write records (store/write_record.h), appended by
//                      the committer thread (group commit, one fsync per group). A write is
//                      acknowledged once its record is durable.
//   <tenant>.db        what is derived from the records by the deriver thread, in large
//                      transactions off the writers' path: entity_log (the documents), the
//                      history tables (history_tables.h) and derive_state (the last record
//                      derived, in the same transaction as what it derived, so each record is
//                      derived exactly once). Records up to it are deleted by a later commit.
//
// At open, the records a crash left underived are derived before anything else. The deriver
// may fall behind by max_lag_bytes of records; beyond, the committer waits (writers slow down).
// History reads first wait for the deriver to reach the newest acknowledged record.
//
// entity_log keeps the entity documents as an append-only log: the deriver appends each changed
// entity's new document (its stored one with the batch's deltas folded in, once per batch) or a
// tombstone at the tail; the newest row per id is the entity. A cleaner keeps the log below about
// twice the live data: it takes the oldest rows, re-appends those that are still current and
// deletes the range (log-structured cleaning). Which row is current is kept in memory (id -> seq).
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "store/store.h"

namespace dejima::store::sqlite {

struct TenantOptions {
  bool full_sync = true;  // fsync each commit (records) and each derivation
  DocumentMerge merge;    // folds EntityWrite deltas into documents
  long long max_lag_bytes = 32LL << 20;
  std::chrono::milliseconds derive_delay{0};  // a test hook: the deriver waits this long before each batch
};

Result<std::unique_ptr<TenantStore>> open_entity_log(const std::string& path, const std::string& records_path,
                                                     const TenantOptions& options);

}  // namespace dejima::store::sqlite
