#include "ngsild/query_params.h"

#include <charconv>

#include "model/parse.h"
#include "ngsild/render_params.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

Error bad(const std::string& title, const std::string& detail) { return Error{ErrorKind::BadRequestData, title, detail}; }

Result<query::Names> type_expression(std::string_view text, const jsonld::Context& ctx) {
  auto names = query::parse_names(text, "type");
  if (!names) return names;
  std::string invalid;
  names->for_each_atom([&](std::string& atom) {
    if (!model::valid_name(atom)) invalid = atom;
    atom = ctx.expand(atom);
  });
  if (!invalid.empty()) return std::unexpected(bad("Invalid type", "'" + invalid + "' is not a valid type name"));
  return names;
}

Result<query::Names> scope_expression(std::string_view text) {
  auto names = query::parse_names(text, "scopeQ");
  if (!names) return names;
  Status st;
  names->for_each_atom([&](std::string& atom) {
    if (st) st = query::check_scope_pattern(atom);
  });
  if (!st) return std::unexpected(st.error());
  return names;
}

Status add_ids(std::string_view list, std::vector<std::string>& out) {
  for (auto& id : split_list(list)) {
    if (!is_absolute_uri(id)) return fail(ErrorKind::BadRequestData, "Invalid id", "'" + id + "' is not a URI");
    out.push_back(std::move(id));
  }
  return {};
}

Result<std::shared_ptr<query::GeoQuery>> geo_query(const std::string* georel, const std::string* geometry,
                                                   const std::string* coordinates, const std::string* geoproperty,
                                                   const jsonld::Context& ctx) {
  if (!georel && !geometry && !coordinates) return nullptr;
  if (!georel || !geometry || !coordinates)
    return fail(ErrorKind::BadRequestData, "Invalid geoQ", "georel, geometry and coordinates go together");
  std::string property = ctx.expand(geoproperty ? *geoproperty : "location");
  if (geoproperty && !model::valid_name(*geoproperty))
    return fail(ErrorKind::BadRequestData, "Invalid geoproperty", "'" + *geoproperty + "'");
  return query::GeoQuery::parse(*georel, *geometry, *coordinates, std::move(property));
}

}  // namespace

Status add_attrs(std::string_view list, const jsonld::Context& ctx, std::vector<std::string>& out) {
  for (const auto& a : split_list(list)) {
    if (!model::valid_name(a) || a == "id" || a == "type")
      return fail(ErrorKind::BadRequestData, "Invalid attrs", "'" + a + "' is not a valid attribute name");
    out.push_back(ctx.expand(a));
  }
  return {};
}

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
  auto geo = geo_query(req.param("georel"), req.param("geometry"), req.param("coordinates"), req.param("geoproperty"), ctx);
  if (!geo) return std::unexpected(geo.error());
  f.geo = std::move(*geo);
  // local=true (no context source is asked) may select every entity.
  if (const auto* local = req.param("local")) {
    if (*local != "true" && *local != "false") return fail(ErrorKind::BadRequestData, "Invalid local", "local must be true or false");
    if (*local == "true") require_criterion = false;
  }
  if (require_criterion && !req.param("type") && !req.param("id") && f.attrs.empty() && !f.q && !f.geo)
    return fail(ErrorKind::BadRequestData, "Too broad query",
                "a query needs at least one of type, id, attrs, q or georel/geometry/coordinates");
  return f;
}

