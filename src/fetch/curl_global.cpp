#include "fetch/curl_global.h"

#include <sys/socket.h>

#include <mutex>

namespace dejima::fetch {

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {

curl_socket_t open_checked_socket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* guard = static_cast<EgressGuard*>(user);
  char* url = nullptr;  // the URL of this connection: after a redirect, the new one
  curl_easy_getinfo(guard->curl, CURLINFO_EFFECTIVE_URL, &url);
  const std::string host = url ? url_host(url) : std::string();
  Status st = guard->policy->check_host(host);
  if (st) st = guard->policy->check_address(&address->addr, guard->policy->admits_by_name(host));
  if (!st) {
    if (guard->refusal.empty()) guard->refusal = st.error().detail;
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

}  // namespace

void guard_egress(CURL* curl, EgressGuard& guard) {
  guard.curl = curl;
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &guard);
}

}  // namespace dejima::fetch
