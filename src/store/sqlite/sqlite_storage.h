// SQLite implementation of the storage interface: one WAL-mode database file per tenant under
// <data-dir>/tenants/, plus <data-dir>/system.db for broker-wide state (@context documents).
#pragma once
#include <memory>
#include <string>

#include "store/store.h"

namespace dejima::store {

// full_sync: fsync the WAL at every group commit (survives power loss); otherwise an
// acknowledged write survives a crash of the process but not of the machine.
Result<std::unique_ptr<Storage>> open_sqlite_storage(const std::string& data_dir, bool full_sync);

}  // namespace dejima::store
