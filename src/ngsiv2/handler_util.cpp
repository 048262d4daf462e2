#include "ngsiv2/handler_util.h"

#include "http/problem.h"

namespace dejima::ngsiv2 {

std::function<void(Status)> reply_status(const RequestContext& c, http::Reply reply, unsigned status,
                                         std::vector<std::pair<std::string, std::string>> headers) {
  return [reply = std::move(reply), corr = c.correlator, status, headers = std::move(headers)](Status st) {
    http::Response r;
    if (st) {
      r.status = status;
      r.headers = headers;
    } else {
      r = http::orion_error(st.error());
    }
    r.header("Fiware-Correlator", corr);
    reply(std::move(r));
  };
}

bool names_entity(const RequestContext& c, const model::Entity& e, const std::string* type, bool write) {
  if (!c.readable(e)) return false;
  if (type && !type->empty() && !e.has_type(expanded_name(*type))) return false;
  return write ? c.in_write_path(e) : c.in_query_paths(e);
}

broker::EntityPtr find_entity(Services& s, const RequestContext& c, const std::string& id, const std::string* type) {
  auto tenant = s.tenants.find(c.tenant);
  if (!tenant) return nullptr;
  auto e = (*tenant)->get(id);
  return e && names_entity(c, *e, type, false) ? e : nullptr;
}

void modify_entity(Services& s, const RequestContext& c, const std::string& id, const std::string* type,
                   http::Reply reply, Mutation mutate, unsigned status) {
  auto done = reply_status(c, std::move(reply), status);
  auto tenant = s.tenants.find(c.tenant);
  if (!tenant) return done(std::unexpected(not_found(std::string(kEntityNotFound))));
  auto report = std::make_shared<std::optional<Error>>();
  (*tenant)->apply(
      id,
      [&](const broker::EntityPtr& cur) -> Result<std::shared_ptr<model::Entity>> {
        if (!cur || !names_entity(c, *cur, type, true)) return std::unexpected(not_found(std::string(kEntityNotFound)));
        auto next = std::make_shared<model::Entity>(*cur);
        if (auto st = mutate(*next, *report); !st) return std::unexpected(st.error());
        return next;
      },
      [done = std::move(done), report](Status st) {
    if (st && *report) return done(std::unexpected(**report));
    done(std::move(st));
      },
      c.origin());
}

std::string names_list(const std::vector<std::string>& names) {
  std::string out = "[ ";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + " ]";
}

std::string entity_label(const std::string& id, const std::string* type) {
  return type && !type->empty() ? id + "/" + *type : id;
}

bool has_option(const RequestContext& c, std::string_view o) {
  const std::string* opts = c.req.param("options");
  if (!opts) return false;
  for (auto i : http::list_items(*opts))
    if (i == o) return true;
  return false;
}

}  // namespace dejima::ngsiv2
