#include "broker/tenant.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "model/codec.h"
#include "temporal/record.h"

namespace dejima::broker {

namespace {
std::atomic<std::uint64_t> g_tickets{0};  // the last change ticket given (ChangeEvent::ticket)
}  // namespace

std::uint64_t change_ticket() { return g_tickets.load(); }

Tenant::Tenant(std::string name, std::unique_ptr<store::TenantStore> store, const ChangeListener* listener)
    : name_(std::move(name)), store_(std::move(store)), listener_(listener) {}

Tenant::~Tenant() { close(); }

void Tenant::close() {
  if (store_) store_->close();
}

namespace {

// Decodes stored entity documents into publishable entities, on up to `threads` threads (each
// takes every n-th document): decoding is most of a start-up's work and touches no shared state.
Result<std::vector<EntityPtr>> decode_all(const std::vector<std::string>& docs, unsigned threads) {
  std::vector<EntityPtr> out(docs.size());
  std::vector<std::optional<Error>> errors(threads);
  auto work = [&](unsigned k) {
    for (size_t i = k; i < docs.size(); i += threads) {
      auto e = model::decode(docs[i]);
      if (!e) {
        errors[k] = e.error();
        return;
      }
      model::extract_scalars(*e);
      out[i] = std::make_shared<const model::Entity>(std::move(*e));
    }
  };
  std::vector<std::thread> workers;
  for (unsigned k = 1; k < threads; ++k) workers.emplace_back(work, k);
  work(0);
  for (auto& w : workers) w.join();
  for (auto& err : errors)
    if (err) return std::unexpected(std::move(*err));
  return out;
}

}  // namespace

Status Tenant::load() {
  auto docs = store_->load_entities();
  if (!docs) return std::unexpected(docs.error());
  const unsigned threads = docs->size() < 1000 ? 1 : std::clamp(std::thread::hardware_concurrency(), 1U, 4U);
  auto entities = decode_all(*docs, threads);
  if (!entities) return std::unexpected(entities.error());
  docs->clear();
  docs->shrink_to_fit();
  std::unique_lock lock(mu_);
  for (const auto& ptr : *entities) {
    const std::string id = ptr->id;
    publish(id, get_locked(id), ptr);
  }
  return {};
}

EntityPtr Tenant::get(const std::string& id) const {
  std::shared_lock lock(mu_);
  return get_locked(id);
}

EntityPtr Tenant::get_locked(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

size_t Tenant::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

void Tenant::index(const Slot* slot, const model::Entity& e) {
  for (const auto& t : e.types) by_type_[t].insert(slot);
}

void Tenant::unindex(const model::Entity& e) {
  for (const auto& t : e.types) {
    auto it = by_type_.find(t);
    if (it == by_type_.end()) continue;
    if (auto pos = it->second.find(std::string_view(e.id)); pos != it->second.end()) it->second.erase(pos);
    if (it->second.empty()) by_type_.erase(it);
  }
}

namespace {

// The distinct attribute names of an entity (instances of one attribute are adjacent).
std::vector<model::Name> attribute_names(const model::Entity* e) {
  std::vector<model::Name> out;
  if (e)
    for (const auto& a : e->attrs)
      if (out.empty() || out.back() != a.name) out.push_back(a.name);
  return out;
}

// True when both entities have the same distinct attribute names in the same order; checked on
// every write, so without building the lists.
bool same_attribute_names(const model::Entity* a, const model::Entity* b) {
  if (!a || !b) return a == b;
  size_t i = 0, j = 0;
  const auto& x = a->attrs;
  const auto& y = b->attrs;
  while (i < x.size() && j < y.size()) {
    if (x[i].name != y[j].name) return false;
    const model::Name n = x[i].name;
    while (i < x.size() && x[i].name == n) ++i;
    while (j < y.size() && y[j].name == n) ++j;
  }
  return i == x.size() && j == y.size();
}

}  // namespace

void Tenant::count_attr_types(const model::Entity& e, int delta) {
  for (const auto& a : attribute_names(&e)) {
    auto& per_type = attr_types_[a];
    for (const auto& t : e.types) {
      auto& n = per_type[t];
      n += delta;
      if (n == 0) per_type.erase(t);
    }
    if (per_type.empty()) attr_types_.erase(a);
  }
}

void Tenant::publish(const std::string& id, const EntityPtr& before, const EntityPtr& after) {
  const bool types_changed = !before || !after || before->types != after->types;
  if (types_changed || !same_attribute_names(before.get(), after.get())) {
    if (before) count_attr_types(*before, -1);
    if (after) count_attr_types(*after, +1);
  }
  if (before && types_changed) unindex(*before);
  const Millis when = after ? after->modified_at : now_millis();
  for (const auto* e : {before.get(), after.get()})
    if (e)
      for (const auto& t : e->types) {
        TypeStamp& stamp = stamps_[t];
        ++stamp.version;
        stamp.modified = std::max(stamp.modified, when);
      }
  if (after) {
    auto it = by_id_.insert_or_assign(id, after).first;
    if (types_changed) index(&*it, *after);
    geo_.update(it->first, before.get(), after.get());
    values_.update(&*it, before.get(), after.get());
  } else if (auto it = by_id_.find(id); it != by_id_.end()) {
    geo_.update(it->first, before.get(), nullptr);
    values_.update(&*it, before.get(), nullptr);
    by_id_.erase(it);
  }
}

void Tenant::apply(const std::string& id, const Change& change, std::function<void(Status)> done,
                   std::shared_ptr<const Origin> origin) {
  apply_batch(
      {id}, [&](size_t, const EntityPtr& cur) { return change(cur); },
      [done = std::move(done)](std::vector<Status> items, Status commit) { done(!items[0] ? items[0] : commit); },
      History::Keep, std::move(origin));
}

void Tenant::apply_batch(const std::vector<std::string>& ids, const BatchChange& change, BatchDone done,
                         History history, std::shared_ptr<const Origin> origin) {
  std::vector<Status> items(ids.size());
  std::vector<Step> steps;
  store::WriteBatch writes;
  const Millis now = now_millis();
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < ids.size(); ++i) {
    EntityPtr before = get_locked(ids[i]);
    auto next = change(i, before);
    if (!next) {
      items[i] = std::unexpected(next.error());
      continue;
    }
    if (*next && *next == before) continue;  // left as it is: nothing to write
    if (*next) model::extract_scalars(**next);
    EntityPtr after = std::move(*next);
    publish(ids[i], before, after);
    // The record keeps what changed (a delta) where it can; the store derives the documents.
    if (!after)
      writes.entities.push_back({ids[i], std::nullopt});
    else if (auto delta = before ? model::encode_delta(*before, *after) : std::nullopt)
      writes.entities.push_back({ids[i], std::move(delta), true});
    else
      writes.entities.push_back({ids[i], model::encode(*after)});
    if (history == History::Keep)
      if (auto h = temporal::record_change(before.get(), after.get(), now)) writes.history.push_back(std::move(*h));
    steps.push_back({ids[i], std::move(before), std::move(after)});
  }
  if (writes.entities.empty()) {
    lock.unlock();
    return done(std::move(items), {});
  }
  // Submitting under the lock keeps the store's commit order equal to the memory order.
  auto shared_steps = std::make_shared<std::vector<Step>>(std::move(steps));
  const std::uint64_t ticket = ++g_tickets;
  auto queued = store_->write(std::move(writes), [this, shared_steps, items, done, origin, ticket](Status s) mutable {
    if (!s) {
      spdlog::error("tenant '{}': write of {} entities failed, rolling back: {}", name_, shared_steps->size(),
                    s.error().detail);
      std::unique_lock lock(mu_);
      rollback(*shared_steps);
    }
    done(std::move(items), s);
    if (s && listener_ && *listener_) {
      std::vector<ChangeEvent> changes;
      changes.reserve(shared_steps->size());
      for (const auto& step : *shared_steps) changes.push_back({step.before, step.after, origin, ticket});
      (*listener_)(name_, changes);
    }
  });
  if (queued) return;
  rollback(*shared_steps);
  lock.unlock();
  done(std::move(items), fail(ErrorKind::ServiceUnavailable, "Shutting down", "the write was not accepted"));
}

void Tenant::write_history(std::vector<store::HistoryWrite> history, std::function<void(Status)> done) {
  // Under the write lock like entity writes, so both reach the store in one order.
  std::unique_lock lock(mu_);
  auto queued = store_->write({{}, std::move(history)}, done);
  if (!queued) {
    lock.unlock();
    done(queued);
  }
}

void Tenant::rollback(const std::vector<Step>& steps) {
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    EntityPtr cur = get_locked(it->id);
    if (cur != it->after) continue;  // a later write replaced it; its own commit decides
    publish(it->id, it->after, it->before);
  }
}

