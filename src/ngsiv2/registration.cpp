#include "ngsiv2/registration.h"

#include "ngsiv2/attribute.h"
#include "ngsiv2/request_context.h"

namespace dejima::ngsiv2 {
namespace {

constexpr size_t kMaxDescription = 1024;

std::unexpected<Error> not_implemented(std::string text) {
  return std::unexpected(Error{ErrorKind::OperationNotSupported, "NotImplemented", std::move(text)});
}

Status parse_data_provided(const json::Value& v, RegSpec& spec) {
  if (!v.IsObject()) return bad("/dataProvided/ must be a JSON object");
  if (v.ObjectEmpty()) return bad("/dataProvided/ is empty");
  if (const auto* entities = json::member(v, "entities"))
    if (auto st = parse_entities(*entities, spec.entities); !st) return st;
  for (const EntitySpec& e : spec.entities) {
    if (!e.id_pattern.empty() && e.id_pattern != ".*") return not_implemented("Unsupported idPattern");
    if (!e.type_pattern.empty()) return not_implemented("typePattern is not supported");
  }
  if (const auto* attrs = json::member(v, "attrs")) return string_vector(*attrs, "attrs", spec.attrs);
  return {};
}

Status parse_provider(const json::Value& v, RegSpec& spec) {
  if (!v.IsObject()) return bad("/provider/ must be a JSON object");
  if (v.ObjectEmpty()) return bad("/provider/ empty");
  const auto* http = json::member(v, "http");
  if (!http) return bad("/provider/ must contain a field /http/");
  if (!http->IsObject()) return bad("/http/ must be a JSON object");
  const auto* url = json::member(*http, "url");
  if (!url) return bad("/http/ must contain a field /url/");
  if (!url->IsString()) return bad("/url/ field of /http/ must be a JSON string");
  spec.url = std::string(json::view(*url));
  if (spec.url.empty()) return bad("/url/ field of /http/ cannot be the empty string");
  if (!valid_url(spec.url)) return bad("/url/ field of /http/ is invalid");
  if (const auto* mode = json::member(v, "supportedForwardingMode")) {
    if (!mode->IsString()) return bad("/supportedForwardingMode/ must be a JSON string");
    spec.mode = std::string(json::view(*mode));
    if (spec.mode != "all" && spec.mode != "none" && spec.mode != "query" && spec.mode != "update")
      return bad("invalid value of /supportedForwardingMode/");
  }
  if (const auto* legacy = json::member(v, "legacyForwarding")) {
    if (!legacy->IsBool()) return bad("the field /legacyForwarding/ must be a boolean");
    if (legacy->GetBool()) return not_implemented("legacyForwarding: NGSIv1 forwarding is not served by Dejima");
  }
  return {};
}

void write_strings(json::Writer& w, const std::vector<std::string>& v) {
  w.StartArray();
  for (const auto& s : v) json::write_string(w, s);
  w.EndArray();
}

}  // namespace

Result<RegSpec> parse_registration(const json::Value& body) {
  if (!body.IsObject()) return bad("not a JSON object");
  if (body.ObjectEmpty()) return bad("empty payload");
  RegSpec spec;
  bool given = false;
  if (const auto* d = json::member(body, "description")) {
    if (!d->IsString()) return bad("invalid description");
    spec.description = std::string(json::view(*d));
    if (spec.description.size() > kMaxDescription) return bad("max description length exceeded");
    if (forbidden(spec.description)) return bad("forbidden characters in description");
  }
  const auto* data = json::member(body, "dataProvided");
  if (!data) return bad("the field /dataProvided/ is missing in payload");
  if (auto st = parse_data_provided(*data, spec); !st) return std::unexpected(st.error());
  const auto* provider = json::member(body, "provider");
  if (!provider) return bad("the field /provider/ is missing in payload");
  if (auto st = parse_provider(*provider, spec); !st) return std::unexpected(st.error());
  std::string expires;
  if (auto st = opt_string(body, "expires", "", expires, given); !st) return std::unexpected(st.error());
  if (!expires.empty()) {
    auto t = orion_date(expires);
    if (!t) return bad("the field /expires/ has an invalid format");
    spec.expires = *t - ((*t % 1000) + 1000) % 1000;  // whole seconds, as Orion keeps them
  }
  if (const auto* status = json::member(body, "status")) {
    if (!status->IsString()) return bad("/status/ must be a string");
    spec.status = std::string(json::view(*status));
    if (spec.status != "active" && spec.status != "inactive") return bad("invalid value for /status/");
  }
  return spec;
}

std::shared_ptr<federation::Registration> build_registration(std::shared_ptr<const RegSpec> spec, std::string tenant,
                                                             std::string id, const RegistrationFlavor& flavor) {
  auto r = std::make_shared<federation::Registration>();
  r->tenant = std::move(tenant);
  r->id = std::move(id);
  r->flavor = &flavor;
  for (const EntitySpec& e : spec->entities) {
    federation::EntityInfo info{.id = e.id, .id_pattern = e.id_pattern, .types = {}};
    if (!e.type.empty()) info.types.push_back(expanded_name(e.type));
    r->entities.push_back(std::move(info));
  }
  for (const auto& a : spec->attrs) r->attrs.push_back(expanded_name(a));
  r->endpoint = spec->url;
  r->scope = spec->service_path;
  r->ops = 0;
  if (spec->mode == "all" || spec->mode == "query") r->ops |= federation::kQuery;
  if (spec->mode == "all" || spec->mode == "update") r->ops |= federation::kUpdate;
  r->expires = spec->expires;
  r->active = spec->status == "active";
  r->ext = std::move(spec);
  return r;
}

const RegSpec& spec_of(const federation::Registration& r) { return static_cast<const RegSpec&>(*r.ext); }

namespace {

// forwardingInformation (the NGSIv2 specification's, which Orion leaves out): once the provider
// has been asked, how often and when it last answered or failed.
void write_forwarding(json::Writer& w, const federation::SourceState& st) {
  std::lock_guard lock(st.mu);
  if (!st.times_sent) return;
  w.Key("forwardingInformation");
  w.StartObject();
  w.Key("timesSent");
  w.Uint64(st.times_sent);
  for (auto [key, t] : {std::pair{"lastForwarding", st.last_forwarding}, std::pair{"lastSuccess", st.last_success},
                        std::pair{"lastFailure", st.last_failure}})
    if (t) {
      w.Key(key);
      json::write_string(w, format_iso8601(t));
    }
  w.EndObject();
}

}  // namespace

std::string render_registration(const federation::Registration& r, bool stored) {
  const RegSpec& spec = spec_of(r);
  return json::written([&](json::Writer& w) {
    w.StartObject();
    if (stored) {
      w.Key("@flavor");
      json::write_string(w, r.flavor->name());
      w.Key("servicePath");
      json::write_string(w, spec.service_path);
    }
    w.Key("id");
    json::write_string(w, r.id);
    if (!spec.description.empty()) {
      w.Key("description");
      json::write_string(w, spec.description);
    }
    if (spec.expires) {
      w.Key("expires");
      json::write_string(w, format_iso8601(spec.expires));
    }
    w.Key("dataProvided");
    w.StartObject();
    w.Key("entities");
    w.StartArray();
    for (const EntitySpec& e : spec.entities) {
      w.StartObject();
      w.Key(e.id.empty() ? "idPattern" : "id");
      json::write_string(w, e.id.empty() ? e.id_pattern : e.id);
      if (!e.type.empty()) {
        w.Key("type");
        json::write_string(w, e.type);
      }
      w.EndObject();
    }
    w.EndArray();
    w.Key("attrs");
    write_strings(w, spec.attrs);
    w.EndObject();
    w.Key("provider");
    w.StartObject();
    w.Key("http");
    w.StartObject();
    w.Key("url");
    json::write_string(w, spec.url);
    w.EndObject();
    w.Key("supportedForwardingMode");
    json::write_string(w, spec.mode);
    w.Key("legacyForwarding");
    w.Bool(false);
    w.EndObject();
    w.Key("status");
    json::write_string(w, spec.status);
    if (!stored) write_forwarding(w, *r.state);
    w.EndObject();
  });
}

Result<std::shared_ptr<federation::Registration>> RegistrationFlavor::restore(const json::Value& stored) const {
  auto spec = parse_registration(stored);
  if (!spec) return std::unexpected(spec.error());
  if (const auto* path = json::member(stored, "servicePath"); path && path->IsString())
    spec->service_path = std::string(json::view(*path));
  const auto* id = json::member(stored, "id");
  if (!id || !id->IsString()) return fail(ErrorKind::BadRequestData, "stored registration", "no id");
  return build_registration(std::make_shared<RegSpec>(std::move(*spec)), "", std::string(json::view(*id)), *this);
}

std::string RegistrationFlavor::stored(const federation::Registration& r) const { return render_registration(r, true); }

}  // namespace dejima::ngsiv2
