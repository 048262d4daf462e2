// The CKAN Action API at /api/3/action/{action} (and /api/action/{action}), GET with URL
// parameters or POST with a JSON object: package_list, package_search, package_show,
// organization_list, organization_show, group_list, tag_list, resource_show, status_show,
// license_list, and datastore_search over a dataset's CSV resource (datastore.h). Answers are
// CKAN's envelope ({"help", "success", "result"} or "error" with "__type" and "message": 404 Not Found Error, 409
// Validation Error and Search Query Error, 400 for an action CKAN does not know, as a JSON string). The caller sees the
// datasets it may read: anonymous callers the public ones; package_search shows the others only with
// include_private=true, as CKAN does.
#include <algorithm>
#include <map>
#include <set>

#include "catalog/ckan_dicts.h"
#include "catalog/ckan_input.h"
#include "catalog/ckan_search.h"
#include "catalog/datastore.h"
#include "catalog/download.h"
#include "catalog/licenses.h"
#include "catalog/links.h"
#include "catalog/routes.h"

namespace dejima::catalog {
namespace {

using Params = std::vector<std::string>;

// What CKAN shows for a facet item: an organization's title and a licence's title, else the value.
std::string facet_display(const std::vector<Dataset>& all, std::string_view field, const std::string& value) {
  if (field == "license_id") return license(value).id == value ? license(value).title : value;
  if (field == "organization")
    for (const Dataset& d : all)
      if (d.tenant_name == value && !d.publisher.name_ja.empty()) return d.publisher.name_ja;
  return value;
}

http::Response envelope(const Links& links, std::string_view action, std::string result) {
  return http::json_body(200, json::written([&](json::Writer& w) {
                           w.StartObject();
                           w.Key("help");
                           json::write_string(w, links.base + "/api/3/action/help_show?name=" + std::string(action));
                           w.Key("success");
                           w.Bool(true);
                           w.Key("result");
                           json::write_raw(w, result);
                           w.EndObject();
                         }));
}

http::Response failed(const Links& links, std::string_view action, const Failure& f) {
  return http::json_body(f.status, json::written([&](json::Writer& w) {
                           w.StartObject();
                           w.Key("help");
                           json::write_string(w, links.base + "/api/3/action/help_show?name=" + std::string(action));
                           w.Key("success");
                           w.Bool(false);
                           w.Key("error");
                           w.StartObject();
                           w.Key("__type");
                           json::write_string(w, f.type);
                           if (!f.field.empty()) {
                             json::write_key(w, f.field);
                             w.StartArray();
                             json::write_string(w, f.message);
                             w.EndArray();
                           } else {
                             w.Key("message");
                             json::write_string(w, f.message);
                           }
                           w.EndObject();
                           w.EndObject();
                         }));
}

struct Call {
  const Services& s;
  const http::Request& req;
  const Input& in;
  const Links& links;

  std::vector<Dataset> visible() const { return s.catalog.list(req); }

  Outcome package_list() const {
    auto limit = integer(in, "limit", SIZE_MAX, SIZE_MAX);
    if (!limit) return std::unexpected(limit.error());
    auto offset = integer(in, "offset", 0, SIZE_MAX);
    if (!offset) return std::unexpected(offset.error());
    return json::written([&](json::Writer& w) {
      w.StartArray();
      size_t i = 0, n = 0;
      for (const auto& d : visible())
        if (d.is_public && i++ >= *offset && n < *limit) {  // package_list lists public datasets only (CKAN)
          ++n;
          json::write_string(w, d.name);
        }
      w.EndArray();
    });
  }