Status selection_from_object(const json::Value& body, const jsonld::Context& ctx, query::Filter& f) {
  auto string_member = [&](const char* name) -> Result<const json::Value*> {
    auto it = body.FindMember(name);
    if (it == body.MemberEnd()) return nullptr;
    if (!it->value.IsString()) return fail(ErrorKind::BadRequestData, std::string("Invalid ") + name, std::string(name) + " must be a string");
    return &it->value;
  };
  if (auto it = body.FindMember("entities"); it != body.MemberEnd()) {
    if (!it->value.IsArray() || it->value.Empty())
      return fail(ErrorKind::BadRequestData, "Invalid entities", "entities must be a non-empty array of EntitySelectors");
    for (const auto& e : it->value.GetArray()) {
      if (!e.IsObject()) return fail(ErrorKind::BadRequestData, "Invalid entities", "an EntitySelector is an object");
      query::Selector sel;
      for (const auto& m : e.GetObject()) {
        const std::string_view key = json::view(m.name);
        if (!m.value.IsString())
          return fail(ErrorKind::BadRequestData, "Invalid entities", "EntitySelector." + std::string(key) + " must be a string");
        const std::string_view v = json::view(m.value);
        if (key == "type") {
          auto types = type_expression(v, ctx);
          if (!types) return std::unexpected(types.error());
          sel.types = std::move(*types);
        } else if (key == "id") {
          if (!is_absolute_uri(v)) return fail(ErrorKind::BadRequestData, "Invalid id", "'" + std::string(v) + "' is not a URI");
          sel.ids.emplace_back(v);
        } else if (key == "idPattern") {
          auto re = Regex::compile(v);
          if (!re) return fail(ErrorKind::BadRequestData, "Invalid idPattern", re.error().detail);
          sel.id_pattern = std::move(*re);
        } else {
          return fail(ErrorKind::BadRequestData, "Invalid entities", "unknown EntitySelector member '" + std::string(key) + "'");
        }
      }
      if (!sel.types && sel.ids.empty() && !sel.id_pattern)
        return fail(ErrorKind::BadRequestData, "Invalid entities", "an EntitySelector needs type, id or idPattern");
      f.entities.push_back(std::move(sel));
    }
  }
  auto q = string_member("q");
  if (!q) return std::unexpected(q.error());
  if (*q) {
    auto e = query::parse_q(json::view(**q), ctx);
    if (!e) return std::unexpected(e.error());
    f.q = std::move(*e);
  }
  auto scope = string_member("scopeQ");
  if (!scope) return std::unexpected(scope.error());
  if (*scope) {
    auto e = scope_expression(json::view(**scope));
    if (!e) return std::unexpected(e.error());
    f.scope = std::move(*e);
  }
  if (auto it = body.FindMember("geoQ"); it != body.MemberEnd()) {
    const auto& g = it->value;
    auto member = [&](const char* n) -> std::optional<std::string> {
      auto m = g.IsObject() ? g.FindMember(n) : g.MemberEnd();
      if (!g.IsObject() || m == g.MemberEnd()) return std::nullopt;
      return m->value.IsString() ? std::string(json::view(m->value)) : json::to_string(m->value);
    };
    auto georel = member("georel"), geometry = member("geometry"), coords = member("coordinates"), prop = member("geoproperty");
    if (!georel || !geometry || !coords)
      return fail(ErrorKind::BadRequestData, "Invalid geoQ", "geoQ needs georel, geometry and coordinates");
    auto geo = geo_query(&*georel, &*geometry, &*coords, prop ? &*prop : nullptr, ctx);
    if (!geo) return std::unexpected(geo.error());
    f.geo = std::move(*geo);
  }
  return {};
}

Result<query::Filter> filter_from_body(const json::Value& body, const RequestContext& c) {
  const auto& ctx = *c.context;
  if (!body.IsObject()) return fail(ErrorKind::BadRequestData, "Invalid query", "the body must be a Query object");
  if (auto t = body.FindMember("type"); t != body.MemberEnd() && (!t->value.IsString() || json::view(t->value) != "Query"))
    return fail(ErrorKind::BadRequestData, "Invalid query", "type must be \"Query\"");
  query::Filter f;
  if (auto s = selection_from_object(body, ctx, f); !s) return std::unexpected(s.error());
  if (auto it = body.FindMember("attrs"); it != body.MemberEnd()) {
    if (!it->value.IsArray()) return fail(ErrorKind::BadRequestData, "Invalid query", "attrs must be an array of names");
    for (const auto& a : it->value.GetArray()) {
      if (!a.IsString() || !model::valid_name(json::view(a)))
        return fail(ErrorKind::BadRequestData, "Invalid attrs", "attrs must be an array of attribute names");
      f.attrs.push_back(ctx.expand(json::view(a)));
    }
  }
  if (f.entities.empty() && f.attrs.empty() && !f.q && !f.geo)
    return fail(ErrorKind::BadRequestData, "Too broad query", "a query needs at least one of entities, attrs, q or geoQ");
  return f;
}

Result<query::Page> page_from_params(const RequestContext& c, const Settings& settings) {
  query::Page p;
  p.limit = settings.default_limit;
  auto number = [&](const char* name, size_t& out) -> Status {
    const auto* v = c.req.param(name);
    if (!v) return {};
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (v->empty() || ec != std::errc() || end != v->data() + v->size())
      return fail(ErrorKind::BadRequestData, std::string("Invalid ") + name, std::string(name) + " must be a non-negative integer");
    return {};
  };
  if (auto s = number("limit", p.limit); !s) return std::unexpected(s.error());
  if (auto s = number("offset", p.offset); !s) return std::unexpected(s.error());
  if (const auto* count = c.req.param("count")) {
    if (*count != "true" && *count != "false")
      return fail(ErrorKind::BadRequestData, "Invalid count", "count must be true or false");
    p.count = *count == "true";
  }
  if (p.limit > settings.max_limit)
    return fail(ErrorKind::TooManyResults, "Too many results",
                "limit " + std::to_string(p.limit) + " exceeds the maximum of " + std::to_string(settings.max_limit));
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
