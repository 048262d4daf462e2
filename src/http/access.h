// What a route requires of its caller, and what the one decision point (a Gate, installed in the
// Router) granted. Every route declares a Permission when it is added; the Router asks the Gate
// before any handler runs, and the handler reads the Grant from the Request. The rules live in
// access/ (access/gate.h); this layer only carries them.
#pragma once
#include <string>
#include <vector>

namespace dejima::http {

// The right a route needs.
enum class Need {
  Open,         // anyone (health, version, the tenant list, hosted @contexts)
  Identified,   // anyone with valid credentials, in no tenant (who am I, change my password)
  Read,         // read entities of the tenant
  Temporal,     // read the history of entities of the tenant
  Write,        // create, change, delete entities of the tenant
  Subscribe,    // manage subscriptions of the tenant
  TenantAdmin,  // manage the tenant itself: its services, keys, connectors
  Operator,     // the platform's operators only (every tenant)
};

// Where the tenant a request acts on is named.
enum class TenantFrom {
  Header,  // NGSILD-Tenant (absent: the default tenant)
  Path,    // the route's first capture
  Query,   // the "tenant" query parameter (absent: the default tenant; the operator: every tenant)
};

struct Permission {
  Need need = Need::Operator;
  TenantFrom tenant = TenantFrom::Header;
};

// What the gate admitted a request to do. The default grants everything (access control off).
struct Grant {
  // "anonymous", "operator" (the operator's key), the id of a service's API key, "user:<name>"
  // (a signed-in user) or "oidc:<subject>" (an identity provider's token).
  std::string caller = "anonymous";
  std::string tenant;           // the tenant the grant is for ("" = the default tenant)
  bool operator_rights = true;  // the platform's operator (or access control off)
  bool tenant_admin = true;     // may manage the tenant
  // The entity types the caller may read, as configured (short names or IRIs); empty with
  // all_types: every type.
  bool all_types = true;
  std::vector<std::string> types;
  // On routes that need only valid credentials (who am I): the caller's role in each tenant
  // ("default" for the default tenant), for a user or a token's subject.
  std::vector<std::pair<std::string, std::string>> roles;
};

std::string_view need_name(Need n);

}  // namespace dejima::http