template <class Visit>
void Tenant::merge_walk(const std::vector<const IdSet*>& sets, std::string_view after, Visit&& visit) {
  using Run = std::pair<IdSet::const_iterator, IdSet::const_iterator>;
  std::vector<Run> runs;
  for (const IdSet* s : sets) runs.emplace_back(after.empty() ? s->begin() : s->upper_bound(after), s->end());
  const Slot* last = nullptr;
  for (;;) {
    Run* min = nullptr;
    for (auto& run : runs)
      if (run.first != run.second && (!min || (*run.first)->first < (*min->first)->first)) min = &run;
    if (!min) return;
    const Slot* slot = *min->first++;
    if (slot == last) continue;  // in several sets
    last = slot;
    if (!visit(slot)) return;
  }
}

// The page of a query being collected: every match is counted, the offset skipped and up to the
// limit kept.
struct Tenant::Matches {
  // What is known of a candidate before the filter runs.
  enum class Known { Nothing, GeoHolds, Match };

  const query::Filter& f;
  const query::Page& page;
  QueryResult& r;
  size_t skipped = 0;
  bool full = false;

  // Returns false once nothing more is needed.
  bool add(EntityPtr e, Known known = Known::Nothing) {
    if (!e || (!page.after.empty() && e->id <= page.after)) return true;
    if (known != Known::Match && !f.matches(*e, known == Known::GeoHolds)) return true;
    ++r.total;
    if (skipped < page.offset)
      ++skipped;
    else if (r.entities.size() < page.limit)
      r.entities.push_back(std::move(e));
    else
      full = true;
    return page.count || !full;
  }
};

