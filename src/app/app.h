// Wires storage, tenants, @context registry, routes and the HTTP server into one process.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "app/settings.h"
#include "broker/tenant.h"
#include "store/store.h"
#include "util/error.h"

namespace dejima {

// The data directory opened (and locked against other processes) with every tenant loaded.
// Members are destroyed tenants first, then storage.
struct OpenData {
  std::unique_ptr<store::Storage> storage;
  std::unique_ptr<broker::Tenants> tenants;
};
Result<OpenData> open_data(const Settings& settings);

// Runs `dejima serve` until SIGINT/SIGTERM. Returns the process exit code.
int serve(const Settings& settings);

// Runs `dejima import FILE --format ... --type ... [settings]`: one connector run into the data
// directory with a progress bar on stderr and the run log (JSON) on stdout. Returns the exit code.
int import_command(const std::vector<std::string>& args, char** envp);

// Runs `dejima admin user|operator-key ...`: users and the operator's key, offline, in the data
// directory. Returns the exit code.
int admin_command(const std::vector<std::string>& args, char** envp);

}  // namespace dejima
