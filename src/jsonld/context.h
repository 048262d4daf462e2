// NGSI-LD's JSON-LD subset: an active @context (term -> IRI) with expansion and compaction.
// Contexts are immutable once built and shared between requests.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dejima::jsonld {

inline constexpr std::string_view kCoreContextUrl = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld";
inline constexpr std::string_view kDefaultVocab = "https://uri.etsi.org/ngsi-ld/default-context/";
inline constexpr std::string_view kNgsiLdPrefix = "https://uri.etsi.org/ngsi-ld/";

// The core context document compiled into the binary.
std::string_view core_context_text();

// True for every URL under which ETSI publishes a version of the core context.
bool is_core_context_url(std::string_view url);

struct TermDefinition {
  std::string iri;
  bool vocab_values = false;  // "@type": "@vocab": string values are terms too (VocabProperty)
};

class Context {
 public:
  // Term definitions gathered from context documents, in processing order (later wins).
  class Builder {
   public:
    // Adds the definitions of one JSON-LD context object (already parsed into raw pairs).
    // `raw` maps term -> either an IRI/term/compact-IRI string or an "@id" string.
    void define(std::string term, std::string raw_iri, bool vocab_values);
    void set_vocab(std::string raw_vocab) { vocab_ = std::move(raw_vocab); }
    void remove(const std::string& term) { raw_.erase(term); }
    std::shared_ptr<const Context> build(std::string link_url, std::string inline_json) &&;

   private:
    std::unordered_map<std::string, TermDefinition> raw_;
    std::string vocab_;
  };

  // Expands a term (attribute name, entity type). Absolute IRIs and compact IRIs are resolved.
  std::string expand(std::string_view term) const;
  // Compacts an IRI to the shortest term, compact IRI or vocab-relative name available.
  std::string compact(std::string_view iri) const;
  // True when the term is defined with "@type": "@vocab".
  bool has_vocab_values(std::string_view expanded_iri) const;

  // The URL to send in a Link header (the request's own URL, or the core context URL).
  const std::string& link_url() const { return link_url_; }
  // The JSON to put under "@context" in an application/ld+json response.
  const std::string& context_json() const { return context_json_; }
  // True when this is the plain core context (enables cached responses).
  bool is_core() const { return is_core_; }

  // The built-in core context.
  static std::shared_ptr<const Context> core();
  // Adds the core context's own definitions to a builder (it is applied after user contexts).
  static void add_core_definitions(Builder& b);

 private:
  std::unordered_map<std::string, TermDefinition> terms_;      // term -> resolved definition
  std::unordered_map<std::string, std::string> reverse_;       // IRI -> best term
  std::vector<std::pair<std::string, std::string>> prefixes_;  // term -> IRI usable as prefix
  std::string vocab_;
  std::string link_url_;
  std::string context_json_;
  bool is_core_ = false;
};

}  // namespace dejima::jsonld
