#include "access/usage.h"

#include <cmath>
#include <ctime>

#include "access/gate.h"
#include "access/quotas.h"

namespace dejima::access {
namespace {

constexpr const char* kKind = "usage";

size_t bucket_of(std::chrono::microseconds latency) {
  const double us = std::max<double>(1.0, static_cast<double>(latency.count()));
  const auto b = static_cast<size_t>(std::floor(std::log2(us) * 4));
  return std::min(b, UsageCounts::kBuckets - 1);
}

// The local midnight that starts the day of t.
Millis local_day_start(Millis t) {
  const std::time_t s = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  localtime_r(&s, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return static_cast<Millis>(std::mktime(&tm)) * 1000;
}

bool valid_day(const std::string& day) {
  std::tm tm{};
  const char* end = day.size() == 10 ? strptime(day.c_str(), "%Y-%m-%d", &tm) : nullptr;
  return end && *end == '\0';
}

std::string record_key(const std::string& day, const std::string& tenant, const std::string& family,
                       const std::string& caller) {
  return day + "|" + tenant + "|" + family + "|" + caller;
}

std::string counts_json(const std::string& day, const std::string& tenant, const std::string& caller,
                        const std::string& family, const UsageCounts& c) {
  return json::written([&](json::Writer& w) {
    w.StartObject();
    w.Key("day");
    json::write_string(w, day);
    w.Key("tenant");
    json::write_string(w, tenant);
    w.Key("caller");
    json::write_string(w, caller);
    w.Key("family");
    json::write_string(w, family);
    w.Key("requests");
    w.Int64(c.requests);
    w.Key("errors");
    w.Int64(c.errors);
    w.Key("bytesOut");
    w.Int64(c.bytes_out);
    w.Key("latency");
    w.StartObject();
    for (size_t i = 0; i < c.latency.size(); ++i)
      if (c.latency[i]) {
        json::write_key(w, std::to_string(i));
        w.Int64(c.latency[i]);
      }
    w.EndObject();
    w.EndObject();
  });
}

long long int_member(const json::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

std::string text_member(const json::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString() ? std::string(json::view(it->value)) : std::string();
}

// A saved record's key members and counts; false for one that is not.
bool parse_counts(std::string_view body, std::string (&key)[4], UsageCounts& c) {
  json::Document doc;
  if (!json::parse_stored(doc, body).empty() || !doc.IsObject()) return false;
  key[0] = text_member(doc, "day");
  key[1] = text_member(doc, "tenant");
  key[2] = text_member(doc, "caller");
  key[3] = text_member(doc, "family");
  c.requests = int_member(doc, "requests");
  c.errors = int_member(doc, "errors");
  c.bytes_out = int_member(doc, "bytesOut");
  if (auto it = doc.FindMember("latency"); it != doc.MemberEnd() && it->value.IsObject())
    for (const auto& m : it->value.GetObject()) {
      const size_t i = std::strtoul(m.name.GetString(), nullptr, 10);
      if (i < UsageCounts::kBuckets && m.value.IsInt64()) c.latency[i] = m.value.GetInt64();
    }
  return true;
}

}  // namespace

std::string_view api_family(std::string_view path) {
  if (path.starts_with("/ngsi-ld/v1/temporal/")) return "temporal";
  if (path.starts_with("/ngsi-ld/v1/subscriptions")) return "subscriptions";
  if (path.starts_with("/ngsi-ld/v1/jsonldContexts")) return "contexts";
  if (path.starts_with("/ngsi-ld/")) return "ngsi-ld";
  if (path.starts_with("/dejima/")) return "management";
  return "other";
}

void UsageCounts::add(const UsageCounts& o) {
  requests += o.requests;
  errors += o.errors;
  bytes_out += o.bytes_out;
  for (size_t i = 0; i < kBuckets; ++i) latency[i] += o.latency[i];
}

double UsageCounts::percentile_ms(double fraction) const {
  long long total = 0;
  for (long long n : latency) total += n;
  if (total == 0) return 0;
  const auto rank = static_cast<long long>(std::ceil(fraction * static_cast<double>(total)));
  long long seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += latency[i];
    if (seen >= rank) return std::exp2(static_cast<double>(i + 1) / 4) / 1000.0;
  }
  return std::exp2(static_cast<double>(kBuckets) / 4) / 1000.0;
}

void UsageMeter::observe(const http::Request& req, const http::RouteInfo*, const http::Response& resp,
                         std::chrono::steady_clock::time_point received) {
  const auto latency =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - received);
  count(now_millis(), req.grant.tenant, req.grant.caller, api_family(req.path), resp.status, resp.body.size(), latency);
}

void UsageMeter::count(Millis now, const std::string& tenant, const std::string& caller, std::string_view family,
                       unsigned status, size_t bytes_out, std::chrono::microseconds latency) {
  std::lock_guard lock(mu_);
  if (now >= day_end_ || now < day_start_) {
    day_start_ = local_day_start(now);
    day_end_ = now + until_local_midnight(now);
    day_ = local_day(now);
  }
  auto [it, fresh] = counts_.try_emplace(Key{day_, tenant, caller, std::string(family)});
  UsageCounts& c = it->second;
  ++c.requests;
  if (status >= 400) ++c.errors;
  c.bytes_out += static_cast<long long>(bytes_out);
  ++c.latency[bucket_of(latency)];
  dirty_.insert(it->first);
}

Status UsageMeter::load(Millis now) {
  const std::string today = local_day(now);
  auto records = storage_.load_record_range(kKind, today, today + "~");
  if (!records) return std::unexpected(records.error());
  std::lock_guard lock(mu_);
  for (const auto& r : *records) {
    std::string k[4];
    UsageCounts c;
    if (parse_counts(r.body, k, c)) counts_[Key{k[0], k[1], k[2], k[3]}] = c;
  }
  return {};
}

Status UsageMeter::flush() {
  std::lock_guard flushing(flush_mu_);
  std::vector<store::StoredRecord> batch;
  std::set<Key> saving;
  {
    std::lock_guard lock(mu_);
    saving.swap(dirty_);
    for (const auto& k : saving) {
      const auto& [day, tenant, caller, family] = k;
      batch.push_back({record_key(day, tenant, family, caller), counts_json(day, tenant, caller, family, counts_[k])});
    }
    // Earlier days are done once saved: only today's counts stay in memory.
    for (auto it = counts_.begin(); it != counts_.end();)
      it = std::get<0>(it->first) != day_ && !saving.count(it->first) ? counts_.erase(it) : std::next(it);
  }
  auto s = storage_.save_records(kKind, batch);
  if (!s) {  // tried again at the next flush
    std::lock_guard lock(mu_);
    dirty_.insert(saving.begin(), saving.end());
  }
  return s;
}

void UsageMeter::start(std::chrono::milliseconds every) {
  flusher_.start(every, [this] { (void)flush(); });
}

void UsageMeter::stop() {
  flusher_.stop();
  (void)flush();  // when it was never started
}

Result<std::vector<UsageRow>> UsageMeter::query(const UsageQuery& q) {
  if (!valid_day(q.from_day) || !valid_day(q.to_day) || q.to_day < q.from_day)
    return fail(ErrorKind::BadRequestData, "Invalid days", "from and to are days (YYYY-MM-DD), from <= to");
  if (auto s = flush(); !s) return std::unexpected(s.error());
  auto records = storage_.load_record_range(kKind, q.from_day, q.to_day + "~");
  if (!records) return std::unexpected(records.error());
  std::map<Key, UsageCounts> rows;
  for (const auto& r : *records) {
    std::string k[4];
    UsageCounts c;
    if (!parse_counts(r.body, k, c)) continue;
    const auto& [day, tenant, caller, family] = k;
    if ((q.tenant && *q.tenant != tenant) || (q.key && *q.key != caller)) continue;
    auto pick = [&](const char* member, const std::string& v) { return q.group_by.count(member) ? v : std::string(); };
    const std::string shown_tenant = tenant.empty() ? std::string(kDefaultTenantAlias) : tenant;
    rows[Key{pick("day", day), pick("tenant", shown_tenant), pick("key", caller), pick("family", family)}].add(c);
  }
  std::vector<UsageRow> out;
  for (auto& [k, c] : rows) {
    const auto& [day, tenant, key, family] = k;
    out.push_back({day, tenant, key, family, c});
  }
  return out;
}

Result<std::map<std::string, long long>> UsageMeter::requests_by_tenant(const std::string& from_day,
                                                                        const std::string& to_day) {
  auto rows = query({.from_day = from_day, .to_day = to_day, .group_by = {"tenant"}});
  if (!rows) return std::unexpected(rows.error());
  std::map<std::string, long long> out;
  for (const auto& r : *rows) out[tenant_of_name(r.tenant)] += r.counts.requests;
  return out;
}

}  // namespace dejima::access
