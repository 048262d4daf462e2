#include "ngsiv2/expiry.h"

#include <future>

#include <spdlog/spdlog.h>

#include "ngsiv2/attribute.h"
#include "ngsiv2/selection.h"
#include "ngsiv2/simple_query.h"

namespace dejima::ngsiv2 {
namespace {

// Whether the entity's dateExpires is a date before `now`.
bool expired(const model::Entity& e, Millis now) {
  const model::AttrInstance* a = e.find(expanded_name(kDateExpires), "");
  if (!a || type_of(*a) != "DateTime") return false;
  std::string text = json::written([&](json::Writer& w) { write_value(w, *a); });
  if (text.size() < 2) return false;
  auto at = orion_date(std::string_view(text).substr(1, text.size() - 2));
  return at && *at < now;
}

}  // namespace

void Expiry::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      if (size_t n = sweep(now_millis())) spdlog::info("deleted {} expired entities (dateExpires)", n);
      lock.lock();
    }
  });
}

void Expiry::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

size_t Expiry::sweep(Millis now) {
  Selection sel;  // the candidates come from the broker's indexes: entities with a dateExpires
  if (auto st = translate_query(std::string(kDateExpires) + "<" + format_iso8601(now), false, sel.q); !st) {
    spdlog::error("expired entities: cannot build the query: {}", st.error().detail);
    return 0;
  }
  auto filter = filter_of(
      sel, [](const model::Entity&) { return true; }, std::nullopt);  // every service path
  if (!filter) {
    spdlog::error("expired entities: cannot build the query: {}", filter.error().detail);
    return 0;
  }
  size_t deleted = 0;
  for (const auto& name : tenants_.names()) {
    auto tenant = tenants_.find(name);
    if (!tenant) continue;
    std::vector<std::string> ids;
    for (const auto& e : (*tenant)->query(*filter, query::Page{.offset = 0, .limit = SIZE_MAX}).entities)
      if (expired(*e, now)) ids.push_back(e->id);
    if (ids.empty()) continue;
    std::promise<size_t> done;
    (*tenant)->apply_batch(
        ids,
        [now](size_t, const broker::EntityPtr& cur) -> Result<std::shared_ptr<model::Entity>> {
          if (!cur || !expired(*cur, now)) return std::unexpected(Error{ErrorKind::ResourceNotFound, "not expired"});
          return nullptr;
        },
        [&done](std::vector<Status> items, Status commit) {
      size_t n = 0;
      for (const auto& st : items) n += st ? 1 : 0;
      done.set_value(commit ? n : 0);
        });
    deleted += done.get_future().get();
  }
  return deleted;
}

}  // namespace dejima::ngsiv2
