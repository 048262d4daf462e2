#include "ngsild/csource_subscription.h"

#include <deque>

#include "ngsild/csource_registration.h"
#include "subscription/notification.h"
#include "util/uri.h"

namespace dejima::ngsild {
namespace {

bool matches(const subscription::Subscription& s, const federation::Registration& r, Millis now) {
  if (!r.live(now)) return false;
  DiscoveryQuery q;
  if (s.document.find("\"temporalQ\"") != std::string::npos) {  // checked as the subscription was made
    json::Document doc;
    json::parse_stored(doc, s.document);
    (void)temporal_query_of(doc, q);
  }
  q.entities = s.filter.entities;
  q.attrs = s.watched;
  q.q = s.filter.q;
  q.geo = s.filter.geo;
  if (!q.geo) return q.matches(r, now);
  std::lock_guard lock(s.state->geo_mu);  // a GeoQuery is evaluated by one thread at a time
  return q.matches(r, now);
}

std::vector<const federation::Registration*> pointers(const std::vector<federation::RegPtr>& regs) {
  std::vector<const federation::Registration*> out;
  for (const auto& r : regs) out.push_back(r.get());
  return out;
}

}  // namespace

Status temporal_query_of(const json::Value& doc, DiscoveryQuery& q) {
  const json::Value* t = doc.IsObject() ? json::member(doc, "temporalQ") : nullptr;
  if (!t) return {};
  if (!t->IsObject()) return fail(ErrorKind::BadRequestData, "Invalid temporalQ", "temporalQ must be an object");
  std::deque<std::string> held;  // the member texts `get` points into
  return set_temporal_query(q, [&](std::string_view name) -> const std::string* {
    const json::Value* v = json::member(*t, name);
    if (!v) return nullptr;
    held.push_back(v->IsString() ? std::string(json::view(*v)) : std::string("(not a string)"));
    return &held.back();
  });
}

Result<std::shared_ptr<subscription::Subscription>> CsourceSubscriptions::restore(const json::Value& stored,
                                                                                  Millis now) const {
  auto s = subscription::restore_subscription(stored, contexts_, now);
  if (s) (*s)->flavor = this;
  return s;
}

std::string CsourceSubscriptions::stored(const subscription::Subscription& s) const {
  std::string out = subscription::stored_document(s);
  out.pop_back();  // '}'
  return out + ",\"@flavor\":\"" + std::string(name()) + "\"}";
}

std::vector<federation::RegPtr> CsourceSubscriptions::matching(const subscription::Subscription& s, Millis now) const {
  std::vector<federation::RegPtr> out;
  for (auto& r : registrations_.list(s.tenant, &ld_flavor()))
    if (matches(s, *r, now)) out.push_back(std::move(r));
  return out;
}

notify::Message CsourceSubscriptions::message(const subscription::Subscription& s,
                                              const std::vector<const federation::Registration*>& regs,
                                              std::string_view reason, Millis now) const {
  const jsonld::Context& ctx = *s.notification_context;
  std::string body = json::written([&](json::Writer& w) {
    w.StartObject();
    w.Key("id");
    json::write_string(w, random_urn("Notification"));
    w.Key("type");
    w.String("ContextSourceNotification");  // clause 5.3.2
    w.Key("subscriptionId");
    json::write_string(w, s.id);
    w.Key("notifiedAt");
    json::write_string(w, format_iso8601(now));
    w.Key("data");
    w.StartArray();
    for (const auto& r : regs) json::write_raw(w, render_csource_registration(*r, ctx, false, s.sys_attrs));
    w.EndArray();
    if (!reason.empty()) {
      w.Key("triggerReason");
      json::write_string(w, reason);
    }
    if (s.accept_jsonld) {
      w.Key("@context");
      json::write_raw(w, ctx.context_json());
    }
    w.EndObject();
  });
  return subscription::notification_message(s, std::move(body));
}

std::vector<notify::Message> CsourceSubscriptions::periodic(const subscription::Subscription& s, Millis now) const {
  const auto regs = matching(s, now);
  if (regs.empty()) return {};
  return {message(s, pointers(regs), "", now)};
}

void CsourceSubscriptions::changed(subscription::Manager& m, const std::string& tenant,
                                   const federation::Registration* before, const federation::Registration* after,
                                   Millis now) const {
  for (const auto& s : m.list(tenant, this)) {
    if (s->interval_ms) continue;  // told every interval instead
    const bool was = before && matches(*s, *before, now);
    const bool is = after && matches(*s, *after, now);
    if (!was && !is) continue;
    // The registration as it is now; one that no longer matches, as it was.
    const federation::Registration* shown = is ? after : before;
    m.deliver(*s, message(*s, {shown}, is ? (was ? "updated" : "newlyMatching") : "noLongerMatching", now));
  }
}

}  // namespace dejima::ngsild
