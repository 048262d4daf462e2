// Internal form -> NGSI-LD output: normalized, concise or keyValues, compacted with the
// request's @context, optionally as a GeoJSON Feature.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jsonld/context.h"
#include "model/entity.h"
#include "util/json.h"

namespace dejima::model {

enum class Format { Normalized, Concise, KeyValues };

struct RenderOptions {
  Format format = Format::Normalized;
  bool sys_attrs = false;
  bool with_context = false;         // "@context" member (application/ld+json)
  bool pick = false;                 // `pick` or `attrs` given: only `picked` attributes
  std::vector<std::string> picked;   // expanded names; "id"/"type" literal for pick
  std::vector<std::string> omitted;  // expanded names; "id"/"type" literal
  bool pick_id_type = true;          // attrs= keeps id and type; pick= only when listed
  std::string lang;  // LanguageProperty -> Property in the best of these ranges ("fr-CH,fr;q=0.9,*;q=0.5")
  std::vector<std::string> dataset_ids;  // only these instances ("@none" = default); empty = all
  bool instance_arrays = false;          // an attribute's instances as an array even when one (temporal)
  // pick=rel{...} / omit=rel{...} (clause 4.21): how entities linked through the Relationship
  // `rel` (expanded name) are shown with join; a Relationship not listed shows them whole.
  std::map<std::string, std::shared_ptr<const RenderOptions>> linked;

  bool is_default() const {
    return format == Format::Normalized && !sys_attrs && !with_context && !pick && omitted.empty() && lang.empty() &&
           dataset_ids.empty();
  }
  // Whether the member `name` (expanded attribute name, or "id"/"type"/"scope") is shown.
  bool shows(std::string_view name) const;
  // These options without attrs/pick/omit: how a linked entity is shown by default.
  RenderOptions unprojected() const;
  // The options for an entity linked through the Relationship `rel`.
  RenderOptions for_linked(const std::string& rel) const;
};

// Whether anything of the entity is left once attrs/pick/omit apply: for attrs, one of the
// listed attributes; for pick and omit, any member. When not, retrieval is 404 and a query
// leaves the entity out.
bool projection_matches(const Entity& e, const RenderOptions& o);

void render_entity(json::Writer& w, const Entity& e, const jsonld::Context& ctx, const RenderOptions& o);
std::string render_entity(const Entity& e, const jsonld::Context& ctx, const RenderOptions& o);
// Only the attribute members (instances of one attribute as an array), into an open object.
void render_attributes(json::Writer& w, const Entity& e, const jsonld::Context& ctx, const RenderOptions& o);
// The same, reusing the body cached on the (immutable) entity when the representation is the
// common one: the core context and default options.
void render_entity_cached(json::Writer& w, const Entity& e, const jsonld::Context& ctx, const RenderOptions& o);
const std::string& cached_body(const Entity& e);
// GeoJSON Feature; `geometry_property` is the expanded name of the GeoProperty to use.
void render_feature(json::Writer& w, const Entity& e, const jsonld::Context& ctx, const RenderOptions& o,
                    const std::string& geometry_property);

}  // namespace dejima::model
