#include "catalog/datastore.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "catalog/folding.h"
#include "catalog/table.h"
#include "util/uri.h"

namespace dejima::catalog {
namespace {

constexpr size_t kMaxLimit = 32000;

std::string trimmed(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

struct Query {
  std::vector<size_t> shown;                                         // column positions (SIZE_MAX = _id)
  std::vector<std::pair<size_t, std::vector<std::string>>> filters;  // column -> any of these texts
  std::vector<std::pair<std::optional<size_t>, std::string>> text;   // column (none = any) -> lower-case text
  std::vector<std::pair<size_t, bool>> sort;                         // column (SIZE_MAX = _id), descending
  size_t limit = 100, offset = 0;
};

std::optional<size_t> column(const std::vector<Column>& cols, std::string_view name) {
  if (name == "_id") return SIZE_MAX;
  for (size_t i = 0; i < cols.size(); ++i)
    if (cols[i].header == name) return i;
  return std::nullopt;
}

std::expected<Query, Failure> parse(const Input& in, const std::vector<Column>& cols) {
  Query q;
  auto fields = names(in, "fields", true);
  if (!fields) return std::unexpected(fields.error());
  if (fields->empty()) {
    q.shown.push_back(SIZE_MAX);
    for (size_t i = 0; i < cols.size(); ++i) q.shown.push_back(i);
  }
  for (const auto& f : *fields) {
    auto c = column(cols, f);
    if (!c) return std::unexpected(invalid("fields", "field \"" + f + "\" not in table"));
    q.shown.push_back(*c);
  }
  if (auto f = in.text("filters")) {
    json::Document d;
    if (!json::parse(d, *f).empty() || !d.IsObject()) return std::unexpected(invalid("filters", "Not a JSON object"));
    for (const auto& m : d.GetObject()) {
      const std::string name(json::view(m.name));
      auto c = column(cols, name);
      if (!c || *c == SIZE_MAX) return std::unexpected(invalid("filters", "field \"" + name + "\" not in table"));
      std::vector<std::string> values;
      auto add = [&](const json::Value& v) {
        if (v.IsString())
          values.emplace_back(json::view(v));
        else if (v.IsNumber() || v.IsBool())
          values.push_back(json::to_string(v));
        else
          return false;
        return true;
      };
      bool ok = true;
      if (m.value.IsArray())
        for (const auto& v : m.value.GetArray()) ok = ok && add(v);
      else
        ok = add(m.value);
      if (!ok)
        return std::unexpected(invalid("filters", "the value of " + name + " is not a string, number or list of them"));
      q.filters.emplace_back(*c, std::move(values));
    }
  }
  if (auto t = in.text("q"); t && !t->empty()) {
    json::Document d;
    if (t->starts_with('{') && json::parse(d, *t).empty() && d.IsObject()) {
      for (const auto& m : d.GetObject()) {
        const std::string name(json::view(m.name));
        auto c = column(cols, name);
        if (!c || *c == SIZE_MAX || !m.value.IsString())
          return std::unexpected(invalid("q", "field \"" + name + "\" not in table or its text not a string"));
        q.text.emplace_back(*c, folded(json::view(m.value)));
      }
    } else {
      q.text.emplace_back(std::nullopt, folded(*t));
    }
  }
  if (auto s = in.text("sort")) {
    size_t from = 0;
    while (from <= s->size()) {
      const size_t comma = std::min(s->find(',', from), s->size());
      std::string part = trimmed(s->substr(from, comma - from));
      from = comma + 1;
      if (part.empty()) continue;
      bool desc = false;
      if (part.ends_with(" desc") || part.ends_with(" asc")) {
        desc = part.ends_with(" desc");
        part = trimmed(part.substr(0, part.rfind(' ')));
      }
      if (part.size() >= 2 && part.front() == '"' && part.back() == '"') part = part.substr(1, part.size() - 2);
      auto c = column(cols, part);
      if (!c) return std::unexpected(invalid("sort", "field \"" + part + "\" not in table"));
      q.sort.emplace_back(*c, desc);
    }
  }
  auto limit = integer(in, "limit", 100, kMaxLimit);
  if (!limit) return std::unexpected(limit.error());
  auto offset = integer(in, "offset", 0, SIZE_MAX / 2);
  if (!offset) return std::unexpected(offset.error());
  q.limit = *limit;
  q.offset = *offset;
  return q;
}

// The filters read only their own columns' cells; the text search reads the whole row.
bool passes_filters(const Query& q, const model::Entity& e, const std::vector<Column>& cols) {
  for (const auto& [c, values] : q.filters)
    if (std::find(values.begin(), values.end(), cell_of(e, cols[c])) == values.end()) return false;
  return true;
}

bool has_text(const Query& q, const std::vector<std::string>& row) {
  for (const auto& [c, text] : q.text) {
    bool found = false;
    for (size_t i = 0; i < row.size() && !found; ++i)
      if (!c || *c == i) found = contains_folded(row[i], text);
    if (!found) return false;
  }
  return true;
}

std::optional<double> number(const std::string& s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

struct Row {
  size_t id;
  std::vector<std::string> cells;
};

}  // namespace

Outcome datastore_search(broker::Tenant& t, const Dataset& d, const std::vector<Column>& cols,
                         const std::string& resource_id, const Input& in) {
  auto q = parse(in, cols);
  if (!q) return std::unexpected(q.error());
  std::vector<Row> kept;
  size_t total = 0, position = 0;
  if (q->filters.empty() && q->text.empty() && q->sort.empty()) {
    // Every row in id order: only the page is read (row numbers count from the offset), the total
    // is the type's entity count.
    auto page = t.query(type_filter(d.type), query::Page{.offset = q->offset, .limit = q->limit, .count = false});
    total = d.entities;
    position = q->offset;
    for (const auto& e : page.entities) kept.push_back(Row{++position, row_of(*e, cols)});
  } else {
    Pages pages(t, d.type);
    for (auto page = pages.next(); !page.empty(); page = pages.next())
      for (const auto& e : page) {
        ++position;
        if (!passes_filters(*q, *e, cols)) continue;
        const bool wanted = !q->sort.empty() || (total >= q->offset && kept.size() < q->limit);
        if (q->text.empty()) {
          ++total;
          if (wanted) kept.push_back(Row{position, row_of(*e, cols)});
          continue;
        }
        Row r{position, row_of(*e, cols)};
        if (!has_text(*q, r.cells)) continue;
        ++total;
        if (wanted) kept.push_back(std::move(r));
      }
  }
  if (!q->sort.empty()) {
    auto less = [&](const Row& a, const Row& b) {
      for (const auto& [c, desc] : q->sort) {
        int cmp = 0;
        if (c == SIZE_MAX) {
          cmp = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
        } else if (cols[c].numeric) {
          const double x = number(a.cells[c]).value_or(-1e308), y = number(b.cells[c]).value_or(-1e308);
          cmp = x < y ? -1 : x > y ? 1 : 0;
        } else {
          cmp = a.cells[c].compare(b.cells[c]);
        }
        if (cmp != 0) return desc ? cmp > 0 : cmp < 0;
      }
      return a.id < b.id;
    };
    std::stable_sort(kept.begin(), kept.end(), less);
    const size_t from = std::min(q->offset, kept.size());
    const size_t to = std::min(kept.size(), from + q->limit);
    kept = std::vector<Row>(std::make_move_iterator(kept.begin() + static_cast<std::ptrdiff_t>(from)),
                            std::make_move_iterator(kept.begin() + static_cast<std::ptrdiff_t>(to)));
  }
  const std::string link = "/api/3/action/datastore_search?resource_id=" + percent_encode(resource_id, "") +
                           "&limit=" + std::to_string(q->limit);
  return json::written([&](json::Writer& w) {
    w.StartObject();
    w.Key("resource_id");
    json::write_string(w, resource_id);
    w.Key("include_total");
    w.Bool(true);
    w.Key("records_format");
    w.String("objects");
    w.Key("limit");
    w.Uint64(q->limit);
    w.Key("offset");
    w.Uint64(q->offset);
    w.Key("total");
    w.Uint64(total);
    w.Key("total_was_estimated");
    w.Bool(false);
    w.Key("fields");
    w.StartArray();
    for (const size_t c : q->shown) {
      w.StartObject();
      w.Key("id");
      json::write_string(w, c == SIZE_MAX ? std::string("_id") : cols[c].header);
      w.Key("type");
      w.String(c == SIZE_MAX ? "int" : cols[c].numeric ? "numeric" : "text");
      w.EndObject();
    }
    w.EndArray();
    w.Key("records");
    w.StartArray();
    for (const auto& r : kept) {
      w.StartObject();
      for (const size_t c : q->shown) {
        json::write_key(w, c == SIZE_MAX ? std::string("_id") : cols[c].header);
        if (c == SIZE_MAX)
          w.Uint64(r.id);
        else if (r.cells[c].empty())
          w.Null();
        else if (auto n = cols[c].numeric ? number(r.cells[c]) : std::nullopt)
          w.Double(*n);
        else
          json::write_string(w, r.cells[c]);
      }
      w.EndObject();
    }
    w.EndArray();
    w.Key("_links");
    w.StartObject();
    w.Key("start");
    json::write_string(w, link);
    w.Key("next");
    json::write_string(w, link + "&offset=" + std::to_string(q->offset + q->limit));
    w.EndObject();
    w.EndObject();
  });
}

}  // namespace dejima::catalog
