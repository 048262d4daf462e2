// The broker's @context store (clause 5.13): resolves Link URLs and inline contexts into active
// Contexts, fetches remote documents once, keeps them in memory and in the store, and serves the
// /jsonldContexts API's data.
#pragma once
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "jsonld/context.h"
#include "store/store.h"
#include "util/json.h"

namespace dejima::jsonld {

struct ContextInfo {
  store::StoredContext stored;
  Millis last_usage = 0;
  std::uint64_t hits = 0;
};

class Registry {
 public:
  Registry(store::Storage& storage, unsigned fetch_timeout_ms, std::size_t max_bytes);
  Status load();

  // The active context for a request whose @context came by Link header (empty = core only).
  Result<std::shared_ptr<const Context>> from_link(const std::string& url);
  // The active context for an inline "@context" member.
  Result<std::shared_ptr<const Context>> from_inline(const json::Value& context);

  // API side. `base_url` is how clients reach this broker, e.g. http://host:1026.
  Result<ContextInfo> add_hosted(const json::Value& document, const std::string& base_url);
  std::vector<ContextInfo> list(const std::string& kind_filter) const;
  std::optional<ContextInfo> find(const std::string& id_or_url) const;
  Status remove(const std::string& id_or_url);
  Status reload(const std::string& id_or_url);

 private:
  Status add_item(Context::Builder& b, const json::Value& item, int depth);
  // Returns the body of the document at `url`, fetching and caching it if needed.
  Result<std::string> document(const std::string& url);
  std::string find_id_locked(const std::string& id_or_url) const;
  void clear_active_locked() { active_.clear(); }

  store::Storage& storage_;
  unsigned fetch_timeout_ms_;
  std::size_t max_bytes_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, ContextInfo> docs_;                       // id -> document
  std::unordered_map<std::string, std::string> by_url_;                     // url -> id
  std::unordered_map<std::string, std::shared_ptr<const Context>> active_;  // cache key -> context
};

}  // namespace dejima::jsonld
