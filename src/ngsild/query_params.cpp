#include "ngsild/query_params.h"

#include <charconv>

#include "model/parse.h"
#include "ngsild/render_params.h"
#include "util/uri.h"

namespace dejima::ngsild {

using query::add_ids;
using query::geo_query;
using query::scope_expression;
using query::selection_from_object;
using query::type_expression;

Result<query::Filter> filter_from_params(const RequestContext& c, bool require_criterion) {
  const auto& req = c.req;
  const auto& ctx = *c.context;
  query::Filter f;
  query::Selector sel;
  bool selected = false;
  if (const auto* t = req.param("type")) {
    auto types = type_expression(*t, ctx);
    if (!types) return std::unexpected(types.error());
    sel.types = std::move(*types);
    selected = true;
  }
  if (const auto* ids = req.param("id")) {
    if (auto st = add_ids(*ids, sel.ids); !st) return std::unexpected(st.error());
    if (sel.ids.empty()) return fail(ErrorKind::BadRequestData, "Invalid id", "id must list entity ids");
    selected = true;
  }
  if (const auto* p = req.param("idPattern")) {
    auto re = Regex::compile(*p);
    if (!re) return fail(ErrorKind::BadRequestData, "Invalid idPattern", re.error().detail);
    sel.id_pattern = std::move(*re);
    selected = true;
  }
  if (selected) f.entities.push_back(std::move(sel));
  if (const auto* a = req.param("attrs")) {
    if (auto st = add_attrs(*a, ctx, f.attrs); !st) return std::unexpected(st.error());
  }
  if (const auto* q = req.param("q")) {
    auto e = query::parse_q(*q, ctx);
    if (!e) return std::unexpected(e.error());
    f.q = std::move(*e);
  }
  if (const auto* s = req.param("scopeQ")) {
    auto e = scope_expression(*s);
    if (!e) return std::unexpected(e.error());
    f.scope = std::move(*e);
  }
  auto geo =
      geo_query(req.param("georel"), req.param("geometry"), req.param("coordinates"), req.param("geoproperty"), ctx);
  if (!geo) return std::unexpected(geo.error());
  f.geo = std::move(*geo);
  // local=true (no context source is asked) may select every entity.
  if (const auto* local = req.param("local")) {
    if (*local != "true" && *local != "false")
      return fail(ErrorKind::BadRequestData, "Invalid local", "local must be true or false");
    if (*local == "true") require_criterion = false;
  }
  if (require_criterion && !req.param("type") && !req.param("id") && f.attrs.empty() && !f.q && !f.geo)
    return fail(ErrorKind::BadRequestData, "Too broad query",
                "a query needs at least one of type, id, attrs, q or georel/geometry/coordinates");
  f.readable_types = c.readable_types;
  return f;
}

Result<query::Filter> filter_from_body(const json::Value& body, const RequestContext& c) {
  const auto& ctx = *c.context;
  if (!body.IsObject()) return fail(ErrorKind::BadRequestData, "Invalid query", "the body must be a Query object");
  if (auto t = body.FindMember("type");
      t != body.MemberEnd() && (!t->value.IsString() || json::view(t->value) != "Query"))
    return fail(ErrorKind::BadRequestData, "Invalid query", "type must be \"Query\"");
  query::Filter f;
  if (auto s = selection_from_object(body, ctx, f); !s) return std::unexpected(s.error());
  if (auto it = body.FindMember("attrs"); it != body.MemberEnd()) {
    if (!it->value.IsArray())
      return fail(ErrorKind::BadRequestData, "Invalid query", "attrs must be an array of names");
    for (const auto& a : it->value.GetArray()) {
      if (!a.IsString() || !model::valid_name(json::view(a)))
        return fail(ErrorKind::BadRequestData, "Invalid attrs", "attrs must be an array of attribute names");
      f.attrs.push_back(ctx.expand(json::view(a)));
    }
  }
  if (f.entities.empty() && f.attrs.empty() && !f.q && !f.geo)
    return fail(ErrorKind::BadRequestData, "Too broad query",
                "a query needs at least one of entities, attrs, q or geoQ");
  f.readable_types = c.readable_types;
  return f;
}

Result<query::Page> page_from_params(const RequestContext& c, const Options& options) {
  query::Page p;
  p.limit = options.default_limit;
  auto number = [&](const char* name, size_t& out) -> Status {
    const auto* v = c.req.param(name);
    if (!v) return {};
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (v->empty() || ec != std::errc() || end != v->data() + v->size())
      return fail(ErrorKind::BadRequestData, std::string("Invalid ") + name,
                  std::string(name) + " must be a non-negative integer");
    return {};
  };
  if (auto s = number("limit", p.limit); !s) return std::unexpected(s.error());
  if (auto s = number("offset", p.offset); !s) return std::unexpected(s.error());
  if (const auto* count = c.req.param("count")) {
    if (*count != "true" && *count != "false")
      return fail(ErrorKind::BadRequestData, "Invalid count", "count must be true or false");
    p.count = *count == "true";
  }
  if (p.limit > options.max_limit)
    return fail(ErrorKind::TooManyResults, "Too many results",
                "limit " + std::to_string(p.limit) + " exceeds the maximum of " + std::to_string(options.max_limit));
  if (p.limit == 0 && !p.count)
    return fail(ErrorKind::BadRequestData, "Invalid limit", "limit=0 is only allowed with count=true");
  return p;
}

void add_page_links(http::Response& r, const RequestContext& c, const query::Page& page, bool more) {
  auto link = [&](size_t offset, const char* rel) {
    std::string url(c.req.path);
    if (url.size() > 1 && url.back() == '/') url.pop_back();  // "/subscriptions/" is "/subscriptions"
    char sep = '?';
    for (const auto& [name, value] : c.req.query) {
      if (name == "offset" || name == "limit") continue;
      url += sep + percent_encode(name, ":/,;") + "=" + percent_encode(value, ":/,;");  // readable ids and lists
      sep = '&';
    }
    url += sep + std::string("limit=") + std::to_string(page.limit) + "&offset=" + std::to_string(offset);
    r.header("Link", "<" + url + ">;rel=\"" + rel + "\";type=\"" + std::string(media_type_name(c.accept)) + "\"");
  };
  if (page.limit == 0) return;
  if (page.offset > 0) link(page.offset > page.limit ? page.offset - page.limit : 0, "prev");
  if (more) link(page.offset + page.limit, "next");
}

}  // namespace dejima::ngsild
