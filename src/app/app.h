// Wires storage, tenants, @context registry, routes and the HTTP server into one process.
#pragma once
#include "app/settings.h"
#include "util/error.h"

namespace dejima {

// Runs `dejima serve` until SIGINT/SIGTERM. Returns the process exit code.
int serve(const Settings& settings);

}  // namespace dejima
