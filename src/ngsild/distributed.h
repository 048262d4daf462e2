// Distributed retrieval (clause 4.3.6.3 and 5.7.1 with context source registrations): the
// sources whose registrations cover an entity are asked for it, all at once, and their attributes
// merged into the local entity by the registrations' modes. Loops stop at the Via header.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "broker/tenant.h"
#include "federation/registration.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

// The live NGSI-LD registrations that take `operation` for the entity id (of the local entity's
// types, when there is one), unless the request says local=true or has already passed through
// this server (its Via names it).
std::vector<federation::RegPtr> sources_for(const RequestContext& c, const Services& s, const std::string& id,
                                            const model::Entity* local, std::string_view operation);

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
