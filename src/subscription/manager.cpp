#include "subscription/manager.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "subscription/notification.h"
#include "subscription/trigger.h"

namespace dejima::subscription {
namespace {

bool selected(const Subscription& s, const model::Entity& e) {
  if (!s.filter.geo) return s.filter.matches(e);
  std::lock_guard lock(s.state->geo_mu);  // a GeoQuery is evaluated by one thread at a time
  return s.filter.matches(e);
}

}  // namespace

Manager::Manager(store::Storage& storage, jsonld::Registry& contexts, broker::Tenants& tenants,
                 notify::Dispatcher& dispatcher)
    : storage_(storage), contexts_(contexts), tenants_(tenants), dispatcher_(dispatcher) {}

Manager::~Manager() { stop(); }

Status Manager::load() {
  auto stored = storage_.load_subscriptions();
  if (!stored) return std::unexpected(stored.error());
  const Millis now = now_millis();
  for (const auto& row : *stored) {
    auto s = restore(row, now);
    if (!s) continue;
    s->tenant = row.tenant;
    if (!row.state.empty()) restore_state(*s->state, row.state);
    std::unique_lock lock(mu_);
    add_locked(std::move(s));
  }
  timer_ = std::thread([this] { timer_loop(); });
  return {};
}

std::shared_ptr<Subscription> Manager::restore(const store::StoredSubscription& row, Millis now) const {
  json::Document d;
  if (auto err = json::parse_stored(d, row.body); !err.empty() || !d.IsObject()) {
    spdlog::error("subscription {}: stored document unreadable, skipped", row.id);
    return nullptr;
  }
  if (const auto* tag = json::member(d, "@flavor")) {
    const std::string_view name = tag->IsString() ? json::view(*tag) : "";
    auto f = std::find_if(flavors_.begin(), flavors_.end(), [&](const Flavor* f) { return f->name() == name; });
    if (f == flavors_.end()) {
      spdlog::error("subscription {}: no API reads its kind '{}', skipped", row.id, name);
      return nullptr;
    }
    auto s = (*f)->restore(d, now);
    if (!s) {
      spdlog::error("subscription {}: {}, skipped", row.id, s.error().detail);
      return nullptr;
    }
    return *s;
  }
  auto s = restore_subscription(d, contexts_, now);
  if (!s) {
    spdlog::error("subscription {}: {}, skipped", row.id, s.error().detail);
    return nullptr;
  }
  return *s;
}

void Manager::stop() {
  {
    std::lock_guard lock(timer_mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void Manager::index(TenantSubs& t, const Subscription* s, bool add) {
  if (s->flavor && !s->flavor->watches_entities()) return;
  auto put = [&](auto& map, const std::string& key) {
    if (add) {
      auto& v = map[key];
      if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
    } else if (auto it = map.find(key); it != map.end()) {
      std::erase(it->second, s);
      if (it->second.empty()) map.erase(it);
    }
  };
  auto put_any = [&] {
    if (!add)
      std::erase(t.by_any, s);
    else if (std::find(t.by_any.begin(), t.by_any.end(), s) == t.by_any.end())
      t.by_any.push_back(s);
  };
  if (s->filter.entities.empty()) {
    if (s->watched.empty()) put_any();
    for (const auto& a : s->watched) put(t.by_attr, a);
    return;
  }
  for (const auto& sel : s->filter.entities) {
    if (!sel.ids.empty()) {  // the id is more selective than the type
      for (const auto& id : sel.ids) put(t.by_entity, id);
      continue;
    }
    if (!sel.types) {
      put_any();
      continue;
    }
    query::Names types = *sel.types;
    types.for_each_atom([&](std::string& a) { put(t.by_type, a); });
  }
}

void Manager::add_locked(SubPtr s) {
  TenantSubs& t = tenants_subs_[s->tenant];
  index(t, s.get(), true);
  t.by_id[s->id] = std::move(s);
}

void Manager::erase_locked(const std::string& tenant, const std::string& id) {
  auto t = tenants_subs_.find(tenant);
  if (t == tenants_subs_.end()) return;
  auto it = t->second.by_id.find(id);
  if (it == t->second.by_id.end()) return;
  index(t->second, it->second.get(), false);
  t->second.by_id.erase(it);
}

Status Manager::create(SubPtr s) {
  std::unique_lock lock(mu_);
  // Ids are the tenant's across flavors (by_id and the stored rows are keyed by id alone).
  if (auto t = tenants_subs_.find(s->tenant); t != tenants_subs_.end() && t->second.by_id.contains(s->id))
    return fail(ErrorKind::AlreadyExists, "Subscription already exists", s->id);
  if (auto st = storage_.save_subscription({s->tenant, s->id, s->flavor ? s->flavor->stored(*s) : stored_document(*s)});
      !st)
    return st;
  s->state->since = broker::change_ticket();
  add_locked(std::move(s));
  return {};
}

Status Manager::replace(SubPtr s) {
  std::unique_lock lock(mu_);
  if (!find(s->tenant, s->id, s->flavor, lock))
    return fail(ErrorKind::ResourceNotFound, "Subscription not found", s->id);
  if (auto st = storage_.save_subscription({s->tenant, s->id, s->flavor ? s->flavor->stored(*s) : stored_document(*s)});
      !st)
    return st;
  erase_locked(s->tenant, s->id);
  add_locked(std::move(s));
  return {};
}

Status Manager::remove(const std::string& tenant, const std::string& id, const Flavor* flavor) {
  std::unique_lock lock(mu_);
  if (!find(tenant, id, flavor, lock)) return fail(ErrorKind::ResourceNotFound, "Subscription not found", id);
  if (auto st = storage_.delete_subscription(tenant, id); !st) return st;
  erase_locked(tenant, id);
  return {};
}

SubPtr Manager::find(const std::string& tenant, const std::string& id, const Flavor* flavor) const {
  std::shared_lock lock(mu_);
  return find(tenant, id, flavor, lock);
}

template <class Lock>
SubPtr Manager::find(const std::string& tenant, const std::string& id, const Flavor* flavor, Lock&) const {
  auto t = tenants_subs_.find(tenant);
  if (t == tenants_subs_.end()) return nullptr;
  auto it = t->second.by_id.find(id);
  return it == t->second.by_id.end() || it->second->flavor != flavor ? nullptr : it->second;
}

std::vector<SubPtr> Manager::list(const std::string& tenant, const Flavor* flavor) const {
  std::vector<SubPtr> out;
  std::shared_lock lock(mu_);
  if (auto t = tenants_subs_.find(tenant); t != tenants_subs_.end())
    for (const auto& [id, s] : t->second.by_id)
      if (s->flavor == flavor) out.push_back(s);
  return out;
}

void Manager::send(const Subscription& s, notify::Message m, Millis now) {
  auto state = s.state;
  {
    std::lock_guard lock(state->mu);
    state->last_notification = now;
  }
  m.key = s.key();
  // timesSent counts every notification handed to the sender (clause 5.2.12: sent, whatever the
  // outcome); timesFailed those that then failed, and those dropped before they could be sent.
  m.outcome = [state, max_fails = s.max_fails](bool ok, long status, const std::string& reason) {
    const Millis t = now_millis();
    std::lock_guard lock(state->mu);
    state->dirty = true;
    state->last_ok = ok;
    if (status) state->last_status = status;
    if (ok) {
      state->last_success = t;
      state->consecutive_fails = 0;
    } else {
      ++state->times_failed;
      state->last_failure = t;
      state->last_failure_reason = reason;
      if (++state->consecutive_fails > max_fails && max_fails) state->disabled = true;
    }
  };
  {
    std::lock_guard lock(state->mu);
    ++state->times_sent;  // before the submit: the receiver may see it before the sender returns
    if (s.oneshot) {
      state->disabled = true;
      state->dirty = true;
    }
  }
  if (!dispatcher_.submit(std::move(m))) {
    // The subscription's queue is full (its endpoint is slow or down): this notification is
    // dropped, and the drop is counted and shown in the subscription's status.
    std::lock_guard lock(state->mu);
    state->dirty = true;
    --state->times_sent;
    ++state->times_dropped;
    ++state->times_failed;
    state->last_ok = false;
    state->last_failure = now;
    state->last_failure_reason = "queue full";
  }
}

void Manager::on_changes(const std::string& tenant, const std::vector<broker::ChangeEvent>& changes) {
  std::shared_lock lock(mu_);
  auto t = tenants_subs_.find(tenant);
  if (t == tenants_subs_.end()) return;
  const TenantSubs& subs = t->second;
  const Millis now = now_millis();
  std::vector<const Subscription*> candidates;
  for (const auto& c : changes) {
    const model::Entity& e = c.after ? *c.after : *c.before;
    candidates.clear();
    auto add = [&](const auto& map, const std::string& key) {
      if (auto it = map.find(key); it != map.end())
        candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    };
    add(subs.by_entity, e.id);
    for (const auto& type : e.types) add(subs.by_type, type);
    if (c.before && c.after && c.before->types != c.after->types)
      for (const auto& type : c.before->types) add(subs.by_type, type);
    candidates.insert(candidates.end(), subs.by_any.begin(), subs.by_any.end());
    if (candidates.empty() && subs.by_attr.empty()) continue;
    Diff d = diff(c);
    d.forced = c.origin && c.origin->forced;
    mark_operated(d, c);
    for (const auto& [name, kind] : d.attrs) add(subs.by_attr, name);
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    if (candidates.size() > 1)  // sent in id order (NGSIv2 ids: creation order), as Orion sends them
      std::sort(candidates.begin(), candidates.end(),
                [](const Subscription* a, const Subscription* b) { return a->id < b->id; });
    for (const Subscription* s : candidates) {
      if (!s->active || s->interval_ms || s->expired(now)) continue;
      if (c.ticket && c.ticket <= s->state->since) continue;  // published before the subscription existed
      if ((s->triggers & kAlterations) && !d.unclassified.empty()) classify_updates(d, c);
      const unsigned trigger = fired(*s, d);
      if (!trigger || !selected(*s, e)) continue;
      {
        std::lock_guard guard(s->state->mu);
        if (s->state->disabled) continue;
        if (s->throttling_ms && s->state->last_notification && now - s->state->last_notification < s->throttling_ms)
          continue;
      }
      const Item item{c.after ? c.after : c.before, c.before, !c.after, c.origin.get()};
      if (s->flavor) {
        for (auto& m : s->flavor->messages(*s, item, d, trigger, now)) send(*s, std::move(m), now);
        continue;
      }
      send(*s, notification_message(*s, notification_body(*s, {item}, trigger_name(trigger), now)), now);
    }
  }
}

void Manager::deliver(const Subscription& s, notify::Message m) {
  const Millis now = now_millis();
  if (!s.active || s.expired(now)) return;
  {
    std::lock_guard guard(s.state->mu);
    if (s.state->disabled) return;
    if (s.throttling_ms && s.state->last_notification && now - s.state->last_notification < s.throttling_ms) return;
  }
  send(s, std::move(m), now);
}

void Manager::save_states() {
  std::vector<store::StoredSubscription> changed;
  {
    std::shared_lock lock(mu_);
    for (const auto& [tenant, subs] : tenants_subs_)
      for (const auto& [id, s] : subs.by_id) {
        {
          std::lock_guard guard(s->state->mu);
          if (!s->state->dirty) continue;
          s->state->dirty = false;
        }
        changed.push_back({tenant, id, "", state_json(*s->state)});
      }
  }
  if (changed.empty()) return;
  if (auto s = storage_.save_subscription_states(changed); !s)
    spdlog::error("cannot keep {} subscription delivery states: {}", changed.size(), s.error().detail);
}

void Manager::timer_loop() {
  std::unique_lock timer_lock(timer_mu_);
  Millis saved = now_millis();
  while (!timer_cv_.wait_for(timer_lock, std::chrono::milliseconds(100), [this] { return stopping_; })) {
    const Millis now = now_millis();
    if (now - saved >= kStateSaveMs) {
      save_states();
      saved = now;
    }
    std::vector<SubPtr> due;
    {
      std::shared_lock lock(mu_);
      for (const auto& [tenant, subs] : tenants_subs_)
        for (const auto& [id, s] : subs.by_id) {
          if (!s->interval_ms || !s->active || s->expired(now)) continue;
          std::lock_guard guard(s->state->mu);
          if (now - s->state->last_periodic >= s->interval_ms) {
            s->state->last_periodic = now;
            due.push_back(s);
          }
        }
    }
    for (const auto& s : due) {
      if (s->flavor) {
        for (auto& m : s->flavor->periodic(*s, now)) send(*s, std::move(m), now);
        continue;
      }
      auto tenant = tenants_.find(s->tenant);
      if (!tenant) continue;
      query::Page page;
      page.limit = 1000;
      std::vector<Item> items;
      {
        std::lock_guard guard(s->state->geo_mu);
        for (auto& e : (*tenant)->query(s->filter, page).entities) items.push_back({std::move(e), nullptr, false});
      }
      if (items.empty()) continue;
      send(*s, notification_message(*s, notification_body(*s, items, "", now)), now);
    }
  }
}

}  // namespace dejima::subscription
