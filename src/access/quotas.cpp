#include "access/quotas.h"

#include <cmath>
#include <ctime>

namespace dejima::access {
namespace {

constexpr const char* kKind = "quota";

std::string count_key(const std::string& key_id, Millis now) { return key_id + "/" + local_day(now); }

}  // namespace

std::string local_day(Millis t) {
  const std::time_t s = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  localtime_r(&s, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

Millis until_local_midnight(Millis t) {
  const std::time_t s = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  localtime_r(&s, &tm);
  tm.tm_hour = 24;  // mktime normalises: the next midnight
  tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return static_cast<Millis>(std::mktime(&tm)) * 1000 - t;
}

Status Quotas::load(Millis now) {
  auto records = storage_.load_records(kKind);
  if (!records) return std::unexpected(records.error());
  const std::string today = "/" + local_day(now);
  std::lock_guard lock(mu_);
  for (const auto& r : *records) {
    if (!r.key.ends_with(today)) {
      if (auto s = storage_.delete_record(kKind, r.key); !s) return s;  // an earlier day's count
      continue;
    }
    counts_[r.key] = std::atoll(r.body.c_str());
  }
  return {};
}

unsigned Quotas::admit(const KeyRecord& key, const ServiceRecord& service, Millis now) {
  const RateLimit& rl = service.rate_limit;
  if (rl.per_second <= 0 && service.daily_quota <= 0) return 0;
  std::lock_guard lock(mu_);
  Bucket* bucket = nullptr;
  if (rl.per_second > 0) {
    const double burst = std::max(1.0, static_cast<double>(rl.burst));
    auto [it, fresh] = buckets_.try_emplace(key.id, Bucket{burst, now});
    bucket = &it->second;
    bucket->tokens = std::min(burst, bucket->tokens + (now - bucket->at) / 1000.0 * rl.per_second);
    bucket->at = now;
    if (bucket->tokens < 1) return static_cast<unsigned>(std::ceil((1 - bucket->tokens) / rl.per_second));
  }
  if (service.daily_quota > 0) {
    const std::string k = count_key(key.id, now);
    long long& n = counts_[k];
    if (n >= service.daily_quota) return static_cast<unsigned>((until_local_midnight(now) + 999) / 1000);
    dirty_[k] = ++n;
  }
  if (bucket) bucket->tokens -= 1;
  return 0;
}

long long Quotas::used_today(const std::string& key_id, Millis now) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(count_key(key_id, now));
  return it == counts_.end() ? 0 : it->second;
}

Status Quotas::flush() {
  std::map<std::string, long long> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(dirty_);
  }
  for (const auto& [k, n] : batch)
    if (auto s = storage_.save_record(kKind, {k, std::to_string(n)}); !s) {
      std::lock_guard lock(mu_);
      for (const auto& [k2, n2] : batch) dirty_.try_emplace(k2, n2);  // tried again at the next flush
      return s;
    }
  return {};
}

void Quotas::start(std::chrono::milliseconds every) {
  // A failed write is kept and tried again at the next flush; at stop, the count of the last
  // seconds may be lost.
  flusher_.start(every, [this] { (void)flush(); });
}

void Quotas::stop() {
  flusher_.stop();
  (void)flush();  // when it was never started
}

}  // namespace dejima::access
