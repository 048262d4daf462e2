#include "ngsild/context_handlers.h"

#include "ngsild/handler_util.h"
#include "util/uri.h"

namespace dejima::ngsild {

namespace {

using Params = std::vector<std::string>;

bool details_wanted(const http::Request& req, Result<bool>& err_out) {
  const auto* d = req.param("details");
  if (!d) return false;
  if (*d != "true" && *d != "false") {
    err_out = fail(ErrorKind::BadRequestData, "Invalid details", "details must be true or false");
    return false;
  }
  return *d == "true";
}

void write_info(json::Writer& w, const dejima::jsonld::ContextInfo& i) {
  w.StartObject();
  w.Key("URL");
  json::write_string(w, i.stored.url);
  w.Key("localId");
  json::write_string(w, i.stored.id);
  w.Key("kind");
  json::write_string(w, i.stored.kind);
  w.Key("createdAt");
  json::write_string(w, format_iso8601(i.stored.created_at));
  if (i.stored.kind == "Cached") {
    if (i.last_usage) {
      w.Key("lastUsage");
      json::write_string(w, format_iso8601(i.last_usage));
    }
    w.Key("numberOfHits");
    w.Uint64(i.hits);
  }
  w.EndObject();
}

std::string core_id() { return std::string(dejima::jsonld::kCoreContextUrl); }

void list_contexts(const http::Request& req, Services& s, http::Reply reply) {
  Result<bool> err = true;
  const bool details = details_wanted(req, err);
  if (!err) return reply(http::problem(err.error()));
  std::string kind;
  if (const auto* k = req.param("kind")) {
    if (*k != "Hosted" && *k != "Cached" && *k != "ImplicitlyCreated")
      return reply(http::problem(
          Error{ErrorKind::BadRequestData, "Invalid kind", "kind must be Hosted, Cached or ImplicitlyCreated"}));
    kind = *k;
  }
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartArray();
  if (kind.empty() || kind == "Cached") {
    if (details) {
      w.StartObject();
      w.Key("URL");
      json::write_string(w, core_id());
      w.Key("localId");
      w.String("core");
      w.Key("kind");
      w.String("Cached");
      w.EndObject();
    } else {
      json::write_string(w, core_id());
    }
  }
  for (const auto& info : s.contexts.list(kind)) {
    if (details)
      write_info(w, info);
    else
      json::write_string(w, info.stored.url);
  }
  w.EndArray();
  reply(http::json_body(200, std::string(sb.GetString(), sb.GetSize())));
}

void get_context(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  Result<bool> err = true;
  const bool details = details_wanted(req, err);
  if (!err) return reply(http::problem(err.error()));
  // application/ld+json when asked for, else application/json (clause 5.13.4).
  auto accept = negotiate(req.header("Accept"), Offer{});
  if (!accept) return reply(http::problem(accept.error()));
  const char* type = *accept == MediaType::JsonLd ? "application/ld+json" : "application/json";
  if (p[0] == "core" || dejima::jsonld::is_core_context_url(p[0])) {
    http::Response r = http::json_body(200, "");
    r.content_type = type;
    r.body = std::string(dejima::jsonld::core_context_text());
    return reply(std::move(r));
  }
  auto info = s.contexts.find(p[0]);
  if (!info) return reply(http::problem(Error{ErrorKind::ResourceNotFound, "No such @context", p[0]}));
  if (details) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    write_info(w, *info);
    return reply(http::json_body(200, std::string(sb.GetString(), sb.GetSize())));
  }
  http::Response r = http::json_body(200, info->stored.body);
  r.content_type = type;
  reply(std::move(r));
}

void add_context(const http::Request& req, Services& s, http::Reply reply) {
  if (auto t = content_type(req.header("Content-Type"), false); !t) return reply(http::problem(t.error()));
  json::Document doc;
  if (auto e = json::parse(doc, req.body); !e.empty())
    return reply(http::problem(Error{ErrorKind::InvalidRequest, "Malformed JSON", e}));
  std::string host(req.header("Host"));
  if (host.empty()) host = s.options.self_host;
  auto info = s.contexts.add_hosted(doc, "http://" + host);
  if (!info) return reply(http::problem(info.error()));
  http::Response r;
  r.status = 201;
  r.header("Location", "/ngsi-ld/v1/jsonldContexts/" + info->stored.id);
  reply(std::move(r));
}

void delete_context(const http::Request& req, const Params& p, Services& s, http::Reply reply) {
  const auto* reload = req.param("reload");
  if (reload && *reload != "true" && *reload != "false")
    return reply(http::problem(Error{ErrorKind::BadRequestData, "Invalid reload", "reload must be true or false"}));
  const bool core = p[0] == "core" || dejima::jsonld::is_core_context_url(p[0]);
  // The core @context is built in: it cannot be deleted, and reloading it changes nothing.
  if (core && reload && *reload == "true") return reply(no_content());
  if (core) return reply(http::problem(Error{ErrorKind::BadRequestData, "The core @context cannot be deleted", p[0]}));
  if (reload && *reload == "true" && !is_absolute_uri(p[0]))
    return reply(http::problem(Error{ErrorKind::BadRequestData, "Invalid reload",
                                     "only a cached @context, named by its URL, can be reloaded"}));
  auto st = reload && *reload == "true" ? s.contexts.reload(p[0]) : s.contexts.remove(p[0]);
  reply(st ? no_content() : http::problem(st.error()));
}

}  // namespace

void add_context_routes(http::Router& r, Services& s) {
  using http::Method;
  const std::string base = "/ngsi-ld/v1/jsonldContexts";
  r.add(Method::Get, base, {http::Need::Open},
        [&s](const http::Request& q, const Params&, http::Reply y) { list_contexts(q, s, std::move(y)); });
  r.add(Method::Post, base, {http::Need::Write},
        [&s](const http::Request& q, const Params&, http::Reply y) { add_context(q, s, std::move(y)); });
  r.add(Method::Get, base + "/{id}", {http::Need::Open},
        [&s](const http::Request& q, const Params& p, http::Reply y) { get_context(q, p, s, std::move(y)); });
  r.add(Method::Delete, base + "/{id}", {http::Need::Operator},
        [&s](const http::Request& q, const Params& p, http::Reply y) { delete_context(q, p, s, std::move(y)); });
}

}  // namespace dejima::ngsild
