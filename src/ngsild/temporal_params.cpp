#include "ngsild/temporal_params.h"

#include <charconv>
#include <functional>

#include "ngsild/handler_util.h"
#include "ngsild/render_params.h"

namespace dejima::ngsild {
namespace {

Error bad(std::string title, std::string detail) {
  return Error{ErrorKind::BadRequestData, std::move(title), std::move(detail)};
}
std::unexpected<Error> fail(Error e) { return std::unexpected(std::move(e)); }

using Lookup = std::function<std::optional<std::string>(const char*)>;

Status time_members(const Lookup& get, TemporalRequest& t) {
  auto timerel = get("timerel");
  auto time_at = get("timeAt");
  auto end_time_at = get("endTimeAt");
  if (auto p = get("timeproperty")) {
    if (*p == "observedAt")
      t.window.property = store::TimeWindow::Property::Observed;
    else if (*p == "createdAt")
      t.window.property = store::TimeWindow::Property::Created;
    else if (*p == "modifiedAt")
      t.window.property = store::TimeWindow::Property::Modified;
    else
      return fail(bad("Invalid timeproperty", "timeproperty must be observedAt, createdAt or modifiedAt"));
  }
  t.render.time_property = t.window.property;
  if (auto n = get("lastN")) {
    size_t v = 0;
    auto [end, ec] = std::from_chars(n->data(), n->data() + n->size(), v);
    if (n->empty() || ec != std::errc() || end != n->data() + n->size() || v == 0)
      return fail(bad("Invalid lastN", "lastN must be a positive integer"));
    t.last_n = v;
  }
  if (!timerel) {
    if (time_at || end_time_at) return fail(bad("Invalid temporal query", "timeAt and endTimeAt need timerel"));
    return {};
  }
  if (*timerel != "before" && *timerel != "after" && *timerel != "between")
    return fail(bad("Invalid timerel", "timerel must be before, after or between"));
  if (!time_at) return fail(bad("Invalid temporal query", "timerel needs timeAt"));
  auto at = parse_iso8601(*time_at);
  if (!at) return fail(bad("Invalid timeAt", "'" + *time_at + "' is not an ISO 8601 date-time"));
  if (*timerel == "before") {
    t.window.to = *at;
    t.bounded_to = true;
  } else if (*timerel == "after") {
    t.window.from = *at + 1;  // strictly after
    t.bounded_from = true;
  } else {
    if (!end_time_at) return fail(bad("Invalid temporal query", "timerel=between needs endTimeAt"));
    auto end = parse_iso8601(*end_time_at);
    if (!end) return fail(bad("Invalid endTimeAt", "'" + *end_time_at + "' is not an ISO 8601 date-time"));
    if (*end <= *at) return fail(bad("Invalid temporal query", "endTimeAt must be later than timeAt"));
    t.window.from = *at;
    t.window.to = *end;
    t.bounded_from = t.bounded_to = true;
  }
  if (*timerel != "between" && end_time_at)
    return fail(bad("Invalid temporal query", "endTimeAt is only for timerel=between"));
  return {};
}

}  // namespace

Result<TemporalRequest> temporal_request(const RequestContext& c, const json::Value* temporal_q) {
  TemporalRequest t;
  Lookup url = [&](const char* name) -> std::optional<std::string> {
    if (const auto* v = c.req.param(name)) return *v;
    return std::nullopt;
  };
  Lookup body = [&](const char* name) -> std::optional<std::string> {
    auto it = temporal_q->FindMember(name);
    if (it == temporal_q->MemberEnd()) return url(name);  // lastN may come in the URL too
    if (it->value.IsString()) return std::string(json::view(it->value));
    if (it->value.IsUint64()) return std::to_string(it->value.GetUint64());
    return std::string("\x01");  // neither: rejected by the checks as invalid
  };
  if (temporal_q && !temporal_q->IsObject()) return fail(bad("Invalid temporalQ", "temporalQ must be an object"));
  if (auto s = time_members(temporal_q ? body : url, t); !s) return std::unexpected(s.error());

  // Representation: options=temporalValues|aggregatedValues|sysAttrs, or format=..., which takes
  // precedence over options. An unknown option or format is InvalidRequest, like for entities.
  bool values = false, aggregated = false;
  t.render.sys_attrs = false;
  if (const auto* opts = c.req.param("options"))
    for (const auto& o : split_list(*opts)) {
      if (o == "temporalValues")
        values = true;
      else if (o == "aggregatedValues")
        aggregated = true;
      else if (o == "sysAttrs")
        t.render.sys_attrs = true;
      else if (o != "normalized")
        return fail(ErrorKind::InvalidRequest, "Invalid options", "unknown option '" + o + "'");
    }
  if (const auto* f = c.req.param("format")) {
    if (*f != "temporalValues" && *f != "aggregatedValues" && *f != "normalized")
      return fail(ErrorKind::InvalidRequest, "Invalid format",
                  "format must be normalized, temporalValues or aggregatedValues");
    values = *f == "temporalValues";
    aggregated = *f == "aggregatedValues";
  }
  if (values && aggregated)
    return fail(ErrorKind::InvalidRequest, "Invalid options", "temporalValues and aggregatedValues cannot be combined");
  t.render.representation = aggregated ? temporal::Representation::Aggregated
                            : values   ? temporal::Representation::TemporalValues
                                       : temporal::Representation::Normalized;
  t.render.with_context = c.accept == MediaType::JsonLd;
  // aggrMethods belongs to aggregatedValues; a format other than that overrides both.
  const auto* methods = aggregated || !c.req.param("format") ? c.req.param("aggrMethods") : nullptr;
  if (aggregated && !methods) return fail(bad("Invalid temporal query", "aggregatedValues needs aggrMethods"));
  if (methods) {
    if (!aggregated) return fail(bad("Invalid temporal query", "aggrMethods needs options=aggregatedValues"));
    for (const auto& m : split_list(*methods)) {
      auto method = temporal::parse_method(m);
      if (!method)
        return fail(bad("Invalid aggrMethods", "'" + m +
                                                   "' is not one of totalCount, distinctCount, sum, avg, min, max, "
                                                   "stddev, sumsq"));
      t.render.methods.push_back(*method);
    }
    if (t.render.methods.empty()) return fail(bad("Invalid aggrMethods", "aggrMethods is empty"));
  }
  if (const auto* d = c.req.param("aggrPeriodDuration")) {
    auto period = temporal::parse_duration(*d);
    if (!period) return fail(bad("Invalid aggrPeriodDuration", "'" + *d + "' is not an ISO 8601 duration"));
    t.period = *period;
  }
  if (const auto* attrs = c.req.param("attrs"))
    for (const auto& a : split_list(*attrs)) t.attrs.push_back(c.context->expand(a));
  return t;
}

}  // namespace dejima::ngsild
