#include "model/name.h"

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <unordered_set>

namespace dejima::model {
namespace {

struct Hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Pool {
  std::shared_mutex mu;
  // Strings never move once inserted into a node-based set; they are never freed.
  std::unordered_set<std::string, Hash, std::equal_to<>> names;
};

Pool& pool() {
  static Pool* p = new Pool();  // intentionally immortal: names outlive every entity
  return *p;
}

}  // namespace

const std::string& Name::empty_string() {
  static const std::string e;
  return e;
}

const std::string* Name::intern(std::string_view s) {
  if (s.empty()) return &empty_string();
  Pool& p = pool();
  {
    std::shared_lock lock(p.mu);
    if (auto it = p.names.find(s); it != p.names.end()) return &*it;
  }
  std::unique_lock lock(p.mu);
  return &*p.names.emplace(s).first;
}

}  // namespace dejima::model
