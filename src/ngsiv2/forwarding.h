// Orion's forwarding to context providers. Reads: a read asks the providers whose
// registrations cover what it selects for the attributes the local entities lack (local data
// wins) and for the entities it names by id that are not held here, one request after another
// (`POST <provider>/op/query`), and answers with the local entities completed and the providers'
// entities after them. A provider that fails, times out or answers anything but an entity array
// adds nothing. Updates: the attributes of an update that the local entity cannot take (it
// lacks them, or the entity) and that a registration covers go to its provider (`POST
// <provider>/op/update`, actionType update); only a 204 counts as written. The requests run on
// the federation::Forwarder's threads, never on the HTTP server's, and are sent through
// federation::ask_source, which counts them in the registration (forwardingInformation).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/tenant.h"
#include "federation/registration.h"
#include "fetch/http_get.h"
#include "model/parse.h"
#include "ngsiv2/request_context.h"

namespace dejima::ngsiv2 {

// An entity a read names by id (type expanded; none: any) that is not held here.
struct Named {
  std::string id;
  std::optional<std::string> type;
};

// One request to a provider about one entity.
struct QueryForward {
  federation::RegPtr reg;
  std::string id, type;            // as sent (v2 type name; "" = none)
  std::vector<std::string> attrs;  // v2 names; empty: every attribute
  bool local = false;              // completes a local entity (else: an entity only providers hold)
};

// The provider's URL for `op` ("/op/query") as Orion builds it: the registered URL's path with its
// empty segments dropped, "/" when none is left, then `op` — so "http://agent:4041" gets
// "http://agent:4041//op/query", the path the FIWARE IoT agents serve, and "http://cp/v2/" gets
// "http://cp/v2/op/query".
std::string provider_url(std::string_view endpoint, std::string_view op);

// The requests a read needs (in registration order per entity): `attrs` are the v2 names the
// read asks for (empty: all).
std::vector<QueryForward> plan_query(const Services& s, const RequestContext& c,
                                     const std::vector<broker::EntityPtr>& local, const std::vector<Named>& missing,
                                     const std::vector<std::string>& attrs);

// The request sent for `f` (the n-th forward of the client's request: `cbfwd=n`).
fetch::Exchange query_exchange(const RequestContext& c, const QueryForward& f, size_t n, size_t limit, size_t offset,
                               long timeout_ms);

struct Forwarded {
  std::vector<broker::EntityPtr> entities;  // the local ones (completed), then the providers' own
  size_t remote_total = 0;                  // entities only providers hold (their Fiware-Total-Count)
};

// Folds one provider answer into `out` (nothing when it is not an entity array).
void merge_answer(const RequestContext& c, const QueryForward& f, const Result<fetch::Response>& answer,
                  Forwarded& out);

// The paging of the providers' part: what the local part left of the page.
struct RemotePage {
  size_t limit = 20, offset = 0;
};

// Answers a read: `render` runs with the local entities at once when no registration applies (or
// options=skipForwarding), else on a forwarder thread once the providers have answered. `c` is
// kept alive until then.
using Render = std::function<void(const RequestContext& c, const Forwarded& result, http::Reply reply)>;
void answer_forwarded(Services& s, std::unique_ptr<RequestContext> c, std::vector<broker::EntityPtr> local,
                      std::vector<Named> missing, std::vector<std::string> attrs, RemotePage page, Render render,
                      http::Reply reply);

// One request to a provider: the attributes of one entity it takes.
struct UpdateForward {
  federation::RegPtr reg;
  std::string id, type;  // as sent (v2 type name; "" = none)
  std::vector<model::AttrInstance> attrs;
};

// Takes out of `parsed` the attributes that `local` (nullptr: the entity is not held here) lacks
// and that a live registration for updates covers: one forward per registration, in id order.
// `type` is the v2 type the request names (nullptr: none).
std::vector<UpdateForward> plan_update(const Services& s, const RequestContext& c, const model::Entity* local,
                                       const std::string& id, const std::string* type, model::ParsedEntity& parsed);

// The request sent for `f` (the n-th forward: `cbfwd=n`).
fetch::Exchange update_exchange(const RequestContext& c, const UpdateForward& f, size_t n, long timeout_ms);

// Sends the forwards on a forwarder thread and answers: `local` is the answer of the part written
// here (none: everything was forwarded). 204 when every part was written; else the local error,
// or Orion's 404 NotFound (nothing written) or 404 PartialUpdate naming what was not.
void answer_updates(Services& s, std::shared_ptr<const RequestContext> c, std::vector<UpdateForward> forwards,
                    std::optional<http::Response> local, http::Reply reply);

}  // namespace dejima::ngsiv2
