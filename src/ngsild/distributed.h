// Distributed retrieval (clause 4.3.6.3 and 5.7.1 with context source registrations): the
// sources whose registrations cover an entity are asked for it, all at once, and their attributes
// merged into the local entity by the registrations' modes. Loops stop at the Via header.
#pragma once
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/tenant.h"
#include "federation/registration.h"
#include "fetch/http_get.h"
#include "model/parse.h"
#include "ngsild/csource_registration.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

// Sources are asked on threads of their own; when no thread can be made, on the caller's.
constexpr auto kAtOnce = std::launch::async | std::launch::deferred;

// Whether the request has already passed through this server (its Via header names it).
bool passed_here(const RequestContext& c, const Services& s);

// Whether a read may ask context sources at all: the tenant has registrations, the request does
// not say local=true and has not passed through this server.
bool may_forward(const RequestContext& c, const Services& s);

// The expanded types of an entity (none for null).
std::vector<std::string> types_of(const model::Entity* e);

// The live NGSI-LD registrations that take `operation` for the entity id of these types (none
// known: any type), unless the request says local=true or has already passed through this
// server (its Via names it).
std::vector<federation::RegPtr> sources_for(const RequestContext& c, const Services& s, const std::string& id,
                                            const std::vector<std::string>& types, std::string_view operation);

// The attributes a registration holds of the entity (expanded; empty: all of them), nullopt when
// none of its items covers the entity.
std::optional<std::vector<std::string>> registered(const LdRegistration& r, const std::string& id,
                                                   const std::vector<std::string>& types);

// A request to a registration's source: {endpoint}{path} (path from /ngsi-ld/v1 on, encoded),
// with the registration's tenant and timeout and this server added to the request's Via header.
fetch::Exchange source_request(const Services& s, const federation::Registration& r, std::string_view via,
                               std::string method, const std::string& path);

// Sends the client's read on to `path` at the registration's source as it came — GET, or POST
// with the client's body and Content-Type — with its Link, through federation::ask_source
// (counted, cooled down); an unreachable source is logged. The answer keeps `keep_headers`.
Result<fetch::Response> forward_read(const RequestContext& c, const Services& s, const federation::Registration& r,
                                     const std::string& path, std::vector<std::string> keep_headers = {});

// Whether the caller may read an entity only a source holds, by the types the source gives it
// (compacted as the request's @context reads them).
bool readable_as_answered(const RequestContext& c, const json::Value& e);

// Merges a source's answer for an entity into `into` by the registration's mode: exclusive and
// redirect sources' attributes (the registered `names`, empty: all) replace the local ones,
// inclusive ones are added where the local entity has no instance of the same datasetId.
void merge_source(model::Entity& into, const model::ParsedEntity& from, const std::vector<std::string>& names,
                  const std::string& mode, Millis now);

// Asks each source for the entity (the registered attributes the request wants; `attrs`
// expanded, empty = all) and merges the answers into a copy of `local` (which may be null):
// exclusive and redirect registrations' attributes come from their source only, inclusive
// ones are added beside the local ones, auxiliary ones only when no other registration covers it.
// Null when neither the broker nor a source has it. Blocking: run it on a forwarder thread.
std::shared_ptr<model::Entity> retrieve_distributed(const RequestContext& c, const Services& s, const std::string& id,
                                                    const model::Entity* local,
                                                    const std::vector<federation::RegPtr>& sources,
                                                    const std::vector<std::string>& attrs);

}  // namespace dejima::ngsild
