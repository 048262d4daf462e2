#include "jsonld/registry.h"

#include <random>

#include <spdlog/spdlog.h>

#include "jsonld/fetch.h"

namespace dejima::jsonld {
namespace {

constexpr int kMaxDepth = 8;
constexpr size_t kMaxActive = 4096;

std::string new_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

Error invalid_context(std::string detail) {
  return Error{ErrorKind::BadRequestData, "Invalid @context", std::move(detail)};
}

}  // namespace

Registry::Registry(store::Storage& storage, unsigned fetch_timeout_ms, std::size_t max_bytes)
    : storage_(storage), fetch_timeout_ms_(fetch_timeout_ms), max_bytes_(max_bytes) {}

Status Registry::load() {
  auto stored = storage_.load_contexts();
  if (!stored) return std::unexpected(stored.error());
  std::lock_guard lock(mu_);
  for (auto& c : *stored) {
    const std::string id = c.id;
    by_url_[c.url] = id;
    docs_[id] = ContextInfo{std::move(c), 0, 0};
  }
  return {};
}

Result<std::shared_ptr<const Context>> Registry::from_link(const std::string& url) {
  if (url.empty() || is_core_context_url(url)) return Context::core();
  const std::string key = "L" + url;
  {
    std::lock_guard lock(mu_);
    if (auto it = active_.find(key); it != active_.end()) {
      if (auto id = by_url_.find(url); id != by_url_.end()) {
        auto& info = docs_[id->second];
        info.hits++;
        info.last_usage = now_millis();
      }
      return it->second;
    }
  }
  Context::Builder b;
  json::Value item(url.c_str(), static_cast<rapidjson::SizeType>(url.size()));
  if (auto s = add_item(b, item, 0); !s) return std::unexpected(s.error());
  Context::add_core_definitions(b);
  auto ctx = std::move(b).build(url, "");
  std::lock_guard lock(mu_);
  if (active_.size() >= kMaxActive) clear_active_locked();
  active_[key] = ctx;
  return ctx;
}

Result<std::shared_ptr<const Context>> Registry::from_inline(const json::Value& context) {
  std::string text = json::to_string(context);
  // A lone core URL is the core context.
  if (context.IsString() && is_core_context_url(json::view(context))) return Context::core();
  const std::string key = "I" + text;
  {
    std::lock_guard lock(mu_);
    if (auto it = active_.find(key); it != active_.end()) return it->second;
  }
  Context::Builder b;
  if (auto s = add_item(b, context, 0); !s) return std::unexpected(s.error());
  Context::add_core_definitions(b);
  // A single URL (alone, or in an array beside core URLs) is still a URL for the Link header of
  // later responses and notifications.
  std::string single;
  bool only_urls = true;
  int others = 0;
  auto note = [&](const json::Value& v) {
    if (!v.IsString()) return void(only_urls = false);
    if (is_core_context_url(json::view(v))) return;
    single = std::string(json::view(v));
    ++others;
  };
  if (context.IsArray())
    for (const auto& v : context.GetArray()) note(v);
  else
    note(context);
  auto ctx = only_urls && others == 1 ? std::move(b).build(single, "") : std::move(b).build("", text);
  std::lock_guard lock(mu_);
  if (active_.size() >= kMaxActive) clear_active_locked();
  active_[key] = ctx;
  return ctx;
}

Status Registry::add_item(Context::Builder& b, const json::Value& item, int depth) {
  if (depth > kMaxDepth) return std::unexpected(invalid_context("@context nesting deeper than 8 levels"));
  if (item.IsNull()) return {};
  if (item.IsString()) {
    std::string url(json::view(item));
    if (is_core_context_url(url)) return {};
    auto body = document(url);
    if (!body) return std::unexpected(body.error());
    json::Document doc;
    if (auto err = json::parse(doc, *body); !err.empty())
      return fail(ErrorKind::LdContextNotAvailable, "@context document is not JSON", url + ": " + err);
    if (!doc.IsObject() || !doc.HasMember("@context"))
      return fail(ErrorKind::LdContextNotAvailable, "@context document has no @context member", url);
    return add_item(b, doc["@context"], depth + 1);
  }
  if (item.IsArray()) {
    for (const auto& sub : item.GetArray())
      if (auto s = add_item(b, sub, depth + 1); !s) return s;
    return {};
  }
  if (!item.IsObject())
    return std::unexpected(invalid_context("an @context entry must be a URL string, an object or an array"));
  for (auto it = item.MemberBegin(); it != item.MemberEnd(); ++it) {
    std::string term(json::view(it->name));
    const auto& v = it->value;
    if (term == "@vocab") {
      if (v.IsString()) b.set_vocab(std::string(json::view(v)));
      continue;
    }
    if (term.starts_with("@")) continue;  // @version, @protected, @language, @base, @import...
    if (v.IsNull()) {
      b.remove(term);
    } else if (v.IsString()) {
      b.define(term, std::string(json::view(v)), false);
    } else if (v.IsObject()) {
      bool vocab = v.HasMember("@type") && v["@type"].IsString() && json::view(v["@type"]) == "@vocab";
      if (v.HasMember("@id") && v["@id"].IsString())
        b.define(term, std::string(json::view(v["@id"])), vocab);
      else if (v.HasMember("@id") && !v["@id"].IsNull())
        return std::unexpected(invalid_context("\"@id\" of term \"" + term + "\" must be a string"));
      else
        b.define(term, term, vocab);
    } else {
      return std::unexpected(invalid_context("definition of term \"" + term + "\" must be a string or an object"));
    }
  }
  return {};
}

Result<std::string> Registry::document(const std::string& url) {
  {
    std::lock_guard lock(mu_);
    if (auto id = by_url_.find(url); id != by_url_.end()) {
      auto& info = docs_[id->second];
      info.hits++;
      info.last_usage = now_millis();
      return info.stored.body;
    }
  }
  auto body = fetch_document(url, fetch_timeout_ms_, max_bytes_);
  if (!body) return body;
  json::Document check;
  if (auto err = json::parse(check, *body); !err.empty())
    return fail(ErrorKind::LdContextNotAvailable, "@context document is not JSON", url + ": " + err);
  store::StoredContext c{new_id(), url, "Cached", *body, now_millis()};
  if (auto s = storage_.save_context(c); !s) spdlog::warn("cannot persist @context {}: {}", url, s.error().detail);
  std::lock_guard lock(mu_);
  const std::string id = c.id;
  by_url_[url] = id;
  docs_[id] = ContextInfo{std::move(c), now_millis(), 1};
  return body;
}

Result<ContextInfo> Registry::add_hosted(const json::Value& document, const std::string& base_url) {
  if (!document.IsObject() || !document.HasMember("@context"))
    return std::unexpected(Error{ErrorKind::InvalidRequest, "Invalid @context document",
                                 "the body must be a JSON object with an \"@context\" member"});
  // Validate that the context is usable before storing it.
  Context::Builder b;
  if (auto s = add_item(b, document["@context"], 0); !s) return std::unexpected(s.error());
  std::string id = new_id();
  store::StoredContext c{id, base_url + "/ngsi-ld/v1/jsonldContexts/" + id, "Hosted", json::to_string(document),
                         now_millis()};
  if (auto s = storage_.save_context(c); !s) return std::unexpected(s.error());
  std::lock_guard lock(mu_);
  by_url_[c.url] = id;
  ContextInfo info{std::move(c), 0, 0};
  docs_[id] = info;
  return info;
}

std::vector<ContextInfo> Registry::list(const std::string& kind_filter) const {
  std::lock_guard lock(mu_);
  std::vector<ContextInfo> out;
  for (const auto& [id, info] : docs_)
    if (kind_filter.empty() || info.stored.kind == kind_filter) out.push_back(info);
  std::sort(out.begin(), out.end(), [](const ContextInfo& a, const ContextInfo& b) {
    return a.stored.created_at != b.stored.created_at ? a.stored.created_at < b.stored.created_at
                                                      : a.stored.id < b.stored.id;
  });
  return out;
}

std::string Registry::find_id_locked(const std::string& id_or_url) const {
  if (docs_.contains(id_or_url)) return id_or_url;
  if (auto it = by_url_.find(id_or_url); it != by_url_.end()) return it->second;
  return {};
}

std::optional<ContextInfo> Registry::find(const std::string& id_or_url) const {
  std::lock_guard lock(mu_);
  auto id = find_id_locked(id_or_url);
  if (id.empty()) return std::nullopt;
  return docs_.at(id);
}

Status Registry::remove(const std::string& id_or_url) {
  std::lock_guard lock(mu_);
  auto id = find_id_locked(id_or_url);
  if (id.empty()) return fail(ErrorKind::ResourceNotFound, "No such @context", id_or_url);
  if (auto s = storage_.delete_context(id); !s) return s;
  by_url_.erase(docs_[id].stored.url);
  docs_.erase(id);
  clear_active_locked();
  return {};
}

Status Registry::reload(const std::string& id_or_url) {
  std::string url;
  {
    std::lock_guard lock(mu_);
    auto id = find_id_locked(id_or_url);
    if (id.empty()) return fail(ErrorKind::ResourceNotFound, "No such @context", id_or_url);
    if (docs_[id].stored.kind != "Cached")
      return fail(ErrorKind::BadRequestData, "Only Cached @contexts can be reloaded", id_or_url);
    url = docs_[id].stored.url;
  }
  auto body = fetch_document(url, fetch_timeout_ms_, max_bytes_);
  if (!body) return std::unexpected(body.error());
  std::lock_guard lock(mu_);
  auto id = find_id_locked(url);
  if (id.empty()) return fail(ErrorKind::ResourceNotFound, "No such @context", id_or_url);
  auto& info = docs_[id];
  info.stored.body = std::move(*body);
  if (auto s = storage_.save_context(info.stored); !s) return s;
  clear_active_locked();
  return {};
}

}  // namespace dejima::jsonld
