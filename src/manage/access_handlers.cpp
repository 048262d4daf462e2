// GET/POST /dejima/v1/tenants, GET/PUT/PATCH /dejima/v1/tenants/{tenant},
// GET/POST /dejima/v1/tenants/{tenant}/services, GET/DELETE …/services/{service},
// POST …/services/{service}/keys, DELETE …/services/{service}/keys/{keyId}.
#include "manage/access_handlers.h"

#include "access/gate.h"
#include "http/problem.h"
#include "manage/json_body.h"

namespace dejima::manage {
namespace {

using Params = std::vector<std::string>;
using access::Directory;
constexpr std::string_view kBase = "/dejima/v1/tenants";

std::string path_name(const std::string& tenant) { return tenant.empty() ? "default" : tenant; }

std::string service_url(const std::string& tenant, const std::string& id) {
  return std::string(kBase) + "/" + path_name(tenant) + "/services/" + id;
}

// An optional "expiresAt" (ISO 8601, in the future) of a key.
Result<Millis> expiry_of(const json::Value& body) {
  if (!body.IsObject()) return Millis{0};
  auto it = body.FindMember("expiresAt");
  if (it == body.MemberEnd()) return Millis{0};
  auto t = it->value.IsString() ? parse_iso8601(json::view(it->value)) : std::nullopt;
  if (!t || *t <= now_millis())
    return fail(ErrorKind::BadRequestData, "Invalid expiry", "expiresAt must be an ISO 8601 time in the future");
  return *t;
}

void list_tenants(Directory& d, http::Reply reply) {
  reply(http::json_body(200, json::written([&](json::Writer& w) {
                          w.StartArray();
                          for (const auto& t : d.tenants()) access::write_tenant(w, t);
                          w.EndArray();
                        })));
}

void create_tenant(Directory& d, const http::Request& req, http::Reply reply) {
  json::Document doc;
  if (auto s = parse_json_body(req, doc, "tenant"); !s) return reply(http::problem(s.error()));
  access::TenantRecord t;
  if (auto s = access::apply_tenant_fields(doc, t, true); !s) return reply(http::problem(s.error()));
  if (d.has_tenant(t.name))
    return reply(http::problem({ErrorKind::AlreadyExists, "Tenant already registered", t.name}));
  t.created_at = t.modified_at = now_millis();
  if (auto s = d.put_tenant(t); !s) return reply(http::problem(s.error()));
  reply(created(std::string(kBase) + "/" + t.name, access::tenant_json(t)));
}

// PUT replaces (or registers) a tenant; PATCH changes the members it names. Only the operator
// changes what the cost shares rest on (code, kind, population); a tenant's administrator may
// change its display names and public types.
void change_tenant(Directory& d, const http::Request& req, const std::string& name, bool replace, http::Reply reply) {
  json::Document doc;
  if (auto s = parse_json_body(req, doc, "tenant"); !s) return reply(http::problem(s.error()));
  const std::string tenant = access::tenant_of_name(name);
  auto current = d.tenant(tenant);
  if (!replace && !current) return reply(http::problem({ErrorKind::NonexistentTenant, "Tenant not registered", name}));
  if (!req.grant.operator_rights && doc.IsObject())
    for (const char* key : {"code", "kind", "population"})
      if (doc.HasMember(key))
        return reply(
            http::problem({ErrorKind::Forbidden, "Not allowed", std::string(key) + " is set by the operator"}));
  access::TenantRecord t = replace ? access::TenantRecord{} : *current;
  t.name = tenant;
  if (replace && doc.IsObject() && !doc.HasMember("name"))
    doc.AddMember("name", rapidjson::Value(name.c_str(), doc.GetAllocator()), doc.GetAllocator());
  if (replace && (!store::valid_tenant_name(name) && name != access::kDefaultTenantAlias))
    return reply(http::problem({ErrorKind::BadRequestData, "Invalid tenant", "invalid tenant name in the path"}));
  if (auto s = access::apply_tenant_fields(doc, t, false); !s) return reply(http::problem(s.error()));
  t.created_at = current ? current->created_at : now_millis();
  t.modified_at = now_millis();
  if (auto s = d.put_tenant(t); !s) return reply(http::problem(s.error()));
  if (!current) return reply(created(std::string(kBase) + "/" + path_name(tenant), access::tenant_json(t)));
  reply(status_only(204));
}

void add_tenant_routes(http::Router& r, Directory& d) {
  using http::Method;
  using http::Need;
  const std::string base(kBase);
  const http::Permission admin{Need::TenantAdmin, http::TenantFrom::Path};
  r.add(Method::Get, base, {Need::Open},
        [&d](const http::Request&, const Params&, http::Reply reply) { list_tenants(d, std::move(reply)); });
  r.add(Method::Post, base, {Need::Operator},
        [&d](const http::Request& req, const Params&, http::Reply reply) { create_tenant(d, req, std::move(reply)); });
  r.add(Method::Get, base + "/{tenant}", {Need::Open}, [&d](const http::Request&, const Params& p, http::Reply reply) {
    auto t = d.tenant(access::tenant_of_name(p[0]));
    if (!t) return reply(http::problem({ErrorKind::NonexistentTenant, "Tenant not registered", p[0]}));
    reply(http::json_body(200, access::tenant_json(*t)));
  });
  r.add(Method::Put, base + "/{tenant}", {Need::Operator, http::TenantFrom::Path},
        [&d](const http::Request& req, const Params& p, http::Reply reply) {
    change_tenant(d, req, p[0], true, std::move(reply));
  });
  r.add(Method::Patch, base + "/{tenant}", admin, [&d](const http::Request& req, const Params& p, http::Reply reply) {
    change_tenant(d, req, p[0], false, std::move(reply));
  });
}

void add_service_routes(http::Router& r, Directory& d) {
  using http::Method;
  const std::string base = std::string(kBase) + "/{tenant}/services";
  const http::Permission admin{http::Need::TenantAdmin, http::TenantFrom::Path};
  r.add(Method::Get, base, admin, [&d](const http::Request&, const Params& p, http::Reply reply) {
    reply(http::json_body(200, json::written([&](json::Writer& w) {
                            w.StartArray();
                            for (const auto& s : d.services(access::tenant_of_name(p[0])))
                              access::write_service(w, *s, d.keys(s->tenant, s->id));
                            w.EndArray();
                          })));
  });
  r.add(Method::Post, base, admin, [&d](const http::Request& req, const Params& p, http::Reply reply) {
    json::Document doc;
    if (auto s = parse_json_body(req, doc, "service"); !s) return reply(http::problem(s.error()));
    access::ServiceRecord s{.tenant = access::tenant_of_name(p[0])};
    if (auto st = access::apply_service_fields(doc, s); !st) return reply(http::problem(st.error()));
    auto expiry = expiry_of(doc);
    if (!expiry) return reply(http::problem(expiry.error()));
    auto issued = d.create_service(std::move(s), *expiry);
    if (!issued) return reply(http::problem(issued.error()));
    auto service = d.service(issued->record.tenant, issued->record.service);
    reply(created(service_url(service->tenant, service->id), json::written([&](json::Writer& w) {
                    w.StartObject();
                    w.Key("service");
                    access::write_service(w, *service, {issued->record});
                    w.Key("keyId");
                    json::write_string(w, issued->record.id);
                    w.Key("apiKey");
                    json::write_string(w, issued->text);
                    w.EndObject();
                  })));
  });
  r.add(Method::Get, base + "/{service}", admin, [&d](const http::Request& req, const Params& p, http::Reply reply) {
    auto s = d.service(access::tenant_of_name(p[0]), p[1]);
    if (!s) return reply(http::problem({ErrorKind::ResourceNotFound, "Service not found", p[1]}));
    reply(http::json_body(
        200, json::written([&](json::Writer& w) { access::write_service(w, *s, d.keys(s->tenant, s->id)); })));
  });
  r.add(Method::Delete, base + "/{service}", admin, [&d](const http::Request& req, const Params& p, http::Reply reply) {
    if (auto s = d.delete_service(access::tenant_of_name(p[0]), p[1]); !s) return reply(http::problem(s.error()));
    reply(status_only(204));
  });
  // A new key; {"replaces": keyId, "overlapSeconds": n} rotates: the old key expires n seconds on.
  r.add(Method::Post, base + "/{service}/keys", admin,
        [&d](const http::Request& req, const Params& p, http::Reply reply) {
    json::Document doc;
    if (!req.body.empty())
      if (auto s = parse_json_body(req, doc, "key request"); !s) return reply(http::problem(s.error()));
    auto expiry = expiry_of(doc);
    if (!expiry) return reply(http::problem(expiry.error()));
    std::string replaces;
    Millis overlap = 0;
    if (doc.IsObject()) {
      if (auto it = doc.FindMember("replaces"); it != doc.MemberEnd()) {
        if (!it->value.IsString())
          return reply(http::problem({ErrorKind::BadRequestData, "Invalid key request", "replaces is a key id"}));
        replaces = json::view(it->value);
      }
      if (auto it = doc.FindMember("overlapSeconds"); it != doc.MemberEnd()) {
        if (!it->value.IsUint() || it->value.GetUint() > 90u * 86400u)
          return reply(http::problem(
              {ErrorKind::BadRequestData, "Invalid key request", "overlapSeconds is 0 to 7776000 (90 days)"}));
        overlap = Millis{it->value.GetUint()} * 1000;
      }
    }
    auto issued = d.issue_key(access::tenant_of_name(p[0]), p[1], *expiry, replaces, overlap);
    if (!issued) return reply(http::problem(issued.error()));
    reply(created(service_url(access::tenant_of_name(p[0]), p[1]) + "/keys/" + issued->record.id,
                  json::written([&](json::Writer& w) {
                    w.StartObject();
                    w.Key("keyId");
                    json::write_string(w, issued->record.id);
                    w.Key("apiKey");
                    json::write_string(w, issued->text);
                    w.Key("key");
                    access::write_key(w, issued->record);
                    w.EndObject();
                  })));
  });
  r.add(Method::Delete, base + "/{service}/keys/{keyId}", admin,
        [&d](const http::Request& req, const Params& p, http::Reply reply) {
    if (auto s = d.revoke_key(access::tenant_of_name(p[0]), p[1], p[2]); !s) return reply(http::problem(s.error()));
    reply(status_only(204));
  });
}

}  // namespace

void add_access_routes(http::Router& r, Directory& d) {
  add_tenant_routes(r, d);
  add_service_routes(r, d);
}

}  // namespace dejima::manage
