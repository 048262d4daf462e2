#include "ngsild/render_params.h"

#include "model/parse.h"
#include "ngsild/projection.h"
#include "util/uri.h"

namespace dejima::ngsild {

namespace {

bool core_member(std::string_view n) { return n == "id" || n == "type" || n == "scope"; }

// Fills o.picked (pick) or o.omitted (omit) and, for members with braces, o.linked. A
// Relationship with braces is itself picked, and under omit is kept.
void apply_projection(const std::vector<ProjectionItem>& items, bool pick, const jsonld::Context& ctx,
                      model::RenderOptions& o) {
  if (pick) {
    o.pick = true;
    o.pick_id_type = false;
  }
  for (const auto& item : items) {
    std::string name = core_member(item.name) ? item.name : ctx.expand(item.name);
    if (item.linked) {
      auto linked = std::make_shared<model::RenderOptions>(o.unprojected());
      apply_projection(*item.linked, pick, ctx, *linked);
      o.linked[name] = std::move(linked);
    }
    if (pick)
      o.picked.push_back(std::move(name));
    else if (!item.linked)
      o.omitted.push_back(std::move(name));
  }
}

}  // namespace

Result<model::RenderOptions> render_options(const RequestContext& c) {
  model::RenderOptions o;
  o.with_context = c.accept == MediaType::JsonLd || c.accept == MediaType::GeoJson;
  bool key_values = false, concise = false;
  if (const auto* opts = c.req.param("options")) {
    for (const auto& opt : split_list(*opts)) {
      if (opt == "keyValues" || opt == "simplified")
        key_values = true;
      else if (opt == "concise")
        concise = true;
      else if (opt == "sysAttrs")
        o.sys_attrs = true;
      else if (opt == "normalized") {
      } else
        return fail(ErrorKind::InvalidRequest, "Invalid options", "unknown option '" + opt + "'");
    }
  }
  if (key_values && concise)
    return fail(ErrorKind::InvalidRequest, "Invalid options", "keyValues and concise cannot be combined");
  o.format = key_values ? model::Format::KeyValues : concise ? model::Format::Concise : model::Format::Normalized;
  if (const auto* f = c.req.param("format")) {
    if (*f == "keyValues" || *f == "simplified")
      o.format = model::Format::KeyValues;
    else if (*f == "concise")
      o.format = model::Format::Concise;
    else if (*f == "normalized")
      o.format = model::Format::Normalized;
    else
      return fail(ErrorKind::InvalidRequest, "Invalid format", "format must be normalized, concise or keyValues");
  }
  if (const auto* ds = c.req.param("datasetId")) {
    for (auto& d : split_list(*ds)) {
      if (d != "@none" && !is_absolute_uri(d))
        return fail(ErrorKind::BadRequestData, "Invalid datasetId", "'" + d + "' is neither a URI nor @none");
      o.dataset_ids.push_back(std::move(d));
    }
    if (o.dataset_ids.empty()) return fail(ErrorKind::BadRequestData, "Invalid datasetId", "datasetId must list URIs");
  }
  if (const auto* lang = c.req.param("lang")) {
    if (lang->empty()) return fail(ErrorKind::BadRequestData, "Invalid lang", "lang must be a language tag");
    o.lang = *lang;
  }
  const auto* attrs = c.req.param("attrs");
  const auto* pick = c.req.param("pick");
  const auto* omit = c.req.param("omit");
  if (pick && omit) return fail(ErrorKind::BadRequestData, "Invalid parameters", "pick and omit cannot be combined");
  if (pick && attrs) return fail(ErrorKind::BadRequestData, "Invalid parameters", "pick and attrs cannot be combined");
  if (omit && attrs) return fail(ErrorKind::BadRequestData, "Invalid parameters", "omit and attrs cannot be combined");
  if (attrs) {
    o.pick = true;
    if (attrs->empty()) return fail(ErrorKind::BadRequestData, "Invalid attrs", "attrs must list attribute names");
    for (const auto& n : split_list(*attrs)) {
      if (!model::valid_name(n)) return fail(ErrorKind::BadRequestData, "Invalid attribute name", "'" + n + "'");
      o.picked.push_back(c.context->expand(n));
    }
  }
  if (pick || omit) {
    const char* param = pick ? "pick" : "omit";
    auto items = parse_projection(pick ? *pick : *omit);
    if (!items) return fail(ErrorKind::BadRequestData, std::string("Invalid ") + param, items.error().detail);
    apply_projection(*items, pick != nullptr, *c.context, o);
  }
  return o;
}

}  // namespace dejima::ngsild