namespace {

// Sorts the geo candidates from `i` on far enough that the next `chunk` entities, with every
// instance of the last of them, come in id order from `i`; returns where they end. Ordering a
// chunk at a time (the smallest ids first) lets a page of a large area stop after its last match
// instead of ordering every candidate.
size_t order_chunk(std::vector<GeoIndex::Candidate>& found, size_t i, size_t chunk) {
  auto by_id = [](const GeoIndex::Candidate& a, const GeoIndex::Candidate& b) { return a.id < b.id; };
  auto first = found.begin() + static_cast<std::ptrdiff_t>(i);
  auto last = found.begin() + static_cast<std::ptrdiff_t>(std::min(found.size(), i + chunk));
  if (last != found.end()) {
    std::nth_element(first, last - 1, found.end(), by_id);
    // The other instances of the chunk's last entity belong to it too.
    const std::string_view tail = (last - 1)->id;
    last = std::partition(last, found.end(), [&](const auto& c) { return c.id == tail; });
  }
  std::sort(first, last, by_id);
  return static_cast<size_t>(last - found.begin());
}

// Whether every selector's type is a plain alternative of types; collects them.
bool selector_types(const query::Filter& f, std::vector<std::string>& types) {
  return !f.entities.empty() && std::all_of(f.entities.begin(), f.entities.end(),
                                            [&](const auto& s) { return s.types && s.types->alternatives(types); });
}

}  // namespace

void Tenant::query_ids(const query::Filter& f, Matches& m) const {
  std::set<std::string_view> ids;
  for (const auto& s : f.entities) ids.insert(s.ids.begin(), s.ids.end());
  for (auto id : ids)
    if (!m.add(get_locked(id))) break;
}

