// R-tree over the bounding boxes of every GeoProperty instance of a tenant's entities, per
// property name (boost::geometry::index). A geo-query asks it for the ids whose boxes meet the
// query's search box; the exact predicate is then evaluated on those candidates only.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/entity.h"
#include "query/geo.h"

namespace dejima::broker {

class GeoIndex {
 public:
  GeoIndex();
  ~GeoIndex();
  // Replaces what `before` contributed with what `after` contributes (either may be null).
  // `id` must stay valid while the entry exists (a view of the tenant's id key).
  void update(std::string_view id, const model::Entity* before, const model::Entity* after);
  struct Candidate {
    std::string_view id;
    query::GeoBox box;
    bool is_point() const { return box.min_lon == box.max_lon && box.min_lat == box.max_lat; }
  };
  // Entries (unordered; an id repeats per instance) whose `property` box intersects `box`; false
  // when the property has no index (no entity has it).
  bool candidates(const std::string& property, const query::GeoBox& box, std::vector<Candidate>& out) const;

 private:
  struct Trees;
  std::unique_ptr<Trees> trees_;
};

}  // namespace dejima::broker
