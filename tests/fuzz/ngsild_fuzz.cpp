// libFuzzer target for the NGSI-LD request parsers that take untrusted text: the first byte of
// the input picks the parser (q, type/scopeQ expressions, geoQ coordinates, pick/omit
// projections, orderBy, entity bodies), the rest is its input. Each must give a value or a 400
// (BadRequestData, or InvalidRequest for a body that is not an object), never crash. Entity
// bodies are also read as stored entity documents (a damaged data file): a value or an
// InternalError.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "jsonld/context.h"
#include "model/codec.h"
#include "model/parse.h"
#include "ngsild/order_by.h"
#include "ngsild/projection.h"
#include "query/geo.h"
#include "query/names.h"
#include "query/q.h"
#include "util/json.h"

using namespace dejima;

namespace {

template <class R>
void check(const R& r) {
  if (!r && r.error().kind != ErrorKind::BadRequestData && r.error().kind != ErrorKind::InvalidRequest) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto& ctx = *jsonld::Context::core();
  switch (data[0] % 6) {
    case 0: check(query::parse_q(text, ctx)); break;
    case 1: check(query::parse_names(text, "type")); break;
    case 2: {  // georel, then geometry, then coordinates, separated by newlines
      const size_t a = text.find('\n'), b = a == std::string_view::npos ? a : text.find('\n', a + 1);
      if (b == std::string_view::npos) return -1;
      check(query::GeoQuery::parse(text.substr(0, a), text.substr(a + 1, b - a - 1), text.substr(b + 1),
                                   "https://uri.etsi.org/ngsi-ld/location"));
      break;
    }
    case 3: check(ngsild::parse_projection(text)); break;
    case 4: check(ngsild::parse_order_by(text, ctx)); break;
    default: {
      if (auto stored = model::decode(text); !stored && stored.error().kind != ErrorKind::InternalError) std::abort();
      json::Document doc;
      if (!json::parse(doc, text).empty()) return 0;
      check(model::parse_entity(doc, ctx, model::ParseMode::Create));
      break;
    }
  }
  return 0;
}
