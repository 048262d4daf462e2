#include "catalog/history_file.h"

#include <memory>

#include "catalog/table.h"
#include "connect/encoding.h"
#include "jsonld/context.h"
#include "util/time.h"

namespace dejima::catalog {
namespace {

constexpr Millis kDefaultSpanMs = 7LL * 24 * 3600 * 1000;
constexpr size_t kEntitiesPerPiece = 100;

void append_line(std::string& out, std::initializer_list<std::string_view> cells) {
  bool first = true;
  for (std::string_view c : cells) {
    if (!first) out += ',';
    first = false;
    out += csv_field(c);
  }
  out += "\r\n";
}

}  // namespace

Result<store::TimeWindow> history_window(const http::Request& req, Millis now) {
  store::TimeWindow w;
  w.property = store::TimeWindow::Property::Observed;
  w.to = now + 1;
  for (const auto& [name, bound] : {std::pair{"from", &w.from}, std::pair{"to", &w.to}})
    if (const std::string* text = req.param(name)) {
      auto t = parse_iso8601(*text);
      if (!t)
        return fail(ErrorKind::BadRequestData, "Invalid time",
                    std::string(name) + "=" + *text + ": not an ISO 8601 date and time");
      *bound = *t;
    }
  if (!req.param("from")) w.from = w.to - kDefaultSpanMs;
  if (w.from >= w.to) return fail(ErrorKind::BadRequestData, "Invalid time range", "from must be before to");
  return w;
}

std::function<std::string()> history_chunks(broker::Tenant& tenant, const Dataset& d, store::TimeWindow window,
                                            bool cp932) {
  struct State {
    std::unique_ptr<Pages> pages;
    std::vector<broker::EntityPtr> page;
    size_t next = 0;  // in page
    bool started = false, finished = false;
  };
  auto st = std::make_shared<State>();
  st->pages = std::make_unique<Pages>(tenant, d.type);
  broker::Tenant* t = &tenant;
  return [st, t, window, cp932]() -> std::string {
    if (st->finished) return {};
    std::string out;
    if (!st->started) {
      st->started = true;
      if (!cp932) out = "\xEF\xBB\xBF";
      append_line(out, {"entityId", "attribute", "datasetId", "observedAt", "recordedAt", "value"});
    }
    const auto core = jsonld::Context::core();
    store::HistoryReader& history = t->history();
    // A piece is never empty before the end (an empty piece ends the body): entities without
    // instances in the window are passed over until some have them.
    for (size_t done = 0; !st->finished && (done < kEntitiesPerPiece || out.empty()); ++done) {
      if (st->next == st->page.size()) {
        st->page = st->pages->next();
        st->next = 0;
        if (st->page.empty()) {
          st->finished = true;
          break;
        }
      }
      const std::string& id = st->page[st->next++]->id;
      auto attrs = history.history_attributes(id);
      if (!attrs) throw std::runtime_error(attrs.error().detail);  // ends the body without its last chunk
      for (const auto& attr : *attrs) {
        auto instances = history.history_instances(id, attr, window, SIZE_MAX, false);
        if (!instances) throw std::runtime_error(instances.error().detail);
        const std::string name = core->compact(attr);
        for (const auto& i : *instances) {
          if (i.deleted_at) continue;
          append_line(out, {id, name, i.dataset_id, i.observed_at ? format_iso8601(i.observed_at) : "",
                            format_iso8601(i.created_at), value_text(i.json)});
        }
      }
    }
    return cp932 ? connect::to_cp932(out) : out;
  };
}

}  // namespace dejima::catalog
