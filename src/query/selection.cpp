#include "query/selection.h"

#include "model/parse.h"
#include "util/regex.h"
#include "util/uri.h"

namespace dejima::query {
namespace {

Error bad(const std::string& title, const std::string& detail) {
  return Error{ErrorKind::BadRequestData, title, detail};
}

}  // namespace

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  return out;
}

Result<Names> type_expression(std::string_view text, const jsonld::Context& ctx) {
  auto names = parse_names(text, "type");
  if (!names) return names;
  std::string invalid;
  names->for_each_atom([&](std::string& atom) {
    if (!model::valid_name(atom)) invalid = atom;
    atom = ctx.expand(atom);
  });
  if (!invalid.empty()) return std::unexpected(bad("Invalid type", "'" + invalid + "' is not a valid type name"));
  return names;
}

Result<Names> scope_expression(std::string_view text) {
  auto names = parse_names(text, "scopeQ");
  if (!names) return names;
  Status st;
  names->for_each_atom([&](std::string& atom) {
    if (st) st = check_scope_pattern(atom);
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

Result<std::shared_ptr<GeoQuery>> geo_query(const std::string* georel, const std::string* geometry,
                                            const std::string* coordinates, const std::string* geoproperty,
                                            const jsonld::Context& ctx) {
  if (!georel && !geometry && !coordinates) return nullptr;
  if (!georel || !geometry || !coordinates)
    return fail(ErrorKind::BadRequestData, "Invalid geoQ", "georel, geometry and coordinates go together");
  std::string property = ctx.expand(geoproperty ? *geoproperty : "location");
  if (geoproperty && !model::valid_name(*geoproperty))
    return fail(ErrorKind::BadRequestData, "Invalid geoproperty", "'" + *geoproperty + "'");
  return GeoQuery::parse(*georel, *geometry, *coordinates, std::move(property));
}

Status add_attrs(std::string_view list, const jsonld::Context& ctx, std::vector<std::string>& out) {
  for (const auto& a : split_list(list)) {
    if (!model::valid_name(a) || a == "id" || a == "type")
      return fail(ErrorKind::BadRequestData, "Invalid attrs", "'" + a + "' is not a valid attribute name");
    out.push_back(ctx.expand(a));
  }
  return {};
}

Status selection_from_object(const json::Value& body, const jsonld::Context& ctx, Filter& f) {
  auto string_member = [&](const char* name) -> Result<const json::Value*> {
    auto it = body.FindMember(name);
    if (it == body.MemberEnd()) return nullptr;
    if (!it->value.IsString())
      return fail(ErrorKind::BadRequestData, std::string("Invalid ") + name, std::string(name) + " must be a string");
    return &it->value;
  };
  if (auto it = body.FindMember("entities"); it != body.MemberEnd()) {
    if (!it->value.IsArray() || it->value.Empty())
      return fail(ErrorKind::BadRequestData, "Invalid entities",
                  "entities must be a non-empty array of EntitySelectors");
    for (const auto& e : it->value.GetArray()) {
      if (!e.IsObject()) return fail(ErrorKind::BadRequestData, "Invalid entities", "an EntitySelector is an object");
      Selector sel;
      for (const auto& m : e.GetObject()) {
        const std::string_view key = json::view(m.name);
        if (!m.value.IsString())
          return fail(ErrorKind::BadRequestData, "Invalid entities",
                      "EntitySelector." + std::string(key) + " must be a string");
        const std::string_view v = json::view(m.value);
        if (key == "type") {
          auto types = type_expression(v, ctx);
          if (!types) return std::unexpected(types.error());
          sel.types = std::move(*types);
        } else if (key == "id") {
          if (!is_absolute_uri(v))
            return fail(ErrorKind::BadRequestData, "Invalid id", "'" + std::string(v) + "' is not a URI");
          sel.ids.emplace_back(v);
        } else if (key == "idPattern") {
          auto re = Regex::compile(v);
          if (!re) return fail(ErrorKind::BadRequestData, "Invalid idPattern", re.error().detail);
          sel.id_pattern = std::move(*re);
        } else {
          return fail(ErrorKind::BadRequestData, "Invalid entities",
                      "unknown EntitySelector member '" + std::string(key) + "'");
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
    auto e = parse_q(json::view(**q), ctx);
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
    auto georel = member("georel"), geometry = member("geometry"), coords = member("coordinates"),
         prop = member("geoproperty");
    if (!georel || !geometry || !coords)
      return fail(ErrorKind::BadRequestData, "Invalid geoQ", "geoQ needs georel, geometry and coordinates");
    auto geo = geo_query(&*georel, &*geometry, &*coords, prop ? &*prop : nullptr, ctx);
    if (!geo) return std::unexpected(geo.error());
    f.geo = std::move(*geo);
  }
  return {};
}

}  // namespace dejima::query
