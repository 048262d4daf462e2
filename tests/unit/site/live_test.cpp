// The live change stream: events in commit order for the tenant and types a client watches and
// may read, replay after a reconnect from the last id seen, a reset when that is gone or not
// ours, and clients dropped once their connection is.
#include <gtest/gtest.h>

#include "site/live.h"

using namespace dejima;

namespace {

struct FakeSink : http::StreamSink {
  bool write(std::string bytes) override {
    if (gone) return false;
    text += bytes;
    return true;
  }
  bool closed() const override { return gone; }
  std::string text;
  bool gone = false;
};

const std::string kVocab = "https://uri.etsi.org/ngsi-ld/default-context/";

broker::EntityPtr entity(const std::string& id, const std::string& type) {
  auto e = std::make_shared<model::Entity>();
  e->id = id;
  e->types = {model::Name(kVocab + type)};
  return e;
}

std::vector<broker::ChangeEvent> created(const std::string& id, const std::string& type) {
  return {{nullptr, entity(id, type)}};
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string last_id(const std::string& text) {
  const auto at = text.rfind("id: ");
  return text.substr(at + 4, text.find('\n', at) - at - 4);
}

TEST(LiveHub, SendsTheChangesAClientWatchesAndMayRead) {
  site::LiveHub hub;
  auto all = std::make_shared<FakeSink>();
  auto shelters = std::make_shared<FakeSink>();
  auto public_only = std::make_shared<FakeSink>();
  auto other_tenant = std::make_shared<FakeSink>();
  hub.attach(all, {}, "");
  hub.attach(shelters, {.types = {kVocab + "EvacuationSpace"}}, "");
  hub.attach(public_only, {.readable = std::vector<std::string>{kVocab + "EvacuationSpace"}}, "");
  hub.attach(other_tenant, {.tenant = "shimabara"}, "");
  EXPECT_EQ(hub.clients(), 4u);
  hub.publish("", created("urn:ngsi-ld:EvacuationSpace:1", "EvacuationSpace"));
  hub.publish("", created("urn:ngsi-ld:Secret:1", "Secret"));
  hub.publish("", {{entity("urn:ngsi-ld:EvacuationSpace:1", "EvacuationSpace"), nullptr}});

  EXPECT_TRUE(all->text.starts_with("retry: 2000\n\n")) << all->text;
  EXPECT_EQ(count(all->text, "event: change"), 3u);
  EXPECT_NE(all->text.find(R"("op":"create","id":"urn:ngsi-ld:Secret:1","type":"Secret")"), std::string::npos)
      << all->text;
  EXPECT_NE(all->text.find(R"("op":"delete","id":"urn:ngsi-ld:EvacuationSpace:1","type":"EvacuationSpace")"),
            std::string::npos)
      << all->text;
  EXPECT_EQ(count(shelters->text, "event: change"), 2u);
  EXPECT_EQ(count(public_only->text, "event: change"), 2u);
  EXPECT_EQ(public_only->text.find("Secret"), std::string::npos);
  EXPECT_EQ(count(other_tenant->text, "event: change"), 0u);
}

TEST(LiveHub, AReconnectGetsWhatItMissedOrAReset) {
  site::LiveHub hub(/*retained=*/3);
  auto first = std::make_shared<FakeSink>();
  hub.attach(first, {}, "");
  hub.publish("", created("urn:ngsi-ld:A:1", "A"));
  const std::string seen = last_id(first->text);
  first->gone = true;  // the connection dropped
  hub.publish("", created("urn:ngsi-ld:A:2", "A"));
  hub.publish("", created("urn:ngsi-ld:A:3", "A"));
  EXPECT_EQ(hub.clients(), 0u) << "a client whose connection is gone is dropped at the next event";

  auto again = std::make_shared<FakeSink>();
  hub.attach(again, {}, seen);
  EXPECT_EQ(count(again->text, "event: change"), 2u) << again->text;
  EXPECT_EQ(again->text.find("urn:ngsi-ld:A:1"), std::string::npos);
  EXPECT_NE(again->text.find("urn:ngsi-ld:A:3"), std::string::npos);
  hub.publish("", created("urn:ngsi-ld:A:4", "A"));
  EXPECT_NE(again->text.find("urn:ngsi-ld:A:4"), std::string::npos) << "then the new events";

  hub.publish("", created("urn:ngsi-ld:A:5", "A"));
  hub.publish("", created("urn:ngsi-ld:A:6", "A"));
  for (const std::string& stale : {seen, std::string("someone-else-12"), std::string("garbage")}) {
    auto late = std::make_shared<FakeSink>();
    hub.attach(late, {}, stale);
    EXPECT_NE(late->text.find("event: reset"), std::string::npos) << stale << ": " << late->text;
    EXPECT_EQ(count(late->text, "event: change"), 0u) << stale;
  }
}

}  // namespace
