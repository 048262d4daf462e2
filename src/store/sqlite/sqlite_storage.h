// SQLite implementation of the storage interface: one WAL-mode database file per tenant under
// <data-dir>/tenants/ (and its write records beside it, entity_log.h), plus <data-dir>/system.db
// for broker-wide state (@context documents, subscriptions, connectors, the access records).
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "store/store.h"

namespace dejima::store {

struct StorageOptions {
  // fsync the WAL at every group commit (survives power loss); otherwise an acknowledged write
  // survives a crash of the process but not of the machine.
  bool full_sync = true;
  DocumentMerge merge;                        // folds entity deltas into documents (model::apply_delta)
  long long max_lag_bytes = 32LL << 20;       // of records the derivation may be behind; writers wait beyond
  std::chrono::milliseconds derive_delay{0};  // a test hook: the deriver waits this long before each batch
};

Result<std::unique_ptr<Storage>> open_sqlite_storage(const std::string& data_dir, StorageOptions options);

}  // namespace dejima::store
