// Glue shared by the NGSIv2 handlers: finding the entity a request names, writing through the
// broker, replying with the correlator.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/router.h"
#include "ngsiv2/entity.h"
#include "ngsiv2/request_context.h"
#include "query/filter.h"

namespace dejima::ngsiv2 {

using Params = std::vector<std::string>;

// The completion of a write: `status` (204, 201 ...) on success, Orion's error otherwise.
std::function<void(Status)> reply_status(const RequestContext& c, http::Reply reply, unsigned status,
                                         std::vector<std::pair<std::string, std::string>> headers = {});

// Whether `e` is the entity a request names by id: readable by the caller, of `type` when the
// request gives one, in the request's service paths (a read) or its one service path (a write).
bool names_entity(const RequestContext& c, const model::Entity& e, const std::string* type, bool write);

// The entity the request names (in its service paths, or its one write path), or nullptr.
broker::EntityPtr find_entity(Services& s, const RequestContext& c, const std::string& id, const std::string* type,
                              bool write = false);

// Runs `mutate` on a copy of the entity the request names (404 when there is none) and stores
// the result; replies `status` once it is durable. A mutation that applied only part of a request
// sets `report` (Orion's PartialUpdate): the part is written and the report is the answer.
// `operated`: the attributes written with update operators (RequestContext::origin).
using Mutation = std::function<Status(model::Entity& e, std::optional<Error>& report)>;
void modify_entity(Services& s, const RequestContext& c, const std::string& id, const std::string* type,
                   http::Reply reply, Mutation mutate, unsigned status = 204,
                   std::vector<std::pair<std::string, std::string>> operated = {});

// "[ A, B ]", the attribute lists of Orion's update errors.
std::string names_list(const std::vector<std::string>& names);
// "E" or "E/T" (when the request named the type), the entity in Orion's update errors.
std::string entity_label(const std::string& id, const std::string* type);

// The page `limit`, `offset` and options=count ask for (Orion's texts; `explain` adds the hint in
// brackets that entity queries give).
Result<query::Page> page_of(const RequestContext& c, const Options& o, bool explain = true);

// The "options" parameter names `o`.
bool has_option(const RequestContext& c, std::string_view o);

}  // namespace dejima::ngsiv2
