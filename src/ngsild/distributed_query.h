// Distributed queries (clause 4.3.6.3 with context source registrations): GET /entities and
// POST /entityOperations/query also ask the sources whose registrations take the operation
// (queryEntity, queryBatch) and cover the query's entities and attributes, all at once; their
// entities are merged with the local matches by id and by the registrations' modes, then ordered
// and paged as one list, so counts and pages stay right.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/tenant.h"
#include "federation/registration.h"
#include "ngsild/csource_registration.h"
#include "ngsild/request_context.h"
#include "query/filter.h"

namespace dejima::ngsild {

// The live registrations that take `operation` and cover the filter (an item whose entities can
// meet one of its selectors and whose attributes include one it asks for), unless the request
// says local=true or has passed through this server.
std::vector<federation::RegPtr> query_sources(const RequestContext& c, const Services& s, const query::Filter& f,
                                              std::string_view operation);

// The attributes the registration holds of what the filter asks (expanded; empty: all of them),
// nullopt when none of its items covers the filter's entities and attributes.
std::optional<std::vector<std::string>> covered(const LdRegistration& r, const query::Filter& f);

// The header with which Dejima's query answers say they list entities in id order (no orderBy):
// a source that says so may be asked for the first entities of a page only.
inline constexpr std::string_view kResultsOrder = "Dejima-Results-Order";

struct DistributedResult {
  std::vector<broker::EntityPtr> entities;  // the page (or every match)
  size_t total = 0;                         // every match (known when every source answered all)
  bool more = false;                        // a source had more than it was asked for
};

// Every local match (`local`) merged with what each source answers, readable by the caller, in
// id order; with a `page`, only that part of the list: without a count, the sources are asked for
// no more than the page's end and one more (a cut answer that does not say it is in id order,
// kResultsOrder, is asked again for everything, and so is every source when the ids the caller
// may read fall short of the page's end), and their other entities are counted by id, never
// read in full. An entity a source matched but the broker did not
// (the source holds the attribute the query is about) still gets the attributes `tenant` holds of it. Blocking: run it
// on a forwarder thread.
DistributedResult query_distributed(const RequestContext& c, const Services& s, const query::Filter& f,
                                    const broker::Tenant& tenant, std::vector<broker::EntityPtr> local,
                                    const std::vector<federation::RegPtr>& sources,
                                    const std::optional<query::Page>& page);

}  // namespace dejima::ngsild
