// Parser of the q language. Grammar (clause 4.9, `;` binds tighter than `|`):
//   or    := and ('|' and)*
//   and   := group (';' group)*
//   group := '(' or ')' | term
//   term  := attribute [op value]
//   attribute := name ('.' name)* ('[' key ']')*
//   value := quoted | number | true | false | DateTime | Date | Time | URI, or for == and !=
//            value (',' value)+ | value '..' value
#include <cctype>
#include <charconv>
#include <cmath>
#include <regex>

#include "query/infix.h"
#include "query/q.h"

namespace dejima::query {
namespace {

bool is_member(std::string_view s) {
  return s == "observedAt" || s == "unitCode" || s == "datasetId" || s == "createdAt" || s == "modifiedAt" ||
         s == "lang" || s == "instanceId";
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

Expr leaf(Term t) {
  Expr e;
  e.term = std::move(t);
  return e;
}

class Parser {
 public:
  Parser(std::string_view q, const jsonld::Context& ctx) : q_(q), ctx_(ctx) {}

  Result<Expr> parse() {
    if (q_.empty()) return error("empty expression");
    auto e = parse_or(0);
    if (!e) return e;
    if (pos_ != q_.size()) return error(std::string("unexpected '") + q_[pos_] + "'");
    return e;
  }

 private:
  Error fail_at(const std::string& what) const {
    return Error{ErrorKind::BadRequestData, "Invalid q", what + " " + position_in(q_, pos_)};
  }
  std::unexpected<Error> error(const std::string& what) const { return std::unexpected(fail_at(what)); }
  bool at_end() const { return pos_ >= q_.size(); }
  char peek() const { return at_end() ? '\0' : q_[pos_]; }
  bool starts(std::string_view s) const { return q_.substr(pos_, s.size()) == s; }

  Result<Expr> parse_or(int depth) {
    return parse_chain<Expr>(
        q_, pos_, Expr::Kind::Or, [](char c) { return c == '|'; }, [&] { return parse_and(depth); });
  }

  Result<Expr> parse_and(int depth) {
    return parse_chain<Expr>(
        q_, pos_, Expr::Kind::And, [](char c) { return c == ';'; }, [&] { return parse_group(depth); });
  }

  Result<Expr> parse_group(int depth) {
    if (peek() != '(') return parse_term();
    if (depth > 32) return error("too deeply nested");
    ++pos_;
    auto e = parse_or(depth + 1);
    if (!e) return e;
    if (peek() != ')') return error("missing ')'");
    ++pos_;
    return e;
  }

  static bool name_char(char c) {
    return c != '=' && c != '!' && c != '<' && c != '>' && c != '~' && c != ';' && c != '|' && c != '(' && c != ')' &&
           c != '[' && c != ']' && c != '"' && c != '\'' && c != ',' && !std::isspace(static_cast<unsigned char>(c)) &&
           static_cast<unsigned char>(c) >= 0x20;
  }

  Result<Expr> parse_term() {
    Term t;
    const size_t start = pos_;
    while (!at_end() && name_char(peek())) ++pos_;
    std::string_view attr = q_.substr(start, pos_ - start);
    if (attr.empty()) return error("attribute name expected");
    std::vector<std::string_view> parts;
    if (attr.find("://") != std::string_view::npos) {
      parts.push_back(attr);  // an absolute IRI: dots belong to it
    } else {
      size_t from = 0;
      for (size_t dot; (dot = attr.find('.', from)) != std::string_view::npos; from = dot + 1)
        parts.push_back(attr.substr(from, dot - from));
      parts.push_back(attr.substr(from));
    }
    for (auto p : parts)
      if (p.empty()) return error("empty attribute name in '" + std::string(attr) + "'");
    t.attr = ctx_.expand(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i)
      t.path.push_back(is_member(parts[i]) ? std::string(parts[i]) : ctx_.expand(parts[i]));
    while (peek() == '[') {
      size_t close = q_.find(']', pos_);
      if (close == std::string_view::npos || close == pos_ + 1) return error("bad '[key]'");
      t.keys.emplace_back(q_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
    }
    if (at_end() || peek() == ';' || peek() == '|' || peek() == ')') return leaf(std::move(t));

    static constexpr std::pair<std::string_view, Op> kOps[] = {{"==", Op::Eq}, {"!=", Op::Ne},       {">=", Op::Ge},
                                                               {"<=", Op::Le}, {"!~=", Op::NoMatch}, {"~=", Op::Match},
                                                               {">", Op::Gt},  {"<", Op::Lt}};
    bool found = false;
    for (const auto& [text, op] : kOps)
      if (starts(text)) {
        t.op = op;
        pos_ += text.size();
        found = true;
        break;
      }
    if (!found) return error("operator expected (==, !=, >, >=, <, <=, ~=, !~=)");

    if (t.op == Op::Match || t.op == Op::NoMatch) {
      auto pattern = parse_pattern();
      if (!pattern) return std::unexpected(pattern.error());
      auto re = Regex::compile(*pattern);
      if (!re) return error("invalid pattern: " + re.error().detail);
      t.regex = std::move(*re);
      return leaf(std::move(t));
    }
    auto v = parse_value();
    if (!v) return std::unexpected(v.error());
    const bool equality = t.op == Op::Eq || t.op == Op::Ne;
    if (starts("..")) {
      if (!equality) return error("a range needs == or !=");
      pos_ += 2;
      auto hi = parse_value();
      if (!hi) return std::unexpected(hi.error());
      if (hi->kind != v->kind || v->kind == Literal::Kind::Bool)
        return error("range bounds must be two numbers, strings or dates");
      t.range = std::make_pair(std::move(*v), std::move(*hi));
      return leaf(std::move(t));
    }
    t.values.push_back(std::move(*v));
    while (peek() == ',') {
      if (!equality) return error("a value list needs == or !=");
      ++pos_;
      auto next = parse_value();
      if (!next) return std::unexpected(next.error());
      t.values.push_back(std::move(*next));
    }
    return leaf(std::move(t));
  }

  // A pattern runs to the end of the term: quoted, or up to ';' or an unbalanced ')'.
  Result<std::string> parse_pattern() {
    if (peek() == '"') return parse_quoted();
    const size_t start = pos_;
    int depth = 0;
    while (!at_end() && peek() != ';') {
      if (peek() == '(') ++depth;
      if (peek() == ')' && depth-- == 0) break;
      ++pos_;
    }
    if (pos_ == start) return std::unexpected(fail_at("pattern expected"));
    return std::string(q_.substr(start, pos_ - start));
  }

  Result<std::string> parse_quoted() {
    ++pos_;  // opening quote
    std::string out;
    while (!at_end() && peek() != '"') {
      if (peek() == '\\' && pos_ + 1 < q_.size()) ++pos_;
      out += q_[pos_++];
    }
    if (at_end()) return std::unexpected(fail_at("unterminated string"));
    ++pos_;
    return out;
  }

  Result<Literal> parse_value() {
    Literal l;
    if (peek() == '"' || peek() == '\'') {
      if (peek() == '\'') return std::unexpected(fail_at("strings are quoted with \""));
      auto s = parse_quoted();
      if (!s) return std::unexpected(s.error());
      l.text = std::move(*s);
      return l;
    }
    const size_t start = pos_;
    while (!at_end() && peek() != ',' && peek() != ';' && peek() != '|' && peek() != ')' && !starts("..")) ++pos_;
    std::string_view tok = q_.substr(start, pos_ - start);
    if (tok.empty()) return std::unexpected(fail_at("value expected"));
    if (tok == "true" || tok == "false") {
      l.kind = Literal::Kind::Bool;
      l.boolean = tok == "true";
      return l;
    }
    static const std::regex number(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
    static const std::regex date(R"([0-9]{4}-[0-9]{2}-[0-9]{2})");
    if (tok.size() < 40 && std::regex_match(tok.begin(), tok.end(), number)) {
      l.kind = Literal::Kind::Number;
      const auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), l.number);
      if (ec != std::errc() || !std::isfinite(l.number))  // 1e999 (found by fuzz_ngsild)
        return std::unexpected(fail_at("number '" + std::string(tok) + "' is out of range"));
      return l;
    }
    if (tok.size() >= 10 && is_digit(tok[0]) && tok[4] == '-') {
      std::optional<Millis> t;
      if (tok.size() == 10 && std::regex_match(tok.begin(), tok.end(), date))
        t = parse_iso8601(std::string(tok) + "T00:00:00Z");
      else
        t = parse_iso8601(tok);
      if (!t) return std::unexpected(fail_at("invalid date or time '" + std::string(tok) + "'"));
      l.kind = Literal::Kind::DateTime;
      l.time = *t;
      l.text = tok;
      return l;
    }
    for (char ch : tok)
      if (std::isspace(static_cast<unsigned char>(ch)) || ch == '<' || ch == '>' || ch == '"' || ch == '\'' ||
          ch == '(')
        return std::unexpected(fail_at("invalid value '" + std::string(tok) + "' (quote strings with \")"));
    if (tok.front() == '=' || tok.front() == '!' || tok.front() == '~')
      return std::unexpected(fail_at("invalid value '" + std::string(tok) + "'"));
    l.text = tok;  // an unquoted URI, Time or word
    return l;
  }

  std::string_view q_;
  const jsonld::Context& ctx_;
  size_t pos_ = 0;
};

}  // namespace

Result<Expr> parse_q(std::string_view q, const jsonld::Context& ctx) { return Parser(q, ctx).parse(); }

std::vector<std::string> required_attributes(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Term: return {e.term.attr};
    case Expr::Kind::And:  // any one conjunct's requirement holds for the whole
      for (const auto& c : e.children)
        if (auto r = required_attributes(c); !r.empty()) return r;
      return {};
    case Expr::Kind::Or: {  // one of each disjunct's
      std::vector<std::string> out;
      for (const auto& c : e.children) {
        auto r = required_attributes(c);
        if (r.empty()) return {};
        out.insert(out.end(), r.begin(), r.end());
      }
      return out;
    }
  }
  return {};
}

}  // namespace dejima::query
