#include "fetch/egress.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>

namespace dejima::fetch {
namespace {

using Bytes = std::array<std::uint8_t, 16>;

// An IPv4 or IPv6 literal as IPv4-mapped IPv6 bytes; false when text is not one.
bool parse_address(const std::string& text, Bytes& out, bool& v4) {
  in_addr a4{};
  in6_addr a6{};
  if (inet_pton(AF_INET, text.c_str(), &a4) == 1) {
    out = Bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    std::memcpy(out.data() + 12, &a4, 4);
    v4 = true;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), &a6) == 1) {
    std::memcpy(out.data(), &a6, 16);
    v4 = false;
    return true;
  }
  return false;
}

bool in_network(const Bytes& a, const Bytes& net, int prefix) {
  for (int bit = 0; bit < prefix; ++bit) {
    const int byte = bit / 8, mask = 0x80 >> (bit % 8);
    if ((a[byte] & mask) != (net[byte] & mask)) return false;
  }
  return true;
}

bool host_matches(std::string_view host, const std::string& rule) {
  if (rule.starts_with('.')) return host.ends_with(rule) || host == std::string_view(rule).substr(1);
  return host == rule;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Error refused(std::string_view shown, const std::string& why) {
  return Error{ErrorKind::BadRequestData, "Refused by the egress policy", std::string(shown) + " " + why};
}

std::atomic<std::shared_ptr<const EgressPolicy>>& current() {
  static std::atomic<std::shared_ptr<const EgressPolicy>> policy{
      std::make_shared<const EgressPolicy>(*EgressPolicy::parse(kDefaultEgressDeny, kDefaultEgressAllow))};
  return policy;
}

}  // namespace

Result<EgressPolicy::Rules> EgressPolicy::parse_rules(std::string_view list, const char* setting) {
  Rules rules;
  if (list == "none") return rules;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string item(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.empty()) continue;
    const size_t slash = item.find('/');
    Network n;
    bool v4 = false;
    if (parse_address(item.substr(0, slash), n.bytes, v4)) {
      n.prefix = v4 ? 32 : 128;
      if (slash != std::string::npos) {
        const std::string bits = item.substr(slash + 1);
        char* end = nullptr;
        const long p = std::strtol(bits.c_str(), &end, 10);
        if (bits.empty() || *end || p < 0 || p > n.prefix)
          return fail(ErrorKind::BadRequestData, "Invalid egress rule",
                      std::string(setting) + ": '" + item + "' has an invalid prefix length");
        n.prefix = static_cast<int>(p);
      }
      if (v4) n.prefix += 96;
      n.text = item;
      rules.networks.push_back(std::move(n));
      continue;
    }
    const std::string host = lower(item);
    const bool name = host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") == std::string::npos &&
                      host != "." && slash == std::string::npos;
    if (!name)
      return fail(ErrorKind::BadRequestData, "Invalid egress rule",
                  std::string(setting) + ": '" + item + "' is neither a network nor a host name");
    rules.hosts.push_back(host);
  }
  return rules;
}

Result<EgressPolicy> EgressPolicy::parse(std::string_view deny, std::string_view allow) {
  EgressPolicy p;
  auto d = parse_rules(deny, "egress-deny");
  if (!d) return std::unexpected(d.error());
  auto a = parse_rules(allow, "egress-allow");
  if (!a) return std::unexpected(a.error());
  p.deny_ = std::move(*d);
  p.allow_ = std::move(*a);
  return p;
}

Status EgressPolicy::check_bytes(const Bytes& bytes, std::string_view shown, bool admitted_by_name) const {
  for (const auto& n : deny_.networks)
    if (in_network(bytes, n.bytes, n.prefix))
      return std::unexpected(refused(shown, "is in " + n.text + " (egress-deny)"));
  if (allow_.empty() || admitted_by_name) return {};
  for (const auto& n : allow_.networks)
    if (in_network(bytes, n.bytes, n.prefix)) return {};
  return std::unexpected(refused(shown, "is in no network of egress-allow"));
}

bool EgressPolicy::admits_by_name(std::string_view host) const {
  Bytes bytes;
  bool v4 = false;
  if (parse_address(std::string(host), bytes, v4)) return false;
  const std::string name = lower(host);
  return std::any_of(allow_.hosts.begin(), allow_.hosts.end(), [&](const auto& h) { return host_matches(name, h); });
}

Status EgressPolicy::check_host(std::string_view host) const {
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  Bytes bytes;
  bool v4 = false;
  if (parse_address(std::string(host), bytes, v4)) return check_bytes(bytes, host, false);
  const std::string name = lower(host);
  for (const auto& h : deny_.hosts)
    if (host_matches(name, h)) return std::unexpected(refused(host, "matches " + h + " (egress-deny)"));
  if (allow_.empty()) return {};
  for (const auto& h : allow_.hosts)
    if (host_matches(name, h)) return {};
  if (allow_.hosts.empty()) return {};  // only networks are allowed: decided by its addresses
  return std::unexpected(refused(host, "matches no host of egress-allow"));
}

Status EgressPolicy::check_address(const sockaddr* address, bool admitted_by_name) const {
  Bytes bytes{};
  char text[INET6_ADDRSTRLEN] = "";
  if (address->sa_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(address);
    bytes = Bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    std::memcpy(bytes.data() + 12, &a->sin_addr, 4);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
  } else if (address->sa_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(address);
    std::memcpy(bytes.data(), &a->sin6_addr, 16);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
  } else {
    return {};  // a Unix socket is not the network
  }
  return check_bytes(bytes, text, admitted_by_name);
}

void set_egress_policy(EgressPolicy policy) {
  current().store(std::make_shared<const EgressPolicy>(std::move(policy)));
}

std::shared_ptr<const EgressPolicy> egress_policy() { return current().load(); }

std::string url_host(std::string_view url) {
  // libcurl's own parser, so that the host checked is the host it connects to (percent-encoded
  // names, odd slashes); a trailing dot names the same host.
  std::string host;
  CURLU* u = curl_url();
  if (curl_url_set(u, CURLUPART_URL, std::string(url).c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
    char* h = nullptr;
    if (curl_url_get(u, CURLUPART_HOST, &h, CURLU_URLDECODE) == CURLUE_OK) host = h;
    curl_free(h);
  }
  curl_url_cleanup(u);
  if (host.size() > 1 && host.back() == '.') host.pop_back();
  return host;
}

Status check_url(std::string_view url) {
  const bool network = url.starts_with("http://") || url.starts_with("https://") || url.starts_with("mqtt://") ||
                       url.starts_with("mqtts://");
  if (!network) return {};  // a local file (a connector's source)
  const std::string host = url_host(url);
  if (host.empty())
    return fail(ErrorKind::BadRequestData, "Refused by the egress policy", std::string(url) + " names no host");
  return egress_policy()->check_host(host);
}

Status check_resolved(std::string_view host) {
  const auto policy = egress_policy();
  if (auto st = policy->check_host(host); !st) return st;
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(std::string(host).c_str(), nullptr, &hints, &found) != 0)
    return fail(ErrorKind::ServiceUnavailable, "Refused by the egress policy", std::string(host) + " does not resolve");
  const bool named = policy->admits_by_name(host);
  Status st;
  for (const addrinfo* a = found; a && st; a = a->ai_next) st = policy->check_address(a->ai_addr, named);
  freeaddrinfo(found);
  return st;
}

}  // namespace dejima::fetch
