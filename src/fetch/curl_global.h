// What every libcurl handle of fetch/ shares (fetch/ only): the process-wide initialisation,
// done once before the first handle, and the egress check of each connection it opens.
#pragma once
#include <curl/curl.h>

#include <memory>
#include <string>

#include "fetch/egress.h"

namespace dejima::fetch {

void init_curl();

// Checks every connection the handle opens — the host of the URL it is for (each redirect's
// too) and the address it connects to — against the policy. A refused address makes libcurl try
// the next one; the first refusal's reason is kept, to report when the transfer fails.
struct EgressGuard {
  std::shared_ptr<const EgressPolicy> policy;
  CURL* curl = nullptr;
  std::string refusal;
};
void guard_egress(CURL* curl, EgressGuard& guard);

}  // namespace dejima::fetch
