#include "ngsild/request_context.h"

#include "store/store.h"

namespace dejima::ngsild {

Result<std::unique_ptr<RequestContext>> make_request_context(const http::Request& req, Services& s, Expect expect) {
  auto c = std::make_unique<RequestContext>(req);
  c->now = now_millis();
  if (expect.params.checked)
    for (const auto& [name, value] : req.query) {
      bool known = false;
      for (const auto& group : expect.params.groups)
        for (std::string_view p : group) known = known || p == name;
      if (!known)
        return fail(ErrorKind::InvalidRequest, "Unknown query parameter",
                    "'" + name + "' is not a parameter of this operation");
    }
  const std::string tenant = req.tenant_header();
  if (!tenant.empty() && !store::valid_tenant_name(tenant))
    return fail(ErrorKind::BadRequestData, "Invalid tenant name",
                "NGSILD-Tenant (or Fiware-Service) must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  c->tenant = tenant == "default" ? std::string_view() : tenant;  // the registry's name of the default tenant
  if (!req.grant.all_types) {
    c->readable_types.emplace();
    for (const auto& t : req.grant.types) c->readable_types->push_back(jsonld::Context::core()->expand(t));
  }
  auto accept = negotiate(req.header("Accept"), expect.offer);
  if (!accept) return std::unexpected(accept.error());
  c->accept = *accept;

  auto link = context_link(req.header("Link"));
  if (!link) return std::unexpected(link.error());

  if (expect.body) {
    auto type = content_type(req.header("Content-Type"), expect.merge_patch);
    if (!type) return std::unexpected(type.error());
    if (req.body.empty()) return fail(ErrorKind::InvalidRequest, "Empty body", "this request needs a JSON body");
    if (auto err = json::parse(c->body, req.body); !err.empty())
      return fail(ErrorKind::InvalidRequest, "Malformed JSON", err);
    const bool has_inline = c->body.IsObject() && c->body.HasMember("@context");
    if (*type == MediaType::JsonLd) {
      c->body_is_jsonld = true;
      if (!link->empty())
        return fail(ErrorKind::BadRequestData, "Link header not allowed",
                    "with application/ld+json the @context goes in the body, not in a Link header");
      if (c->body.IsObject()) {
        if (!has_inline)
          return fail(ErrorKind::BadRequestData, "Missing @context",
                      "an application/ld+json body needs an \"@context\" member");
        auto ctx = s.contexts.from_inline(c->body["@context"]);
        if (!ctx) return std::unexpected(ctx.error());
        c->context = std::move(*ctx);
      }
    } else if (has_inline) {
      return fail(ErrorKind::BadRequestData, "@context not allowed",
                  "an application/json body must not contain \"@context\"; use application/ld+json or a Link header");
    }
  }
  if (!c->context) {
    auto ctx = s.contexts.from_link(*link);
    if (!ctx) return std::unexpected(ctx.error());
    c->context = std::move(*ctx);
  }
  return c;
}

http::Response json_response(const RequestContext& c, unsigned status, std::string body) {
  http::Response r;
  r.status = status;
  r.content_type = media_type_name(c.accept);
  r.body = std::move(body);
  if (c.accept != MediaType::JsonLd) r.header("Link", link_header_value(c.context->link_url()));
  return r;
}

http::Response no_content() {
  http::Response r;
  r.status = 204;
  return r;
}

bool RequestContext::readable_type(const std::string& expanded) const {
  return !readable_types ||
         std::find(readable_types->begin(), readable_types->end(), expanded) != readable_types->end();
}

bool RequestContext::readable(const model::Entity& e) const {
  return !readable_types || std::any_of(readable_types->begin(), readable_types->end(),
                                        [&](const std::string& t) { return e.has_type(t); });
}

}  // namespace dejima::ngsild
