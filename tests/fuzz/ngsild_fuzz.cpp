// libFuzzer target for the NGSI-LD and NGSIv2 request parsers that take untrusted text: the first
// byte of the input picks the parser (q, type/scopeQ expressions, geoQ coordinates, pick/omit
// projections, orderBy, entity bodies; NGSIv2's q/mq, georel/geometry/coords and entity bodies,
// rendered back in every format; subscription and registration bodies), the rest is its input. Each must give a value
// or a 400 (BadRequestData, or InvalidRequest for a body that is not an object), never crash. Entity bodies are also
// read as stored entity documents (a damaged data file): a value or an InternalError.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "jsonld/context.h"
#include "model/codec.h"
#include "model/mutate.h"
#include "model/parse.h"
#include "ngsild/order_by.h"
#include "ngsild/projection.h"
#include "ngsiv2/entity.h"
#include "ngsiv2/geo_query.h"
#include "ngsiv2/notification.h"
#include "ngsiv2/registration.h"
#include "ngsiv2/simple_query.h"
#include "ngsiv2/subscription.h"
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
  switch (static_cast<uint8_t>(data[0] - '0') % 11) {  // the seeds start with a digit (or ':', 10)
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
    case 6: {  // NGSIv2 q (odd length) or mq, then the NGSI-LD q it becomes
      ngsiv2::SimpleQuery q;
      auto st = ngsiv2::translate_query(text, text.size() % 2 == 0, q);
      check(st);
      if (st && !q.q.empty()) check(query::parse_q(q.q, ctx));
      break;
    }
    case 7: {  // georel, geometry, coords separated by newlines
      const size_t a = text.find('\n'), b = a == std::string_view::npos ? a : text.find('\n', a + 1);
      if (b == std::string_view::npos) return -1;
      const std::string georel(text.substr(0, a)), geometry(text.substr(a + 1, b - a - 1)), coords(text.substr(b + 1));
      check(ngsiv2::geo_test(&georel, &geometry, &coords));
      break;
    }
    case 8: {  // an NGSIv2 entity body (keyValues when the text's length is odd), its update operators
               // applied when creating it and then again to it, rendered back
      json::Document doc;
      if (!json::parse(doc, text).empty()) return 0;
      ngsiv2::AttrOps ops;
      auto p = ngsiv2::parse_entity(doc, ngsiv2::BodyKind::Entity, text.size() % 2 == 1, "/", &ops);
      if (!p && p.error().kind != ErrorKind::BadRequestData && p.error().kind != ErrorKind::PayloadTooLarge)
        std::abort();
      if (!p) return 0;
      model::ParsedEntity again = *p;
      if (auto st = ngsiv2::resolve_operators(*p, ops, nullptr, ngsiv2::OpMode::Create);
          !st && st.error().kind != ErrorKind::BadRequestData)
        std::abort();  // a created attribute never meets a stored value the database refuses
      model::Entity e = model::new_entity(std::move(*p), 0);
      if (auto st = ngsiv2::resolve_operators(again, ops, &e, ngsiv2::OpMode::Update); !st) {
        if (st.error().kind != ErrorKind::BadRequestData && st.error().kind != ErrorKind::InternalError) std::abort();
      } else {
        (void)model::append_attrs(e, std::move(again), false, 1);  // nothing is refused without noOverwrite
      }
      for (auto f : {ngsiv2::Format::Normalized, ngsiv2::Format::KeyValues, ngsiv2::Format::Unique})
        (void)json::written([&](json::Writer& w) { ngsiv2::write_entity(w, e, ngsiv2::View{.format = f}); });
      break;
    }
    case 10: {  // an NGSIv2 registration body: parsed, built, rendered, restored as it was
      json::Document doc;
      if (!json::parse(doc, text).empty()) return 0;
      auto spec = ngsiv2::parse_registration(doc);
      if (!spec) {
        if (spec.error().kind != ErrorKind::BadRequestData && spec.error().kind != ErrorKind::OperationNotSupported)
          std::abort();
        return 0;
      }
      static const ngsiv2::RegistrationFlavor flavor;
      auto r = ngsiv2::build_registration(std::make_shared<ngsiv2::RegSpec>(std::move(*spec)), "t",
                                          ngsiv2::new_object_id(), flavor);
      json::Document stored;
      if (!json::parse(stored, flavor.stored(*r)).empty()) std::abort();
      auto back = flavor.restore(stored);
      if (!back || ngsiv2::render_registration(**back, false).size() != ngsiv2::render_registration(*r, false).size())
        std::abort();
      break;
    }
    case 9: {  // an NGSIv2 subscription body: parsed, built, rendered, restored, and a notification built
      json::Document doc;
      if (!json::parse(doc, text).empty()) return 0;
      auto spec = std::make_shared<ngsiv2::Spec>();
      if (auto st = ngsiv2::parse_spec(doc, *spec, text.size() % 2 == 1); !st) {
        if (st.error().kind != ErrorKind::BadRequestData && st.error().kind != ErrorKind::OperationNotSupported)
          std::abort();
        return 0;
      }
      static const ngsiv2::SubscriptionFlavor flavor;
      auto sub = ngsiv2::build_subscription(spec, "t", ngsiv2::new_object_id(), flavor);
      if (!sub) return 0;
      (void)ngsiv2::render_subscription(**sub, *spec, 0, false);
      json::Document stored;
      const bool created = text.size() % 2 == 0;  // a creation's document is restored as it was
      if (!json::parse(stored, flavor.stored(**sub)).empty() || (created && !flavor.restore(stored, 0))) std::abort();
      auto e = std::make_shared<model::Entity>();
      e->id = "E1";
      e->types = {jsonld::Context::core()->expand("T")};
      (void)flavor.messages(**sub, subscription::Item{e, nullptr, false, nullptr}, subscription::Diff{}, 0, 0);
      break;
    }
    case 5: {
      if (auto stored = model::decode(text); !stored && stored.error().kind != ErrorKind::InternalError) std::abort();
      json::Document doc;
      if (!json::parse(doc, text).empty()) return 0;
      check(model::parse_entity(doc, ctx, model::ParseMode::Create));
      break;
    }
    default: break;
  }
  return 0;
}
