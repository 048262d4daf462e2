#include "ngsiv2/handler_util.h"

#include <charconv>

#include "http/problem.h"

namespace dejima::ngsiv2 {
namespace {

Result<size_t> number_param(const std::string* text, std::string_view what, size_t fallback, bool explain) {
  if (!text) return fallback;
  size_t v = 0;
  auto r = std::from_chars(text->data(), text->data() + text->size(), v);
  if (text->empty() || r.ec != std::errc() || r.ptr != text->data() + text->size())
    return std::unexpected(bad_request("Bad pagination " + std::string(what) + ": /" + *text +
                                       (!explain          ? "/"
                                        : what == "limit" ? "/ [must be a positive integer number]"
                                                          : "/ [must be a decimal number]")));
  return v;
}

}  // namespace

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

broker::EntityPtr find_entity(Services& s, const RequestContext& c, const std::string& id, const std::string* type,
                              bool write) {
  auto tenant = s.tenants.find(c.tenant);
  if (!tenant) return nullptr;
  auto e = (*tenant)->get(id);
  return e && names_entity(c, *e, type, write) ? e : nullptr;
}

void modify_entity(Services& s, const RequestContext& c, const std::string& id, const std::string* type,
                   http::Reply reply, Mutation mutate, unsigned status,
                   std::vector<std::pair<std::string, std::string>> operated) {
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
      c.origin(std::move(operated)));
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

Result<query::Page> page_of(const RequestContext& c, const Options& o, bool explain) {
  auto limit = number_param(c.req.param("limit"), "limit", o.default_limit, explain);
  if (!limit) return std::unexpected(limit.error());
  if (*limit > o.max_limit)
    return std::unexpected(bad_request("Bad pagination limit: /" + std::to_string(*limit) +
                                       "/ [max: " + std::to_string(o.max_limit) + "]"));
  auto offset = number_param(c.req.param("offset"), "offset", 0, explain);
  if (!offset) return std::unexpected(offset.error());
  return query::Page{.offset = *offset, .limit = *limit, .count = has_option(c, "count")};
}

}  // namespace dejima::ngsiv2
