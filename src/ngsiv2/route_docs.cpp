#include "ngsiv2/route_docs.h"

namespace dejima::ngsiv2 {

http::ApiDocs route_docs() {
  using M = http::Method;
  const std::string e = "/v2/entities", tag = "NGSIv2 (Orion)";
  const std::vector<std::string> list = {"id",     "type",    "idPattern", "typePattern", "q",
                                         "mq",     "georel",  "geometry",  "coords",      "limit",
                                         "offset", "orderBy", "options",   "attrs",       "metadata"};
  const std::vector<std::string> one = {"type", "attrs", "metadata", "options"};
  return {
      {
          {M::Get, "/statistics", "Orion's statistics (counters since the start)", tag, 200, "", "Any"},
          {M::Get, "/admin/log", "The log level (Orion's admin API)", tag, 200, "", "Any"},
          {M::Put, "/admin/log", "Set the log level", tag, 200, "", "", {"level"}},
          {M::Get, "/v2", "The API's entry points", tag, 200, "", "Any"},
          {M::Post, e, "Create an entity", tag, 201, "EntityV2", "", {"options"}},
          {M::Get, e + "/{id}", "Retrieve an entity", tag, 200, "", "EntityV2", one},
          {M::Delete, e + "/{id}", "Delete an entity", tag, 204, "", "", {"type"}},
          {M::Get, e + "/{id}/attrs", "Retrieve an entity's attributes", tag, 200, "", "EntityV2", one},
          {M::Post, e + "/{id}/attrs", "Update or append attributes", tag, 204, "EntityV2", "", {"type", "options"}},
          {M::Patch, e + "/{id}/attrs", "Update existing attributes", tag, 204, "EntityV2", "", {"type", "options"}},
          {M::Put, e + "/{id}/attrs", "Replace all attributes", tag, 204, "EntityV2", "", {"type", "options"}},
          {M::Get,
           e + "/{id}/attrs/{attr}",
           "Retrieve an attribute",
           tag,
           200,
           "",
           "AttributeV2",
           {"type", "metadata"}},
          {M::Put, e + "/{id}/attrs/{attr}", "Update an attribute", tag, 204, "AttributeV2", "", {"type", "options"}},
          {M::Delete, e + "/{id}/attrs/{attr}", "Delete an attribute", tag, 204, "", "", {"type"}},
          {M::Get, e + "/{id}/attrs/{attr}/value", "Retrieve an attribute's value", tag, 200, "", "Any", {"type"}},
          {M::Put, e + "/{id}/attrs/{attr}/value", "Update an attribute's value", tag, 204, "Any", "", {"type"}},
          {M::Get, e, "List entities", tag, 200, "", "EntityV2List", list},
          {M::Post,
           "/v2/op/query",
           "Query entities with a body",
           tag,
           200,
           "Any",
           "EntityV2List",
           {"limit", "offset", "orderBy", "options"}},
          {M::Get, "/v2/types", "List entity types", tag, 200, "", "Any", {"limit", "offset", "options"}},
          {M::Get, "/v2/types/{type}", "One entity type", tag, 200, "", "Any"},
          {M::Post,
           "/v2/op/update",
           "Batch update (append, appendStrict, update, delete, replace)",
           tag,
           204,
           "BatchUpdateV2",
           "",
           {"options"}},
          {M::Post, "/v2/op/notify", "Take a notification as updates", tag, 200, "Any", "", {"options"}},
          {M::Post, "/v2/subscriptions", "Create a subscription", tag, 201, "SubscriptionV2"},
          {M::Get, "/v2/subscriptions", "List subscriptions", tag, 200, "", "Any", {"limit", "offset", "options"}},
          {M::Get, "/v2/subscriptions/{id}", "One subscription", tag, 200, "", "SubscriptionV2"},
          {M::Patch, "/v2/subscriptions/{id}", "Update a subscription", tag, 204, "SubscriptionV2"},
          {M::Delete, "/v2/subscriptions/{id}", "Delete a subscription", tag, 204},
          {M::Post, "/v2/registrations", "Create a registration (context provider)", tag, 201, "RegistrationV2"},
          {M::Get, "/v2/registrations", "List registrations", tag, 200, "", "Any", {"limit", "offset", "options"}},
          {M::Get, "/v2/registrations/{id}", "One registration", tag, 200, "", "RegistrationV2"},
          {M::Delete, "/v2/registrations/{id}", "Delete a registration", tag, 204},
      },
      {
          {"EntityV2",
           R"json({"type":"object","description":"an NGSIv2 entity: id, type and attributes {type, value, metadata} (or keyValues)","properties":{"id":{"type":"string"},"type":{"type":"string"}},"additionalProperties":true})json"},
          {"EntityV2List", R"json({"type":"array","items":{"$ref":"#/components/schemas/EntityV2"}})json"},
          {"AttributeV2",
           R"json({"type":"object","properties":{"type":{"type":"string"},"value":{},"metadata":{"type":"object"}}})json"},
          {"BatchUpdateV2",
           R"json({"type":"object","properties":{"actionType":{"type":"string"},"entities":{"$ref":"#/components/schemas/EntityV2List"}},"required":["actionType","entities"]})json"},
          {"SubscriptionV2",
           R"json({"type":"object","description":"an Orion subscription","properties":{"description":{"type":"string"},"subject":{"type":"object"},"notification":{"type":"object"},"expires":{"type":"string"},"throttling":{"type":"integer"}},"additionalProperties":true})json"},
          {"RegistrationV2",
           R"json({"type":"object","description":"an Orion registration","properties":{"dataProvided":{"type":"object"},"provider":{"type":"object"}},"additionalProperties":true})json"},
      },
  };
}

}  // namespace dejima::ngsiv2
