// Why RapidJSON: parse + DOM access of one NGSI-LD entity, RapidJSON vs simdjson (On-Demand and
// DOM). Dejima needs a mutable DOM and a writer as well, which simdjson does not provide.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <rapidjson/document.h>

#include <fstream>
#include <sstream>
#include <string>

#include "util/json.h"

namespace {

std::string entity() {
  std::ifstream f(BENCH_ENTITY_FILE);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void RapidJsonParse(benchmark::State& state) {
  const std::string text = entity();
  for (auto _ : state) {
    rapidjson::Document d;
    d.Parse(text.data(), text.size());
    benchmark::DoNotOptimize(d["speed"]["value"].GetInt());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(RapidJsonParse);

// What a request body costs: json::parse checks UTF-8 (and the nesting depth); parse_stored,
// for documents Dejima wrote itself, does not check UTF-8.
void DejimaParseUntrusted(benchmark::State& state) {
  const std::string text = entity();
  for (auto _ : state) {
    dejima::json::LocalDocument<4096> d;
    benchmark::DoNotOptimize(dejima::json::parse(d.doc, text).empty());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(DejimaParseUntrusted);

void DejimaParseStored(benchmark::State& state) {
  const std::string text = entity();
  for (auto _ : state) {
    dejima::json::LocalDocument<4096> d;
    benchmark::DoNotOptimize(dejima::json::parse_stored(d.doc, text).empty());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(DejimaParseStored);

void SimdjsonOnDemand(benchmark::State& state) {
  const simdjson::padded_string text(entity());
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    auto doc = parser.iterate(text);
    benchmark::DoNotOptimize(int64_t(doc["speed"]["value"]));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(SimdjsonOnDemand);

void SimdjsonDom(benchmark::State& state) {
  const simdjson::padded_string text(entity());
  simdjson::dom::parser parser;
  for (auto _ : state) {
    auto doc = parser.parse(text);
    benchmark::DoNotOptimize(int64_t(doc["speed"]["value"]));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(SimdjsonDom);

}  // namespace
