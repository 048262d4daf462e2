#include "jsonld/context.h"

#include <functional>
#include <unordered_set>

#include "util/json.h"
#include "util/uri.h"

namespace dejima::jsonld {

extern const std::string_view kCoreContextText;

namespace {

bool looks_absolute(std::string_view s) {
  auto colon = s.find(':');
  return colon != std::string_view::npos && is_absolute_uri(s);
}

// Parses the embedded core context once.
std::unordered_map<std::string, TermDefinition> parse_core() {
  json::Document doc;
  json::parse_stored(doc, kCoreContextText);
  std::unordered_map<std::string, TermDefinition> out;
  const auto& ctx = doc["@context"];
  for (auto it = ctx.MemberBegin(); it != ctx.MemberEnd(); ++it) {
    std::string term(json::view(it->name));
    if (term.front() == '@') continue;
    if (it->value.IsString()) {
      out[term] = {std::string(json::view(it->value)), false};
    } else if (it->value.IsObject() && it->value.HasMember("@id")) {
      bool vocab =
          it->value.HasMember("@type") && it->value["@type"].IsString() && json::view(it->value["@type"]) == "@vocab";
      out[term] = {std::string(json::view(it->value["@id"])), vocab};
    }
  }
  return out;
}

const std::unordered_map<std::string, TermDefinition>& core_raw() {
  static const auto defs = parse_core();
  return defs;
}

}  // namespace

std::string_view core_context_text() { return kCoreContextText; }

// ngsi-ld-core-context.jsonld and its versions (-v1.3.jsonld ... -v1.9.1.jsonld); any other
// name under uri.etsi.org is fetched like any remote @context.
bool is_core_context_url(std::string_view url) {
  static constexpr std::string_view kPrefix = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context";
  if (!url.starts_with(kPrefix) || !url.ends_with(".jsonld")) return false;
  std::string_view version = url.substr(kPrefix.size(), url.size() - kPrefix.size() - 7);
  if (version.empty()) return true;
  if (!version.starts_with("-v") || version.size() < 3) return false;
  return version.substr(2).find_first_not_of("0123456789.") == std::string_view::npos;
}

void Context::Builder::define(std::string term, std::string raw_iri, bool vocab_values) {
  raw_[std::move(term)] = TermDefinition{std::move(raw_iri), vocab_values};
}

void Context::add_core_definitions(Builder& b) {
  for (const auto& [term, def] : core_raw()) b.define(term, def.iri, def.vocab_values);
}

std::shared_ptr<const Context> Context::Builder::build(std::string link_url, std::string inline_json) && {
  auto ctx = std::make_shared<Context>();
  // Resolve each raw IRI: compact IRIs through their prefix term, bare terms through other terms,
  // anything else through @vocab. A recursion guard stops definition cycles.
  std::unordered_set<std::string> resolving;
  std::function<std::string(const std::string&)> resolve = [&](const std::string& raw) -> std::string {
    if (raw.starts_with("@")) return raw;  // keywords like "@id", "@type"
    if (auto colon = raw.find(':'); colon != std::string::npos) {
      std::string prefix = raw.substr(0, colon);
      std::string_view suffix = std::string_view(raw).substr(colon + 1);
      if (!suffix.starts_with("//")) {
        auto it = raw_.find(prefix);
        if (it != raw_.end() && resolving.insert(prefix).second) {
          std::string base = resolve(it->second.iri);
          resolving.erase(prefix);
          return base + std::string(suffix);
        }
      }
      return raw;
    }
    auto it = raw_.find(raw);
    if (it != raw_.end() && it->second.iri != raw && resolving.insert(raw).second) {
      std::string r = resolve(it->second.iri);
      resolving.erase(raw);
      return r;
    }
    return vocab_.empty() ? std::string(kDefaultVocab) + raw : vocab_ + raw;
  };
  if (!vocab_.empty()) vocab_ = resolve(vocab_);
  ctx->vocab_ = vocab_.empty() ? std::string(kDefaultVocab) : vocab_;
  for (auto& [term, def] : raw_) {
    std::string iri = resolve(def.iri);
    if (iri.starts_with("@")) continue;  // "id": "@id" and friends are keywords, not terms
    ctx->terms_[term] = TermDefinition{iri, def.vocab_values};
  }
  for (const auto& [term, def] : ctx->terms_) {
    auto [it, inserted] = ctx->reverse_.emplace(def.iri, term);
    if (!inserted && (term.size() < it->second.size() || (term.size() == it->second.size() && term < it->second)))
      it->second = term;
    const char last = def.iri.empty() ? 0 : def.iri.back();
    if (last == '/' || last == '#' || last == ':') ctx->prefixes_.emplace_back(term, def.iri);
  }
  ctx->is_core_ = link_url.empty() && inline_json.empty();
  ctx->link_url_ = link_url.empty() ? std::string(kCoreContextUrl) : std::move(link_url);
  ctx->context_json_ = !inline_json.empty() ? std::move(inline_json) : "\"" + ctx->link_url_ + "\"";
  return ctx;
}

std::shared_ptr<const Context> Context::core() {
  static const std::shared_ptr<const Context> core = [] {
    Builder b;
    add_core_definitions(b);
    return std::move(b).build("", "");
  }();
  return core;
}

std::string Context::expand(std::string_view term) const {
  if (auto it = terms_.find(std::string(term)); it != terms_.end()) return it->second.iri;
  if (auto colon = term.find(':'); colon != std::string_view::npos) {
    std::string_view suffix = term.substr(colon + 1);
    if (!suffix.starts_with("//")) {
      auto it = terms_.find(std::string(term.substr(0, colon)));
      if (it != terms_.end()) return it->second.iri + std::string(suffix);
    }
    if (looks_absolute(term)) return std::string(term);
  }
  return vocab_ + std::string(term);
}

std::string Context::compact(std::string_view iri) const {
  if (auto it = reverse_.find(std::string(iri)); it != reverse_.end()) return it->second;
  if (iri.starts_with(vocab_) && iri.size() > vocab_.size()) {
    std::string_view rest = iri.substr(vocab_.size());
    // Only if the short name does not mean something else in this context.
    if (rest.find(':') == std::string_view::npos && !terms_.contains(std::string(rest))) return std::string(rest);
  }
  std::string best;
  for (const auto& [term, prefix] : prefixes_) {
    if (iri.size() > prefix.size() && iri.starts_with(prefix)) {
      std::string candidate = term + ":" + std::string(iri.substr(prefix.size()));
      if (best.empty() || candidate.size() < best.size()) best = std::move(candidate);
    }
  }
  return best.empty() ? std::string(iri) : best;
}

bool Context::has_vocab_values(std::string_view expanded_iri) const {
  auto it = reverse_.find(std::string(expanded_iri));
  if (it == reverse_.end()) return false;
  auto t = terms_.find(it->second);
  return t != terms_.end() && t->second.vocab_values;
}

}  // namespace dejima::jsonld
