// A small RDF graph (triples of IRIs, blank nodes and literals) and its two serializations, for
// the DCAT catalog: Turtle and JSON-LD (a flattened @graph with the prefixes as its @context).
// Both are written from the same triples, so they say the same thing.
#pragma once
#include <string>
#include <vector>

namespace dejima::catalog {

struct Node {
  enum class Kind { Iri, Blank, Literal } kind = Kind::Iri;
  std::string value;     // the IRI, the blank node's label, the literal's text
  std::string lang;      // a literal's language tag
  std::string datatype;  // a literal's datatype IRI ("" = a plain string)

  static Node iri(std::string v) { return {Kind::Iri, std::move(v), "", ""}; }
  static Node blank(std::string label) { return {Kind::Blank, std::move(label), "", ""}; }
  static Node text(std::string v, std::string lang = "") { return {Kind::Literal, std::move(v), std::move(lang), ""}; }
  static Node typed(std::string v, std::string datatype) {
    return {Kind::Literal, std::move(v), "", std::move(datatype)};
  }
};

struct Prefix {
  std::string name, iri;  // "dcat", "http://www.w3.org/ns/dcat#"
};

class Graph {
 public:
  explicit Graph(std::vector<Prefix> prefixes) : prefixes_(std::move(prefixes)) {}
  // `predicate` is a prefixed name ("dcat:dataset") or "a" for rdf:type.
  void add(const Node& subject, std::string_view predicate, Node object);
  Node blank();                               // a fresh blank node
  Node iri(std::string_view prefixed) const;  // "dcat:Dataset" -> its IRI node

  std::string turtle() const;
  std::string jsonld() const;

 private:
  std::string expand(std::string_view prefixed) const;
  std::vector<Prefix> prefixes_;
  struct Triple {
    Node s;
    std::string p;  // full IRI
    Node o;
  };
  std::vector<Triple> triples_;
  size_t blanks_ = 0;
};

}  // namespace dejima::catalog
