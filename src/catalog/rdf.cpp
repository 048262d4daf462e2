#include "catalog/rdf.h"

#include <map>

#include "util/json.h"

namespace dejima::catalog {
namespace {

constexpr std::string_view kRdfType = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

// A Turtle string literal: quoted, with \, ", and line ends escaped.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

// An IRI in Turtle: <...> with the characters IRIREF forbids percent-encoded.
std::string iri_ref(std::string_view iri) {
  std::string out = "<";
  for (unsigned char c : iri) {
    if (c <= 0x20 || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' || c == '^' || c == '`' ||
        c == '\\') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + ">";
}

std::string key_of(const Node& n) { return (n.kind == Node::Kind::Blank ? "_:" : "") + n.value; }

}  // namespace

std::string Graph::expand(std::string_view prefixed) const {
  if (prefixed == "a") return std::string(kRdfType);
  const size_t colon = prefixed.find(':');
  for (const auto& p : prefixes_)
    if (prefixed.substr(0, colon) == p.name) return p.iri + std::string(prefixed.substr(colon + 1));
  return std::string(prefixed);
}

void Graph::add(const Node& subject, std::string_view predicate, Node object) {
  triples_.push_back({subject, expand(predicate), std::move(object)});
}

Node Graph::iri(std::string_view prefixed) const { return Node::iri(expand(prefixed)); }

Node Graph::blank() { return Node::blank("b" + std::to_string(++blanks_)); }

std::string Graph::turtle() const {
  std::string out;
  for (const auto& p : prefixes_) out += "@prefix " + p.name + ": " + iri_ref(p.iri) + " .\n";
  auto term = [](const Node& n) {
    if (n.kind == Node::Kind::Iri) return iri_ref(n.value);
    if (n.kind == Node::Kind::Blank) return "_:" + n.value;
    std::string t = quoted(n.value);
    if (!n.lang.empty()) return t + "@" + n.lang;
    if (!n.datatype.empty()) return t + "^^" + iri_ref(n.datatype);
    return t;
  };
  // Subjects in the order first seen, each with its predicates.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Triple*>> by_subject;
  for (const auto& t : triples_) {
    auto& list = by_subject[key_of(t.s)];
    if (list.empty()) order.push_back(key_of(t.s));
    list.push_back(&t);
  }
  for (const auto& k : order) {
    const auto& list = by_subject[k];
    out += "\n" + term(list.front()->s);
    for (size_t i = 0; i < list.size(); ++i)
      out += (i ? " ;\n    " : "\n    ") + iri_ref(list[i]->p) + " " + term(list[i]->o);
    out += " .\n";
  }
  return out;
}

std::string Graph::jsonld() const {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Triple*>> by_subject;
  for (const auto& t : triples_) {
    auto& list = by_subject[key_of(t.s)];
    if (list.empty()) order.push_back(key_of(t.s));
    list.push_back(&t);
  }
  return json::written([&](json::Writer& w) {
    w.StartObject();
    w.Key("@context");
    w.StartObject();
    for (const auto& p : prefixes_) {
      json::write_key(w, p.name);
      json::write_string(w, p.iri);
    }
    w.EndObject();
    w.Key("@graph");
    w.StartArray();
    for (const auto& k : order) {
      w.StartObject();
      w.Key("@id");
      json::write_string(w, k);
      // predicates in order first seen, their objects as arrays
      std::vector<std::string> preds;
      std::map<std::string, std::vector<const Node*>> objects;
      for (const Triple* t : by_subject[k]) {
        auto& objs = objects[t->p];
        if (objs.empty()) preds.push_back(t->p);
        objs.push_back(&t->o);
      }
      for (const auto& p : preds) {
        const bool type = p == kRdfType;
        json::write_key(w, type ? "@type" : p);
        w.StartArray();
        for (const Node* o : objects[p]) {
          if (type) {
            json::write_string(w, o->value);
            continue;
          }
          w.StartObject();
          if (o->kind == Node::Kind::Literal) {
            w.Key("@value");
            json::write_string(w, o->value);
            if (!o->lang.empty()) {
              w.Key("@language");
              json::write_string(w, o->lang);
            } else if (!o->datatype.empty()) {
              w.Key("@type");
              json::write_string(w, o->datatype);
            }
          } else {
            w.Key("@id");
            json::write_string(w, key_of(*o));
          }
          w.EndObject();
        }
        w.EndArray();
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

}  // namespace dejima::catalog
