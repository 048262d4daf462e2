// Linked entity retrieval (`join`, `joinLevel`, `containedBy`): the entities that the
// Relationships of a result point to, either appended to the result (flat) or nested in each
// Relationship as its "entity" member (inline), up to joinLevel hops, never revisiting an
// entity already on the path or listed in containedBy.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "broker/tenant.h"
#include "model/render.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

struct JoinOptions {
  enum class Mode { None, Flat, Inline } mode = Mode::None;
  unsigned level = 1;
  std::set<std::string> contained_by;
  const RequestContext* caller = nullptr;  // linked entities it may not read are left out
};

Result<JoinOptions> join_options(const RequestContext& c);

// Writes each entity (and, with join, the linked ones) as elements of an array the caller
// opened; returns how many elements it wrote.
size_t render_joined(json::Writer& w, const std::vector<broker::EntityPtr>& entities, const broker::Tenant& tenant,
                     const jsonld::Context& ctx, const model::RenderOptions& opts, const JoinOptions& join);

}  // namespace dejima::ngsild