void Tenant::query_geo(const query::Filter& f, const query::GeoBox& box, Matches& m) const {
  std::vector<GeoIndex::Candidate> found;
  if (!geo_.candidates(f.geo->property(), box, found)) return;  // no entity has the property
  // In id order, a chunk at a time (chunks doubling; all at once for a count). A point's box is
  // the point: it is tested before the entity is fetched; an entity with another geometry is
  // tested whole.
  size_t chunk = m.page.count ? found.size() : 64;
  for (size_t i = 0; i < found.size();) {
    const size_t end = order_chunk(found, i, chunk);
    chunk *= 2;
    bool more = true;
    while (i < end && more) {
      const std::string_view id = found[i].id;
      bool point_matched = false, other = false;
      for (; i < end && found[i].id == id; ++i) {
        const auto& c = found[i];
        if (!c.is_point())
          other = true;
        else if (!point_matched)
          point_matched = f.geo->matches_point(c.box.min_lon, c.box.min_lat);
      }
      if (point_matched || other)
        more = m.add(get_locked(id), point_matched ? Matches::Known::GeoHolds : Matches::Known::Nothing);
    }
    if (!more) break;
  }
}

bool Tenant::attribute_types(const query::Filter& f, std::vector<std::string>& types) const {
  types.clear();  // what selector_types collected before it gave up
  std::vector<std::string> needed = f.attrs;
  if (needed.empty() && f.q) needed = query::required_attributes(*f.q);
  for (const auto& a : needed)
    if (auto it = attr_types_.find(a); it != attr_types_.end())
      for (const auto& [t, _] : it->second) types.push_back(t);
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  return !needed.empty();
}

size_t Tenant::type_sets(const std::vector<std::string>& types, std::vector<const IdSet*>& sets) const {
  size_t walk = 0;
  for (const auto& t : types)
    if (auto it = by_type_.find(t); it != by_type_.end()) {
      sets.push_back(&it->second);
      walk += it->second.size();
    }
  return walk;
}

bool Tenant::value_sets(const query::Expr& q, bool indexed, size_t walk, std::vector<const IdSet*>& sets) const {
  for (const query::Term* t : ValueIndex::usable_terms(q)) {
    std::vector<const IdSet*> found;
    if (!values_.candidates(*t, found)) continue;
    size_t n = 0;
    for (const IdSet* s : found) n += s->size();
    if (n < walk || !indexed) {
      sets = std::move(found);
      walk = n;
      indexed = true;
    }
  }
  return indexed;
}

bool Tenant::candidate_sets(const query::Filter& f, std::vector<const IdSet*>& sets) const {
  std::vector<std::string> types;
  const bool by_types = selector_types(f, types) || attribute_types(f, types);
  const size_t walk = by_types ? type_sets(types, sets) : by_id_.size();
  return f.q ? value_sets(*f.q, by_types, walk, sets) : by_types;
}

void Tenant::query_all(const query::Filter& f, Matches& m) const {
  std::vector<const Slot*> matched;
  for (const auto& slot : by_id_)
    if (f.matches(*slot.second)) matched.push_back(&slot);
  std::sort(matched.begin(), matched.end(), ByIdOrder{});
  for (const Slot* slot : matched)
    if (!m.add(slot->second, Matches::Known::Match)) break;
}

QueryResult Tenant::query(const query::Filter& f, const query::Page& page) const {
  QueryResult r;
  std::shared_lock lock(mu_);
  Matches m{f, page, r};
  // Candidates: the listed ids when every selector lists ids; else the geo index when the
  // geo-query bounds a search box; else the union of the type sets when every selector's type
  // is a plain alternative, or of the types that have the attributes `attrs`/`q` require, or the
  // value-index sets of a q equality term; else every entity.
  const bool by_ids = !f.entities.empty() &&
                      std::all_of(f.entities.begin(), f.entities.end(), [](const auto& s) { return !s.ids.empty(); });
  if (by_ids) {
    query_ids(f, m);
    return r;
  }
  if (f.geo)
    if (auto box = f.geo->search_box()) {
      query_geo(f, *box, m);
      return r;
    }
  if (std::vector<const IdSet*> sets; candidate_sets(f, sets)) {
    merge_walk(sets, page.after, [&](const Slot* slot) { return m.add(slot->second); });
    return r;
  }
  query_all(f, m);
  return r;
}

