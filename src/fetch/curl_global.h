// What every libcurl handle of fetch/ shares (fetch/ only): the process-wide initialisation,
// done once before the first handle, and the egress check of each connection it opens.
#pragma once
#include <curl/curl.h>

#include <memory>
#include <string>

#include "fetch/egress.h"

namespace dejima::fetch {

void init_curl();

// Checks every address the handle connects to (after DNS, on every redirect) against the
// policy; the first refusal's reason is kept, and the transfer fails to connect.
struct EgressGuard {
  std::shared_ptr<const EgressPolicy> policy;
  std::string refusal;
};
void guard_egress(CURL* curl, EgressGuard& guard);

}  // namespace dejima::fetch
