// The in-memory NGSI-LD entity. Names and types are stored expanded (full IRIs); each attribute
// instance keeps its normalized JSON with sub-attribute names expanded ("internal form").
// Entities are immutable once published to readers: writers copy, modify and swap.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "model/name.h"
#include "util/time.h"

namespace dejima::model {

// The plain scalar value of a Property (or object of a Relationship), read off the internal JSON
// when the instance is published, so that q comparisons need not parse JSON. Kind::None means
// "not a plain scalar, or not extracted": evaluate from the JSON instead.
struct Scalar {
  double number = 0;
  std::uint16_t offset = 0, length = 0;  // String: json.substr(offset, length), no escapes
  enum class Kind : std::uint8_t { None, Number, String, Bool } kind = Kind::None;
  bool boolean = false;
};

struct AttrInstance {
  Name name;         // expanded attribute name
  Name dataset_id;   // empty = the default instance
  std::string json;  // {"type":"Property","value":...,"observedAt":...,<sub-attributes>}
  Millis created_at = 0;
  Millis modified_at = 0;
  Scalar scalar;  // see extract_scalars

  std::string_view scalar_text() const { return std::string_view(json).substr(scalar.offset, scalar.length); }
};

// The bodies an entity's cache keeps: each API's most common representation of it.
enum class CachedBody : unsigned char { NgsiLd, NgsiV2, NgsiV2KeyValues };

// A lazily filled, per-snapshot cache of the most common response bodies. Copying an entity
// (to modify it) starts with an empty cache.
class RenderCache {
 public:
  RenderCache() = default;
  RenderCache(const RenderCache&) {}
  RenderCache& operator=(const RenderCache&) {  // whoever assigns holds the entity alone: start afresh
    std::destroy_at(&slots_);
    std::construct_at(&slots_);
    return *this;
  }
  // The body `which`, made by `render()` the first time any reader asks for it.
  template <class Render>
  const std::string& get(CachedBody which, Render&& render) const {
    Slot& s = slots_[static_cast<size_t>(which)];
    std::call_once(s.once, [&] { s.body = render(); });
    return s.body;
  }

 private:
  struct Slot {
    std::once_flag once;
    std::string body;
  };
  mutable std::array<Slot, 3> slots_;
};

struct Entity {
  std::string id;
  std::vector<Name> types;  // expanded
  std::vector<std::string> scopes;
  Millis created_at = 0;
  Millis modified_at = 0;
  std::vector<AttrInstance> attrs;  // instances of one attribute are adjacent
  RenderCache cache;

  const AttrInstance* find(std::string_view name, std::string_view dataset_id) const;
  AttrInstance* find(std::string_view name, std::string_view dataset_id);
  bool has_attr(std::string_view name) const;
  bool has_type(std::string_view type) const;
  // Removes matching instances (all datasets when all_datasets); returns how many.
  size_t erase(std::string_view name, std::string_view dataset_id, bool all_datasets);
  // Inserts after the other instances of the same attribute, or at the end.
  void insert(AttrInstance inst);
};

// Fills every instance's `scalar` (call before an entity is published to readers).
void extract_scalars(Entity& e);

// "Property", "Relationship", "GeoProperty", ... of an instance.
std::string attribute_type(const AttrInstance& a);
// The member holding the value of an attribute of this type: "value", "object", "languageMap", ...
std::string_view value_key(std::string_view attribute_type);

}  // namespace dejima::model
