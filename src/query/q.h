// The NGSI-LD query language (clause 4.9): `q=speed>50;(brand=="A"|brand=="B")`.
// Parsed once per request into an expression tree with expanded attribute names, then evaluated
// against entities.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jsonld/context.h"
#include "model/entity.h"
#include "util/error.h"
#include "util/regex.h"
#include "util/time.h"

namespace dejima::query {

struct Literal {
  enum class Kind { Number, String, Bool, DateTime } kind = Kind::String;
  double number = 0;
  std::string text;  // String (quoted or an unquoted URI / Time / Date)
  bool boolean = false;
  Millis time = 0;  // DateTime; also set for a Date (midnight UTC)
};

enum class Op { Exists, Eq, Ne, Gt, Ge, Lt, Le, Match, NoMatch };

struct Term {
  std::string attr;               // expanded attribute name
  std::vector<std::string> path;  // after '.': expanded sub-attribute names, or members (observedAt, unitCode, ...)
  std::vector<std::string> keys;  // after '[': keys into the (JSON) value
  Op op = Op::Exists;
  std::vector<Literal> values;                       // Eq/Ne: one value or a value list; ordering ops: one
  std::optional<std::pair<Literal, Literal>> range;  // Eq/Ne with a..b
  std::shared_ptr<const Regex> regex;                // Match/NoMatch
};

struct Expr {
  enum class Kind { Term, And, Or } kind = Kind::Term;
  Term term;
  std::vector<Expr> children;
};

// Parses a q expression; errors are BadRequestData with the position of the problem.
Result<Expr> parse_q(std::string_view q, const jsonld::Context& ctx);

// True when the entity satisfies the expression. An attribute with several instances
// (datasetIds) matches when any instance does; an array value when any element does.
bool matches(const Expr& e, const model::Entity& entity);

// Attributes of which a matching entity must have at least one (every q term needs its
// attribute, != and !~= included).
std::vector<std::string> required_attributes(const Expr& e);

}  // namespace dejima::query
