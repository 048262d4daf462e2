// The egress policy: which destinations Dejima may connect to when a client makes it call a URL
// (remote @contexts, notification endpoints, connector sources; later federation sources).
// Link-local addresses (169.254.0.0/16, fe80::/10, where cloud metadata services answer) and the
// other metadata addresses are denied by default. A destination is refused when its host name or
// any address it connects to matches a deny entry, or, when allow entries are given, matches
// none of them. Every GET and POST of fetch/ checks the address it actually connects to (after
// DNS, for every redirect), so a name that resolves to a denied address is refused too.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

struct sockaddr;

namespace dejima::fetch {

// The defaults of --egress-deny and --egress-allow.
inline constexpr std::string_view kDefaultEgressDeny = "169.254.0.0/16,fe80::/10,100.100.100.200/32,fd00:ec2::254/128";
inline constexpr std::string_view kDefaultEgressAllow = "";

class EgressPolicy {
 public:
  // Comma-separated entries: networks (a.b.c.d/n, x::y/n, or one address) and host names
  // ("example.org" that name, ".example.org" every name under it). "none" or "" = no entry.
  // BadRequestData naming the entry that is neither.
  static Result<EgressPolicy> parse(std::string_view deny, std::string_view allow);

  // The host of a URL as written (a name, or an address literal, [::1] for IPv6); no DNS.
  Status check_host(std::string_view host) const;
  // An address about to be connected to; admitted_by_name when the host name it was resolved
  // from is admitted by name (admits_by_name), which then decides instead of allow networks.
  Status check_address(const sockaddr* address, bool admitted_by_name = false) const;
  // Whether a host name (not an address literal) matches a host entry of the allow list.
  bool admits_by_name(std::string_view host) const;

 private:
  struct Network {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d)
    int prefix = 128;
    std::string text;  // as written, for messages
  };
  struct Rules {
    std::vector<Network> networks;
    std::vector<std::string> hosts;
    bool empty() const { return networks.empty() && hosts.empty(); }
  };
  static Result<Rules> parse_rules(std::string_view list, const char* setting);
  Status check_bytes(const std::array<std::uint8_t, 16>& bytes, std::string_view shown, bool admitted_by_name) const;
  Rules deny_, allow_;
};

// The process's policy: app/ sets it at start from the settings (before any thread that fetches
// starts); until then it is the default one. Tests may set it.
void set_egress_policy(EgressPolicy policy);
std::shared_ptr<const EgressPolicy> egress_policy();

// The host of a URL as libcurl reads it (percent-decoded, without a trailing dot; "" when none).
std::string url_host(std::string_view url);
// check_host of the URL's host under the process's policy (no DNS): what a client's URL is
// checked against when it is declared (a subscription's endpoint, a connector's source). An
// http(s) or mqtt(s) URL without a host is refused; anything else (a local path) passes.
Status check_url(std::string_view url);

// check_host, then every address the host resolves to (for a client that connects by name
// itself: the MQTT notifier, once per broker connection).
Status check_resolved(std::string_view host);

}  // namespace dejima::fetch
