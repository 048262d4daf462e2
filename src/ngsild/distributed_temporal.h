// Distributed temporal reads (clause 4.3.6.3 with the retrieveTemporal and queryTemporal
// operations): GET /temporal/entities/{id}, GET /temporal/entities and POST
// /temporal/entityOperations/query also ask the sources whose registrations take the operation
// and cover the entity or the query, all at once, with the request's temporal parameters and
// Link; their temporal entities are merged into the local answer by id and the registrations'
// modes, attribute instances by datasetId and time.
#pragma once
#include <string>
#include <vector>

#include "federation/registration.h"
#include "ngsild/request_context.h"
#include "ngsild/temporal_params.h"
#include "query/filter.h"

namespace dejima::ngsild {

// Merges a source's temporal entity `from` (compacted as the local one) into `into` by the
// registration's mode: exclusive and redirect sources' attributes (`keys`, compacted; empty: all)
// replace the local ones; inclusive ones are added, an attribute both hold getting the source's
// instances of a datasetId and time the local one lacks (normalized and temporalValues forms, in
// time order, the newest lastN kept); auxiliary ones only add attributes the local one lacks.
void merge_temporal_entity(json::Value& into, const json::Value& from, json::Document::AllocatorType& alloc,
                           const std::vector<std::string>& keys, const std::string& mode, const TemporalRequest& t);

// The temporal entity `id` (the local one, `local`, null when not held) completed by every source;
// null when neither has it. Blocking: run it on a forwarder thread.
std::unique_ptr<json::Document> retrieve_temporal_distributed(const RequestContext& c, const Services& s,
                                                              const std::string& id, const json::Value* local,
                                                              const std::vector<federation::RegPtr>& sources,
                                                              const TemporalRequest& t);

// Every local match (`local`, an array of temporal entities) merged with what each source
// answers, readable by the caller, in id order. Blocking: run it on a forwarder thread.
json::Document query_temporal_distributed(const RequestContext& c, const Services& s, const query::Filter& f,
                                          json::Document local, const std::vector<federation::RegPtr>& sources,
                                          const TemporalRequest& t);

}  // namespace dejima::ngsild