  Outcome package_search() const {
    SearchRequest r;
    r.q = in.text("q").value_or("");
    r.fq = in.text("fq").value_or("");
    r.sort = in.text("sort").value_or("");
    // CKAN caps rows at ckan.search.rows_max (1000) rather than refusing more
    auto rows = integer(in, "rows", 10, SIZE_MAX);
    if (!rows) return std::unexpected(rows.error());
    *rows = std::min<size_t>(*rows, 1000);
    auto start = integer(in, "start", 0, SIZE_MAX);
    if (!start) return std::unexpected(start.error());
    auto facets = names(in, "facet.field");
    if (!facets) return std::unexpected(facets.error());
    auto mincount = integer(in, "facet.mincount", 1, SIZE_MAX);
    if (!mincount) return std::unexpected(mincount.error());
    r.rows = *rows;
    r.start = *start;
    r.facet_fields = std::move(*facets);
    r.facet_mincount = *mincount;
    if (auto t = in.text("facet.limit")) {
      if (*t == "-1")
        r.facet_limit = -1;
      else {
        auto l = integer(in, "facet.limit", 50, 100000);
        if (!l) return std::unexpected(l.error());
        r.facet_limit = static_cast<long>(*l);
      }
    }
    std::vector<Dataset> all = visible();
    if (!in.flag("include_private")) std::erase_if(all, [](const Dataset& d) { return !d.is_public; });
    auto found = search(all, r);
    if (!found) return std::unexpected(Failure{409, "Search Query Error", "Search error: " + found.error().detail});
    return json::written([&](json::Writer& w) {
      w.StartObject();
      w.Key("count");
      w.Uint64(found->count);
      w.Key("sort");
      json::write_string(w, r.sort.empty() ? "score desc, metadata_modified desc" : r.sort);
      w.Key("results");
      w.StartArray();
      for (const Dataset* d : found->page) write_package(w, *d, links);
      w.EndArray();
      w.Key("facets");
      w.StartObject();
      for (const auto& [f, items] : found->facets) {
        json::write_key(w, f);
        w.StartObject();
        for (const auto& [v, n] : items) {
          json::write_key(w, v);
          w.Uint64(n);
        }
        w.EndObject();
      }
      w.EndObject();
      w.Key("search_facets");
      w.StartObject();
      for (const auto& [f, items] : found->facets) {
        json::write_key(w, f);
        w.StartObject();
        w.Key("title");
        json::write_string(w, f);
        w.Key("items");
        w.StartArray();
        for (const auto& [v, n] : items) {
          w.StartObject();
          w.Key("name");
          json::write_string(w, v);
          w.Key("display_name");
          json::write_string(w, facet_display(all, f, v));
          w.Key("count");
          w.Uint64(n);
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
      }
      w.EndObject();
      w.EndObject();
    });
  }

  std::expected<std::string, Failure> required(std::string_view name) const {
    auto t = in.text(name);
    if (!t || t->empty()) return std::unexpected(invalid(name, "Missing value"));
    return *t;
  }

  Outcome package_show() const {
    auto id = required("id");
    if (!id) return std::unexpected(id.error());
    auto d = s.catalog.find(req, *id);
    if (!d) return std::unexpected(not_found());
    return json::written([&](json::Writer& w) { write_package(w, *d, links); });
  }

  Outcome resource_show() const {
    auto id = required("id");
    if (!id) return std::unexpected(id.error());
    const size_t dash = id->rfind('-');
    if (dash == std::string::npos) return std::unexpected(not_found());
    auto d = s.catalog.find(req, id->substr(0, dash));
    if (!d) return std::unexpected(not_found());
    for (size_t i = 0; i < file_kinds().size(); ++i)
      if (file_kinds()[i].key == id->substr(dash + 1))
        return json::written([&](json::Writer& w) { write_resource(w, *d, i, links); });
    return std::unexpected(not_found());
  }

  // The organizations (tenants) with a dataset the caller may see, and how many.
  std::map<std::string, std::pair<Dataset, size_t>> organizations() const {
    std::map<std::string, std::pair<Dataset, size_t>> out;
    for (auto& d : visible()) {
      auto [it, fresh] = out.try_emplace(d.tenant_name, d, 0);
      ++it->second.second;
    }
    return out;
  }

  Outcome organization_list() const {
    const bool all_fields = in.flag("all_fields");
    return json::written([&](json::Writer& w) {
      w.StartArray();
      for (const auto& [name, org] : organizations())
        if (all_fields)
          write_organization(w, org.first, org.second);
        else
          json::write_string(w, name);
      w.EndArray();
    });
  }

  Outcome organization_show() const {
    auto id = required("id");
    if (!id) return std::unexpected(id.error());
    const auto orgs = organizations();
    auto it = orgs.find(*id);
    if (it == orgs.end()) return std::unexpected(not_found());
    const bool with_datasets = in.flag("include_datasets");
    return json::written([&](json::Writer& w) {
      std::string org =
          json::written([&](json::Writer& o) { write_organization(o, it->second.first, it->second.second); });
      if (!with_datasets) return json::write_raw(w, org);
      org.pop_back();  // the organization's object, with its packages added
      org += ",\"packages\":" + json::written([&](json::Writer& p) {
               p.StartArray();
               for (const auto& d : visible())
                 if (d.tenant_name == *id) write_package(p, d, links);
               p.EndArray();
             }) +
             "}";
      json::write_raw(w, org);
    });
  }

  Outcome group_list() const {
    std::map<std::string, size_t> themes;
    for (const auto& d : visible())
      for (const auto& t : d.meta.themes) ++themes[t];
    const bool all_fields = in.flag("all_fields");
    return json::written([&](json::Writer& w) {
      w.StartArray();
      for (const auto& [t, n] : themes)
        if (all_fields)
          write_group(w, t, n);
        else
          json::write_string(w, t);
      w.EndArray();
    });
  }

  Outcome tag_list() const {
    const std::string query = in.text("query").value_or("");
    std::set<std::string> tags;
    for (const auto& d : visible())
      for (const auto& k : d.meta.keywords)
        if (query.empty() || k.find(query) != std::string::npos) tags.insert(k);
    const bool all_fields = in.flag("all_fields");
    return json::written([&](json::Writer& w) {
      w.StartArray();
      for (const auto& t : tags)
        if (all_fields) {
          w.StartObject();
          w.Key("id");
          json::write_string(w, t);
          w.Key("name");
          json::write_string(w, t);
          w.Key("display_name");
          json::write_string(w, t);
          w.Key("vocabulary_id");
          w.Null();
          w.EndObject();
        } else {
          json::write_string(w, t);
        }
      w.EndArray();
    });
  }

  Outcome status_show() const {
    return json::written([&](json::Writer& w) {
      w.StartObject();
      w.Key("ckan_version");
      w.String("2.10.4");
      w.Key("site_url");
      json::write_string(w, links.base);
      w.Key("site_title");
      w.String("Dejima");
      w.Key("site_description");
      json::write_string(w, "都市OS Dejima のデータカタログ（NGSI-LD のエンティティ型ごとのデータセット）");
      w.Key("error_emails_to");
      w.Null();
      w.Key("locale_default");
      w.String("ja");
      w.Key("extensions");
      w.StartArray();
      w.String("dejima");
      w.EndArray();
      w.EndObject();
    });
  }

  Outcome license_list() const {
    return json::written([](json::Writer& w) { write_licenses(w); });
  }

  Outcome datastore_search() const {
    auto id = required("resource_id");
    if (!id) return std::unexpected(id.error());
    const std::string suffix = "-" + file_kinds().front().key;  // the CSV resource is the table
    if (!id->ends_with(suffix)) return std::unexpected(not_found());
    auto d = s.catalog.find(req, id->substr(0, id->size() - suffix.size()));
    if (!d) return std::unexpected(not_found());
    auto tenant = s.catalog.tenants().find(d->tenant);
    if (!tenant) return std::unexpected(not_found());
    return catalog::datastore_search(**tenant, *d, s.catalog.columns(**tenant, *d), *id, in);
  }
};

using Action = Outcome (Call::*)() const;
const std::map<std::string, Action, std::less<>>& actions() {
  static const std::map<std::string, Action, std::less<>> all = {
      {"package_list", &Call::package_list},
      {"package_search", &Call::package_search},
      {"package_show", &Call::package_show},
      {"resource_show", &Call::resource_show},
      {"organization_list", &Call::organization_list},
      {"organization_show", &Call::organization_show},
      {"group_list", &Call::group_list},
      {"tag_list", &Call::tag_list},
      {"status_show", &Call::status_show},
      {"license_list", &Call::license_list},
      {"datastore_search", &Call::datastore_search},
  };
  return all;
}

}  // namespace

void add_ckan_routes(http::Router& r, const Services& s) {
  const http::Permission anyone{http::Need::Open};
  auto handler = [s](const http::Request& req, const Params& p, http::Reply reply) {
    const Links links = Links::of(req, s.public_url);
    const auto& all = actions();
    auto it = all.find(p[0]);
    if (it == all.end())  // CKAN answers an unknown action with a JSON string
      return reply(http::json_body(400, json::written([&](json::Writer& w) {
                                     json::write_string(w, "Bad request - Action name not known: " + p[0]);
                                   })));
    const Input in(req);
    if (!in.error().empty()) return reply(failed(links, p[0], {400, "Validation Error", "JSON Error: " + in.error()}));
    const Call call{s, req, in, links};
    auto out = (call.*(it->second))();
    if (!out) return reply(failed(links, p[0], out.error()));
    reply(envelope(links, p[0], *out));
  };
  for (const std::string base : {"/api/3/action/{action}", "/api/action/{action}"}) {
    r.add(http::Method::Get, base, anyone, handler);
    r.add(http::Method::Post, base, anyone, handler);
  }
}

}  // namespace dejima::catalog
