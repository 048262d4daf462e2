// libcurl's process-wide initialisation, done once before the first handle (fetch/ only).
#pragma once

namespace dejima::fetch {

void init_curl();

}  // namespace dejima::fetch