QueryResult Tenant::query_sorted(const query::Filter& f, const query::Page& page, const Sort& sort) const {
  QueryResult all = query(f, query::Page{.offset = 0, .limit = SIZE_MAX, .count = true});
  sort(all.entities);
  QueryResult r;
  r.total = all.entities.size();
  for (size_t i = page.offset; i < all.entities.size() && r.entities.size() < page.limit; ++i)
    r.entities.push_back(std::move(all.entities[i]));
  return r;
}

TypeStamp Tenant::stamp(const std::string& type) const {
  std::shared_lock lock(mu_);
  auto it = stamps_.find(type);
  return it == stamps_.end() ? TypeStamp{} : it->second;
}

std::map<std::string, TypeInfo> Tenant::types(bool details) const {
  std::map<std::string, TypeInfo> out;
  std::shared_lock lock(mu_);
  for (const auto& [type, ids] : by_type_) {
    TypeInfo& info = out[type];
    info.entity_count = ids.size();
    if (!details) continue;
    for (const Slot* slot : ids)
      for (const auto& a : slot->second->attrs) info.attributes[a.name].insert(model::attribute_type(a));
  }
  return out;
}

std::map<std::string, AttributeInfo> Tenant::attributes(bool details) const {
  std::map<std::string, AttributeInfo> out;
  std::shared_lock lock(mu_);
  for (const auto& [id, e] : by_id_) {
    const model::Name* previous = nullptr;
    for (const auto& a : e->attrs) {
      AttributeInfo& info = out[a.name];
      if (!previous || *previous != a.name) ++info.entity_count;  // instances of one attribute are adjacent
      previous = &a.name;
      if (!details) continue;
      for (const auto& t : e->types) info.types.insert(t);
      info.attr_types.insert(model::attribute_type(a));
    }
  }
  return out;
}

Status Tenants::load_all() {
  auto names = storage_.list_tenants();
  if (!names) return std::unexpected(names.error());
  for (const auto& n : *names) {
    auto store = storage_.open_tenant(n, false);
    if (!store) return std::unexpected(store.error());
    (*store)->set_retention(retention_(n));
    auto t = std::make_unique<Tenant>(n, std::move(*store), &listener_);
    if (auto s = t->load(); !s) return s;
    spdlog::info("tenant '{}': {} entities loaded", n.empty() ? "(default)" : n, t->size());
    std::unique_lock lock(mu_);
    tenants_[n] = std::move(t);
  }
  return {};
}

Result<Tenant*> Tenants::find(const std::string& name) {
  std::shared_lock lock(mu_);
  auto it = tenants_.find(name);
  if (it == tenants_.end())
    return fail(ErrorKind::NonexistentTenant, "Tenant does not exist", "tenant '" + name + "' has no data yet");
  return it->second.get();
}

std::vector<std::string> Tenants::names() {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, tenant] : tenants_) out.push_back(name);
  return out;
}

Result<Tenant*> Tenants::find_or_create(const std::string& name) {
  if (auto t = find(name)) return t;
  std::unique_lock lock(mu_);
  if (auto it = tenants_.find(name); it != tenants_.end()) return it->second.get();
  auto store = storage_.open_tenant(name, true);
  if (!store) return std::unexpected(store.error());
  (*store)->set_retention(retention_(name));
  auto t = std::make_unique<Tenant>(name, std::move(*store), &listener_);
  Tenant* raw = t.get();
  tenants_[name] = std::move(t);
  spdlog::info("tenant '{}' created", name);
  return raw;
}

void Tenants::close_all() {
  std::unique_lock lock(mu_);
  for (auto& [n, t] : tenants_) t->close();
}

}  // namespace dejima::broker
