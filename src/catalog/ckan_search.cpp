#include "catalog/ckan_search.h"

#include <algorithm>
#include <optional>

#include "catalog/ckan_dicts.h"
#include "catalog/download.h"
#include "catalog/folding.h"
#include "catalog/licenses.h"

namespace dejima::catalog {
namespace {

Error query_error(std::string why) { return {ErrorKind::BadRequestData, "Search Query Error", std::move(why)}; }

struct Term {
  std::string field;  // "" = any text
  std::string value;  // lower-case
  bool negated = false;
  bool range = false;    // field:[from TO to] on a time field; "*" = open
  std::string from, to;  // the first 19 characters of the times (YYYY-MM-DDTHH:MM:SS)
};

bool time_field(std::string_view f) { return f == "metadata_modified" || f == "metadata_created"; }

// "2026-12-07T09:00:00.000000Z" -> "2026-12-07T09:00:00"; "*" stays; anything else is refused.
std::optional<std::string> range_bound(std::string_view v) {
  if (v == "*") return std::string(v);
  if (v.size() < 19 || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':') return std::nullopt;
  return std::string(v.substr(0, 19));
}

// Splits "tags:避難所 AND -organization:\"a b\" word" into terms.
Result<std::vector<Term>> parse_terms(std::string_view text, std::string_view what) {
  std::vector<Term> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i == text.size()) break;
    Term t;
    if (text[i] == '+' || text[i] == '-') t.negated = text[i++] == '-';
    std::string token;
    bool quoted = false;
    size_t plain = std::string::npos;  // how much of the token came before its first quote
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
      if (text[i] == '"') {
        if (!quoted) plain = token.size();
        const size_t end = text.find('"', i + 1);
        if (end == std::string_view::npos)
          return std::unexpected(query_error(std::string(what) + ": a quote is not closed"));
        token += text.substr(i + 1, end - i - 1);
        quoted = true;
        i = end + 1;
        continue;
      }
      if (text[i] == '[' && token.ends_with(':') && !quoted) {  // a range: field:[from TO to]
        const size_t end = text.find(']', i);
        if (end == std::string_view::npos)
          return std::unexpected(query_error(std::string(what) + ": a range is not closed"));
        const std::string_view inner = text.substr(i + 1, end - i - 1);
        const size_t to = inner.find(" TO ");
        auto a = to == std::string_view::npos ? std::nullopt : range_bound(inner.substr(0, to));
        auto b = to == std::string_view::npos ? std::nullopt : range_bound(inner.substr(to + 4));
        if (!a || !b || !time_field(token.substr(0, token.size() - 1)))
          return std::unexpected(query_error(std::string(what) + ": a range is [time TO time] (ISO 8601 or *) on "
                                                                 "metadata_modified or metadata_created"));
        t.range = true;
        t.from = *a;
        t.to = *b;
        token += "*";
        i = end + 1;
        continue;
      }
      if (text[i] == '(' || text[i] == ')' || text[i] == '[' || text[i] == '{')
        return std::unexpected(
            query_error(std::string(what) + ": groups and ranges are not supported; write field:value terms"));
      token += text[i++];
    }
    if (!quoted && (token == "AND" || token == "&&")) continue;
    if (!quoted && (token == "OR" || token == "||" || token == "NOT"))
      return std::unexpected(
          query_error(std::string(what) + ": " + token + " is not supported (terms are ANDed; -term negates)"));
    const size_t colon = token.substr(0, plain).find(':');
    if (colon != std::string::npos && colon > 0) {
      t.field = token.substr(0, colon);
      t.value = token.substr(colon + 1);
      if (t.value.size() >= 2 && t.value.front() == '"' && t.value.back() == '"')
        t.value = t.value.substr(1, t.value.size() - 2);
      if (t.field == "*" && t.value == "*") continue;  // *:* = everything
      if (!searchable_field(t.field))
        return std::unexpected(query_error(std::string(what) + ": unknown field " + t.field));
    } else {
      t.value = token;
    }
    t.value = folded(t.value);
    if (t.value.empty()) continue;
    out.push_back(std::move(t));
  }
  return out;
}

bool holds(const Dataset& d, const Term& t) {
  if (t.range) {
    const std::string v = ckan_time(t.field == "metadata_created" ? d.created() : d.modified()).substr(0, 19);
    return (t.from == "*" || v >= t.from) && (t.to == "*" || v <= t.to);
  }
  if (!t.field.empty()) {
    for (const auto& v : field_values(d, t.field))
      if (equals_folded(v, t.value) || (t.value == "*" && !v.empty())) return true;
    return false;
  }
  for (std::string_view f : {"name", "title", "notes", "tags", "organization", "entity_type", "groups"})
    for (const auto& v : field_values(d, f))
      if (contains_folded(v, t.value)) return true;
  return false;
}

struct SortKey {
  std::string field;
  bool desc = false;
};

