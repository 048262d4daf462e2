// The small boolean language shared by `type` and `scopeQ` (clause 4.17, 4.19):
// atoms combined with ',' or '|' (or), ';' (and) and parentheses.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace dejima::query {

struct Names {
  enum class Kind { Atom, And, Or } kind = Kind::Atom;
  std::string atom;
  std::vector<Names> children;

  // Evaluates with `atom_true(atom)` for each atom.
  bool eval(const std::function<bool(const std::string&)>& atom_true) const;
  // The atoms when the expression is a plain alternative (A, A|B, A,B): indexes can serve it.
  bool alternatives(std::vector<std::string>& out) const;
  // Applies f to every atom (e.g. to expand type names).
  void for_each_atom(const std::function<void(std::string&)>& f);
};

// `what` names the parameter in error messages ("type", "scopeQ").
Result<Names> parse_names(std::string_view s, std::string_view what);

// scopeQ atoms: "/a/b" exactly, "/a/+" one level below /a, "/a/#" /a and everything below it.
Status check_scope_pattern(std::string_view pattern);
bool scope_matches(std::string_view pattern, std::string_view scope);

}  // namespace dejima::query
