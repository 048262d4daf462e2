#include "ngsiv2/simple_query.h"

#include <charconv>
#include <cmath>

#include "ngsiv2/request_context.h"

namespace dejima::ngsiv2 {
namespace {

// Orion's texts for a bad query (no prefix: they are the whole description).
Error invalid(std::string_view what) { return bad_request(std::string(what)); }

// The statements of a query, split at ';' outside quotes.
std::vector<std::string_view> statements(std::string_view text) {
  std::vector<std::string_view> out;
  char quote = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quote) {
      if (ch == quote) quote = 0;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
    } else if (ch == ';') {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(text.substr(start));
  return out;
}

bool is_number(std::string_view s) {
  double d;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(d);
}

bool is_date(std::string_view s) { return s.size() >= 10 && s[4] == '-' && s[7] == '-' && s[0] >= '0' && s[0] <= '9'; }

std::string_view trimmed(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

bool is_quoted(std::string_view v) {
  return v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front();
}

void write_quoted(std::string_view v, std::string& out) {
  out += '"';
  for (char ch : v) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  out += '"';
}

// One value: a quoted string, a number, true/false, a date; any other word is a string.
Status value(std::string_view v, std::string& out) {
  v = trimmed(v);
  if (v.empty()) return std::unexpected(invalid("empty right-hand-side in q-item"));
  if (is_quoted(v)) {
    write_quoted(v.substr(1, v.size() - 2), out);
  } else if (is_number(v) || v == "true" || v == "false" || is_date(v)) {
    out += v;
  } else {
    write_quoted(v, out);
  }
  return {};
}

// Splits at `sep` outside quotes.
std::vector<std::string_view> split_outside_quotes(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  char quote = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (quote) {
      if (s[i] == quote) quote = 0;
    } else if (s[i] == '\'' || s[i] == '"') {
      quote = s[i];
    } else if (s.substr(i, sep.size()) == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + sep.size();
      i += sep.size() - 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

// An attribute path: names separated by '.', a 'quoted' name may hold dots.
Status path(std::string_view lhs, bool metadata, std::string& out) {
  std::vector<std::string_view> parts = split_outside_quotes(lhs, ".");
  for (auto& p : parts)
    if (is_quoted(p)) p = p.substr(1, p.size() - 2);
  for (auto p : parts)
    if (p.empty()) return std::unexpected(invalid("empty attribute name"));
  if (metadata && parts.size() < 2) return std::unexpected(invalid("mq needs attribute.metadata"));
  out += parts[0];
  size_t i = 1;
  if (metadata) {
    out += '.';
    out += parts[1];
    i = 2;
  }
  for (; i < parts.size(); ++i) {
    out += '[';
    out += parts[i];
    out += ']';
  }
  return {};
}

}  // namespace

Status translate_query(std::string_view text, bool metadata, SimpleQuery& out) {
  static constexpr std::string_view kOps[] = {"==", "!=", ">=", "<=", "~=", ">", "<", ":"};  // ':' is '=='
  for (std::string_view st : statements(text)) {
    while (!st.empty() && st.front() == ' ') st.remove_prefix(1);
    while (!st.empty() && st.back() == ' ') st.remove_suffix(1);
    if (st.empty()) return std::unexpected(invalid("empty q-item"));
    size_t at = std::string_view::npos;
    std::string_view op;
    for (size_t i = 0; i < st.size() && at == std::string_view::npos; ++i)
      for (std::string_view o : kOps)
        if (st.substr(i, o.size()) == o) {
          at = i;
          op = o;
          break;
        }
    std::string term;
    if (at == std::string_view::npos) {  // unary: exists / does not exist
      const bool negated = st.front() == '!';
      if (negated) st.remove_prefix(1);
      if (st.empty() || st.find_first_of(" '\"") != std::string_view::npos) return std::unexpected(invalid(st));
      if (auto s = path(st, metadata, term); !s) return s;
      if (negated) {
        out.absent.push_back(std::move(term));
        continue;
      }
    } else {
      if (at == 0) return std::unexpected(invalid("empty left-hand-side in q-item"));
      if (auto s = path(st.substr(0, at), metadata, term); !s) return s;
      if (op == ":") op = "==";
      term += op;
      const size_t op_size = st.substr(at, 1) == ":" ? 1 : op.size();
      std::string_view rhs = st.substr(at + op_size);
      if (op == "~=") {
        rhs = trimmed(rhs);
        if (rhs.empty()) return std::unexpected(invalid("empty right-hand-side in q-item"));
        write_quoted(is_quoted(rhs) ? rhs.substr(1, rhs.size() - 2) : rhs, term);
      } else if (auto range = split_outside_quotes(rhs, ".."); range.size() == 2) {
        if (op != "==" && op != "!=") return std::unexpected(invalid("ranges only valid for equal and not equal ops"));
        if (auto s = value(range[0], term); !s) return s;
        term += "..";
        if (auto s = value(range[1], term); !s) return s;
      } else {
        auto list = split_outside_quotes(rhs, ",");
        if (list.size() > 1 && op != "==" && op != "!=")
          return std::unexpected(invalid("lists only valid for equal and not equal ops"));
        for (size_t i = 0; i < list.size(); ++i) {
          if (i) term += ',';
          if (auto s = value(list[i], term); !s) return s;
        }
      }
    }
    if (!out.q.empty()) out.q += ';';
    out.q += term;
  }
  return {};
}

}  // namespace dejima::ngsiv2
