#include "catalog/type_names.h"

#include <array>
#include <utility>

namespace dejima::catalog {

TypeName type_name(std::string_view short_type) {
  static constexpr std::array<std::pair<std::string_view, TypeName>, 9> kNames = {{
      {"EvacuationSpace", {"指定緊急避難場所一覧", "Designated emergency evacuation sites"}},
      {"EvacuationShelter", {"指定避難所一覧", "Designated evacuation shelters"}},
      {"TouristAttraction", {"観光施設一覧", "Tourist attractions"}},
      {"WeatherObserved", {"アメダス観測値", "AMeDAS observations"}},
      {"WeatherWarning", {"気象警報・注意報", "Weather warnings and advisories"}},
      {"GtfsAgency", {"公共交通事業者（GTFS-JP）", "Transit agencies (GTFS-JP)"}},
      {"GtfsRoute", {"公共交通の路線（GTFS-JP）", "Transit routes (GTFS-JP)"}},
      {"GtfsStop", {"バス停・乗り場（GTFS-JP）", "Stops and ports (GTFS-JP)"}},
      {"GtfsTrip", {"公共交通の便（GTFS-JP）", "Transit trips (GTFS-JP)"}},
  }};
  for (const auto& [type, names] : kNames)
    if (type == short_type) return names;
  return {};
}

}  // namespace dejima::catalog