Result<std::vector<SortKey>> parse_sort(std::string_view text) {
  std::vector<SortKey> out;
  if (text.empty()) text = "score desc, metadata_modified desc";
  size_t from = 0;
  while (from <= text.size()) {
    const size_t comma = std::min(text.find(',', from), text.size());
    std::string part(text.substr(from, comma - from));
    from = comma + 1;
    const size_t a = part.find_first_not_of(' ');
    if (a == std::string::npos) continue;
    part = part.substr(a);
    const size_t sp = part.find(' ');
    SortKey k{part.substr(0, sp)};
    std::string dir = sp == std::string::npos ? "asc" : part.substr(sp + 1);
    while (dir.ends_with(' ')) dir.pop_back();
    while (dir.starts_with(' ')) dir.erase(0, 1);
    if (dir != "asc" && dir != "desc")
      return std::unexpected(query_error("sort: '" + part + "': the direction is asc or desc"));
    k.desc = dir == "desc";
    if (k.field == "title_string") k.field = "title";
    if (k.field == "id") k.field = "name";  // a package's id is its name (ckanext-harvest sorts by id)
    static const std::vector<std::string> fields = {
        "score", "name", "title", "metadata_modified", "metadata_created", "num_resources", "id"};
    if (std::find(fields.begin(), fields.end(), k.field) == fields.end())
      return std::unexpected(query_error("sort: cannot sort by " + k.field));
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace

bool searchable_field(std::string_view f) {
  static const std::vector<std::string_view> fields = {
      "id",         "name",       "title",       "notes",     "tags",     "organization",      "groups",
      "res_format", "license_id", "entity_type", "frequency", "capacity", "metadata_modified", "metadata_created"};
  return std::find(fields.begin(), fields.end(), f) != fields.end();
}

std::vector<std::string> field_values(const Dataset& d, std::string_view f) {
  if (f == "id" || f == "name") return {d.name};
  if (f == "title") return {d.title()};
  if (f == "notes") return {d.meta.description_ja, d.meta.description_en};
  if (f == "tags") return d.meta.keywords;
  if (f == "groups") return d.meta.themes;
  if (f == "organization") {
    std::vector<std::string> v = {d.tenant_name};
    if (!d.publisher.name_ja.empty()) v.push_back(d.publisher.name_ja);
    return v;
  }
  if (f == "res_format") {
    std::vector<std::string> v;
    for (const auto& k : file_kinds())
      if (std::find(v.begin(), v.end(), k.label) == v.end()) v.push_back(k.label);  // CSV twice: data and history
    return v;
  }
  if (f == "license_id") return {license(d.meta.license).id};
  if (f == "entity_type") return {d.short_type, d.type};
  if (f == "frequency") return {d.frequency()};
  if (f == "capacity") return {d.is_public ? "public" : "private"};
  if (f == "metadata_modified") return {ckan_time(d.modified())};
  if (f == "metadata_created") return {ckan_time(d.created())};
  return {};
}

Result<SearchResult> search(const std::vector<Dataset>& all, const SearchRequest& r) {
  auto q = parse_terms(r.q, "q");
  if (!q) return std::unexpected(q.error());
  auto fq = parse_terms(r.fq, "fq");
  if (!fq) return std::unexpected(fq.error());
  auto sort = parse_sort(r.sort);
  if (!sort) return std::unexpected(sort.error());
  for (const auto& f : r.facet_fields)
    if (!searchable_field(f)) return std::unexpected(query_error("facet.field: unknown field " + f));

  struct Hit {
    const Dataset* d;
    size_t score;
  };
  std::vector<Hit> hits;
  for (const auto& d : all) {
    bool ok = true;
    size_t score = 0;
    for (const auto* terms : {&*q, &*fq})
      for (const auto& t : *terms) {
        const bool h = holds(d, t);
        ok = ok && h != t.negated;
        score += h && t.field.empty() && contains_folded(d.title(), t.value) ? 2 : h ? 1 : 0;
      }
    if (ok) hits.push_back({&d, score});
  }
  std::stable_sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
    for (const auto& k : *sort) {
      int c = 0;
      if (k.field == "score")
        c = a.score < b.score ? -1 : a.score > b.score ? 1 : 0;
      else if (k.field == "name")
        c = a.d->name.compare(b.d->name);
      else if (k.field == "title")
        c = a.d->title().compare(b.d->title());
      else if (k.field == "metadata_modified")
        c = a.d->modified() < b.d->modified() ? -1 : a.d->modified() > b.d->modified() ? 1 : 0;
      else if (k.field == "metadata_created")
        c = a.d->created() < b.d->created() ? -1 : a.d->created() > b.d->created() ? 1 : 0;
      if (c != 0) return k.desc ? c > 0 : c < 0;
    }
    return a.d->name < b.d->name;
  });
  SearchResult out;
  out.count = hits.size();
  for (size_t i = r.start; i < hits.size() && out.page.size() < r.rows; ++i) out.page.push_back(hits[i].d);
  for (const auto& f : r.facet_fields) {
    std::map<std::string, size_t> counts;
    for (const auto& h : hits)  // an organization is counted by its name only
      for (const auto& v : f == "organization" ? std::vector<std::string>{h.d->tenant_name} : field_values(*h.d, f))
        if (!v.empty()) ++counts[v];
    std::vector<std::pair<std::string, size_t>> items;
    for (auto& [v, n] : counts)
      if (n >= r.facet_mincount) items.emplace_back(v, n);
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (r.facet_limit >= 0 && items.size() > static_cast<size_t>(r.facet_limit))
      items.resize(static_cast<size_t>(r.facet_limit));
    out.facets[f] = std::move(items);
  }
  return out;
}

}  // namespace dejima::catalog
