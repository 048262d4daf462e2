#include "query/names.h"

#include <cctype>
#include <vector>

#include "query/infix.h"

namespace dejima::query {
namespace {

class Parser {
 public:
  Parser(std::string_view s, std::string_view what) : s_(s), what_(what) {}

  Result<Names> parse() {
    auto n = parse_or(0);
    if (n && pos_ != s_.size()) return error(std::string("unexpected '") + s_[pos_] + "'");
    return n;
  }

 private:
  std::unexpected<Error> error(const std::string& msg) const {
    return std::unexpected(
        Error{ErrorKind::BadRequestData, "Invalid " + std::string(what_), msg + " " + position_in(s_, pos_)});
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  Result<Names> parse_or(int depth) {
    return parse_chain<Names>(
        s_, pos_, Names::Kind::Or, [](char c) { return c == '|' || c == ','; }, [&] { return parse_and(depth); });
  }

  Result<Names> parse_and(int depth) {
    return parse_chain<Names>(
        s_, pos_, Names::Kind::And, [](char c) { return c == ';'; }, [&] { return parse_group(depth); });
  }

  Result<Names> parse_group(int depth) {
    if (peek() == '(') {
      if (depth > 32) return error("too deeply nested");
      ++pos_;
      auto n = parse_or(depth + 1);
      if (!n) return n;
      if (peek() != ')') return error("missing ')'");
      ++pos_;
      return n;
    }
    const size_t start = pos_;
    while (pos_ < s_.size() && peek() != ',' && peek() != '|' && peek() != ';' && peek() != '(' && peek() != ')') {
      const auto c = static_cast<unsigned char>(peek());
      if (std::isspace(c) || c < 0x20 || c == '"' || c == '\'' || c == '=' || c == '<' || c == '>')
        return error("invalid character");
      ++pos_;
    }
    if (pos_ == start) return error("name expected");
    Names atom;
    atom.atom = s_.substr(start, pos_ - start);
    return atom;
  }

  std::string_view s_, what_;
  size_t pos_ = 0;
};

}  // namespace

Result<Names> parse_names(std::string_view s, std::string_view what) {
  if (s.empty())
    return fail(ErrorKind::BadRequestData, "Invalid " + std::string(what), std::string(what) + " must not be empty");
  return Parser(s, what).parse();
}

bool Names::eval(const std::function<bool(const std::string&)>& atom_true) const {
  switch (kind) {
    case Kind::Atom: return atom_true(atom);
    case Kind::And:
      for (const auto& c : children)
        if (!c.eval(atom_true)) return false;
      return true;
    case Kind::Or:
      for (const auto& c : children)
        if (c.eval(atom_true)) return true;
      return false;
  }
  return false;
}

bool Names::alternatives(std::vector<std::string>& out) const {
  if (kind == Kind::Atom) {
    out.push_back(atom);
    return true;
  }
  if (kind == Kind::And) return false;
  for (const auto& c : children)
    if (!c.alternatives(out)) return false;
  return true;
}

void Names::for_each_atom(const std::function<void(std::string&)>& f) {
  if (kind == Kind::Atom) f(atom);
  for (auto& c : children) c.for_each_atom(f);
}

Status check_scope_pattern(std::string_view p) {
  auto bad = [&](const std::string& why) {
    return fail(ErrorKind::BadRequestData, "Invalid scopeQ", "'" + std::string(p) + "': " + why);
  };
  if (p.empty() || p[0] != '/') return bad("a scope starts with '/'");
  if (p == "/#") return {};
  size_t from = 1;
  while (from <= p.size()) {
    size_t slash = p.find('/', from);
    std::string_view seg = p.substr(from, slash == std::string_view::npos ? std::string_view::npos : slash - from);
    if (seg.empty()) return bad("empty segment");
    if (seg == "#" && slash != std::string_view::npos) return bad("'#' must be the last segment");
    if (seg != "+" && seg != "#" &&
        (seg.find('+') != std::string_view::npos || seg.find('#') != std::string_view::npos))
      return bad("'+' and '#' stand alone in a segment");
    if (slash == std::string_view::npos) break;
    from = slash + 1;
  }
  return {};
}

namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t from = 1;
  while (from <= path.size()) {
    size_t slash = path.find('/', from);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(from, slash - from));
    from = slash + 1;
  }
  return out;
}

}  // namespace

bool scope_matches(std::string_view pattern, std::string_view scope) {
  if (pattern.empty() || pattern[0] != '/' || scope.empty() || scope[0] != '/') return false;
  const auto p = segments(pattern), s = segments(scope);
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == "#") return i + 1 == p.size();  // this level and everything below
    if (i >= s.size() || (p[i] != "+" && p[i] != s[i])) return false;
  }
  return p.size() == s.size();
}

}  // namespace dejima::query
