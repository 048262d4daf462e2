// libFuzzer target for one connector format (DEJIMA_FUZZ_FORMAT: csv, geojson, amedas, jmaxml,
// gtfs, ckan), built by the `fuzz` preset and run for a bounded time by scripts/fuzz.sh. Every
// input must convert or fail with BadRequestData; every entity a format emits must be JSON the
// broker accepts or refuses with a 400; anything else (a crash, a sanitizer report) is a finding.
// The run is cancelled from the start: formats that fetch the sources an input names (the
// telegrams of a JMA Atom feed, a CKAN catalog's pages and resources) stop before fetching, so
// the fuzzer never reads arbitrary files or URLs; everything before that is exercised.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "connect/format.h"
#include "jsonld/context.h"
#include "model/parse.h"
#include "util/json.h"

using namespace dejima;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

struct CheckingSink final : connect::Sink {
  void entity(std::string text) override {
    json::Document d;
    check(json::parse(d, text).empty());
    auto p = model::parse_entity(d, *jsonld::Context::core(), model::ParseMode::Create);
    check(p || p.error().kind == ErrorKind::BadRequestData);
  }
  void reject(connect::Rejection r) override { check(!r.reason.empty()); }
  void note(std::string) override {}
  void progress(size_t done, size_t total) override { check(done <= total); }
  void incomplete(std::string reason) override { check(!reason.empty()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view format = DEJIMA_FUZZ_FORMAT;
  static const std::atomic<bool> cancelled{true};
  static const connect::Options options{.type = "Place",
                                        .params = {{"stationTable", DEJIMA_SHARED_DATA "/jma/amedas/amedastable.json"},
                                                   {"areaTable", DEJIMA_SHARED_DATA "/jma/amedas/area.json"},
                                                   {"feed", "f"}},
                                        .source = "/nonexistent/map/20210224150000.json",
                                        .cancel = &cancelled};
  CheckingSink sink;
  auto s = connect::find_format(format)->convert(input, options, sink);
  check(s || s.error().kind == ErrorKind::BadRequestData);
  return 0;
}
