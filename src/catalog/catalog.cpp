#include "catalog/catalog.h"

#include <algorithm>
#include <cstdint>
#include <tuple>

#include <spdlog/spdlog.h>

#include "catalog/type_names.h"
#include "jsonld/context.h"

namespace dejima::catalog {
namespace {

constexpr std::string_view kKind = "dataset";

std::string key_of(const std::string& tenant, const std::string& type) { return tenant + "\n" + type; }

std::string slug(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool upper = c >= 'A' && c <= 'Z';
    // camelCase words apart: "EvacuationShelter" -> "evacuation-shelter"
    if (upper && !out.empty() && out.back() != '-' && i > 0 && std::islower(static_cast<unsigned char>(s[i - 1])))
      out += '-';
    if (std::isalnum(c) && c < 0x80)
      out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// How often a schedule runs, in the frequency vocabulary: the gap between two runs after a
// fixed moment.
std::string frequency_of(const connect::Schedule& s) {
  if (s.empty()) return "irregular";
  const Millis t0 = 1767225600000;  // 2026-01-01T00:00:00Z
  const Millis a = s.next(t0), b = a ? s.next(a) : 0;
  if (!a || !b) return "irregular";
  const Millis gap = b - a, hour = 3600000, day = 24 * hour;
  return gap < hour        ? "continuous"
         : gap < day       ? "hourly"
         : gap < 7 * day   ? "daily"
         : gap < 28 * day  ? "weekly"
         : gap < 90 * day  ? "monthly"
         : gap < 365 * day ? "quarterly"
                           : "annual";
}

// The credit and licence lines of a connector's newest finished run.
std::vector<std::string> credits_of(const connect::Connectors& c, const std::string& name) {
  std::vector<std::string> out;
  auto runs = c.runs(name);
  if (!runs) return out;
  for (const auto& text : *runs) {
    json::Document doc;
    if (!json::parse_stored(doc, text).empty()) continue;
    const json::Value* status = json::member(doc, "status");
    if (status && status->IsString() && json::view(*status) == "running") continue;
    if (const json::Value* notes = json::member(doc, "notes"); notes && notes->IsArray())
      for (const auto& n : notes->GetArray()) {
        if (!n.IsString()) continue;
        std::string_view line = json::view(n);
        // a harvest names the resource first: "package/resource: credit: …"
        if (const size_t at = line.find("credit: "); at != std::string_view::npos)
          out.emplace_back(line.substr(at + 8));
        else if (const size_t l = line.find("licence: "); l != std::string_view::npos)
          out.emplace_back(line.substr(l));
      }
    break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

bool grant_reads(const http::Grant& g, const std::string& type) {
  if (g.all_types) return true;
  const auto core = jsonld::Context::core();
  return std::any_of(g.types.begin(), g.types.end(), [&](const std::string& t) { return core->expand(t) == type; });
}

namespace {

// What a connector's source may show of itself in a public catalog: an http(s) URL's scheme, host
// and path (no user information or query, which may hold a key); nothing of a file on the server.
std::string public_source(const std::string& source) {
  if (!source.starts_with("http://") && !source.starts_with("https://")) return {};
  const size_t host = source.find("//") + 2;
  std::string out = source.substr(0, source.find_first_of("?#"));
  const size_t at = out.find('@', host);
  const size_t slash = out.find('/', host);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) out.erase(host, at + 1 - host);
  return out;
}

// FNV-1a: a hash that is the same on every build, for names that must not change.
std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

}  // namespace

std::string tenant_name(const std::string& tenant) {
  return tenant.empty() ? std::string(access::kDefaultTenantAlias) : tenant;
}
std::string tenant_of(const std::string& name) { return name == access::kDefaultTenantAlias ? std::string() : name; }

std::string dataset_name(const std::string& tenant_name, const std::string& short_type) {
  std::string type = slug(
      short_type.substr(short_type.find_last_of("/#:") == std::string::npos ? 0 : short_type.find_last_of("/#:") + 1));
  if (type.empty()) type = "type";
  std::string name = slug(tenant_name) + "-" + type;
  if (short_type.find_first_of("/#:") != std::string::npos)  // an IRI: its own name beside the vocabulary's
    name += "-" + std::to_string(fnv1a(short_type) % 100000);
  return name.substr(0, 100);
}

std::string Dataset::title() const {
  if (!meta.title_ja.empty()) return meta.title_ja;
  if (!meta.title_en.empty()) return meta.title_en;
  const std::string who = publisher.name_ja.empty() ? tenant_name : publisher.name_ja;
  const TypeName known = type_name(short_type);
  return std::string(known.ja.empty() ? std::string_view(short_type) : known.ja) + "（" + who + "）";
}

std::string Dataset::title_en() const {
  if (!meta.title_en.empty()) return meta.title_en;
  const TypeName known = type_name(short_type);
  if (known.en.empty() || !meta.title_ja.empty()) return "";
  return std::string(known.en) + " (" + (publisher.name_en.empty() ? tenant_name : publisher.name_en) + ")";
}

std::string Dataset::frequency() const {
  if (!meta.frequency.empty()) return meta.frequency;
  // the most frequent of the connectors' schedules
  const auto& order = frequencies();
  size_t best = order.size();
  for (const auto& s : sources) {
    const size_t i = static_cast<size_t>(std::find(order.begin(), order.end(), s.frequency) - order.begin());
    best = std::min(best, i);
  }
  return best < order.size() ? order[best] : "irregular";
}

Millis Dataset::created() const { return meta.created_at ? meta.created_at : data_modified; }
Millis Dataset::modified() const { return std::max(meta.modified_at, data_modified); }

std::vector<std::string> Catalog::credits(const std::string& connector) const {
  const Millis now = now_millis();
  {
    std::lock_guard lock(mu_);
    if (auto it = credits_.find(connector); it != credits_.end() && now - it->second.first < kCreditsTtlMs)
      return it->second.second;
  }
  auto lines = credits_of(connectors_, connector);
  std::lock_guard lock(mu_);
  credits_[connector] = {now, lines};
  return lines;
}

std::map<std::string, Millis> Catalog::history_starts(broker::Tenant& t, const std::string& tenant,
                                                      const std::map<std::string, broker::TypeInfo>& types) const {
  const Millis now = now_millis();
  {
    std::lock_guard lock(mu_);
    auto it = starts_.find(tenant);
    // Read again when old, or when a type has appeared since (its start would be missing).
    if (it != starts_.end() && now - it->second.first < kCoverageTtlMs &&
        std::all_of(types.begin(), types.end(), [&](const auto& ty) { return it->second.second.contains(ty.first); }))
      return it->second.second;
  }
  std::map<std::string, Millis> starts;
  for (const auto& ty : types) starts[ty.first] = 0;  // known to have no history unless found below
  if (auto entities = t.history().history_entities(); entities) {
    for (const auto& e : *entities)
      for (const auto& type : e.types) {
        Millis& s = starts[type];
        s = s ? std::min(s, e.created_at) : e.created_at;
      }
  } else {  // not kept: the next request reads again
    spdlog::warn("data catalog: the history of tenant '{}' is not readable: {}", tenant, entities.error().detail);
    return starts;
  }
  std::lock_guard lock(mu_);
  starts_[tenant] = {now, starts};
  return starts;
}

Status Catalog::load() {
  auto records = storage_.load_records(std::string(kKind));
  if (!records) return std::unexpected(records.error());
  std::lock_guard lock(mu_);
  for (const auto& r : *records) {
    auto m = stored_metadata(r.body);
    if (!m) return std::unexpected(m.error());
    meta_[r.key] = std::move(*m);
  }
  return {};
}

std::vector<Dataset> Catalog::datasets(const http::Request& req, const std::string* only_tenant) const {
  const auto core = jsonld::Context::core();
  std::vector<Dataset> out;
  // The connectors' sources, by (tenant, expanded type).
  std::map<std::pair<std::string, std::string>, std::vector<Dataset::Source>> sources;
  std::vector<std::string> names = only_tenant ? std::vector<std::string>{*only_tenant} : tenants_.names();
  for (const auto& d : connectors_.list()) {
    if (only_tenant && d.tenant != *only_tenant) continue;
    Dataset::Source s{d.name, public_source(d.source), d.schedule.text(), frequency_of(d.schedule), credits(d.name)};
    for (const auto& scope : connect::scopes(d)) sources[{d.tenant, core->expand(scope.type)}].push_back(s);
  }
  for (const auto& tenant : names) {
    auto t = tenants_.find(tenant);
    if (!t) continue;
    const http::Grant grant = readable_(req, tenant);
    const http::Grant anybody = readable_(http::Request{}, tenant);  // what a request without credentials reads
    const auto record = directory_.tenant(tenant);
    const auto types = (*t)->types(false);
    const auto starts = history_starts(**t, tenant, types);
    for (const auto& [type, info] : types) {
      if (!grant_reads(grant, type)) continue;
      Dataset d;
      d.tenant = tenant;
      d.tenant_name = tenant_name(tenant);
      d.type = type;
      d.short_type = core->compact(type);
      d.name = dataset_name(d.tenant_name, d.short_type);
      d.is_public = grant_reads(anybody, type);
      d.entities = info.entity_count;
      d.data_modified = (*t)->stamp(type).modified;
      if (auto s = starts.find(type); s != starts.end() && s->second) {
        d.temporal_start = s->second;
        d.temporal_end = std::max(s->second, d.data_modified);
      }
      if (record) d.publisher = *record;
      d.publisher.name = d.tenant_name;
      if (auto it = sources.find({tenant, type}); it != sources.end()) d.sources = it->second;
      {
        std::lock_guard lock(mu_);
        if (auto m = meta_.find(key_of(tenant, type)); m != meta_.end()) d.meta = m->second;
      }
      out.push_back(std::move(d));
    }
  }
  std::sort(out.begin(), out.end(), [](const Dataset& a, const Dataset& b) {
    return a.name != b.name ? a.name < b.name : std::tie(a.tenant, a.type) < std::tie(b.tenant, b.type);
  });
  // Two (tenant, type) pairs that give one name (tenant a-b with type c, tenant a with type bC):
  // the later one's name tells them apart.
  // (Sorted by name, the ones that share a name are neighbours.)
  std::string previous;
  for (size_t i = 0; i < out.size(); ++i) {
    const bool taken = i > 0 && out[i].name == previous;
    previous = out[i].name;
    if (taken) out[i].name += "-" + std::to_string(fnv1a(out[i].tenant + "\n" + out[i].type) % 100000);
  }
  return out;
}

std::vector<Dataset> Catalog::list(const http::Request& req) const { return datasets(req, nullptr); }

Result<Dataset> Catalog::find(const http::Request& req, const std::string& name) const {
  // The name starts with the tenant's: only the tenants whose slug is a prefix are listed.
  for (auto& d : datasets(req, nullptr))
    if (d.name == name) return std::move(d);
  return fail(ErrorKind::ResourceNotFound, "Dataset not found", name);
}

Result<Dataset> Catalog::find(const http::Request& req, const std::string& tenant_name_,
                              const std::string& type) const {
  const std::string tenant = tenant_of(tenant_name_);
  const std::string expanded = jsonld::Context::core()->expand(type);
  for (auto& d : datasets(req, &tenant))
    if (d.type == expanded) return std::move(d);
  return fail(ErrorKind::ResourceNotFound, "Dataset not found",
              "no entity of type " + type + " that the caller may read in " + tenant_name_);
}

Result<Dataset> Catalog::update(const http::Request& req, const std::string& tenant_name_, const std::string& type,
                                const json::Value& body) {
  auto d = find(req, tenant_name_, type);
  if (!d) return d;
  const std::string key = key_of(d->tenant, d->type);
  std::lock_guard lock(mu_);
  Metadata m = meta_.contains(key) ? meta_[key] : Metadata{};
  if (auto s = apply_metadata(body, m); !s) return std::unexpected(s.error());
  const Millis now = now_millis();
  if (!m.created_at) m.created_at = now;
  m.modified_at = now;
  const std::string stored = json::written([&](json::Writer& w) {
    w.StartObject();
    write_metadata(w, m);
    w.EndObject();
  });
  if (auto s = storage_.save_record(std::string(kKind), {key, stored}); !s) return std::unexpected(s.error());
  meta_[key] = m;
  d->meta = std::move(m);
  return d;
}

}  // namespace dejima::catalog
