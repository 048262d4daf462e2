// The one piece of grammar the q language and the type/scopeQ language share: a chain of items
// joined by a separator (`;` for AND, `|` or `,` for OR) becomes one node with the items as
// children; a single item is returned as it is.
#pragma once
#include <string>
#include <string_view>

#include "util/error.h"

namespace dejima::query {

// "at position 12 of '…text…'" for error messages: a long expression is cut to the 160 bytes
// around the position (on character boundaries), so that a 400 does not echo a huge input.
inline std::string position_in(std::string_view text, size_t pos) {
  constexpr size_t kSide = 80;
  auto boundary = [&](size_t i) {
    while (i > 0 && i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
    return i;
  };
  const size_t from = pos > kSide ? boundary(pos - kSide) : 0;
  const size_t to = text.size() - from > 2 * kSide ? boundary(from + 2 * kSide) : text.size();
  return "at position " + std::to_string(pos) + " of '" + (from > 0 ? "…" : "") +
         std::string(text.substr(from, to - from)) + (to < text.size() ? "…" : "") + "'";
}

template <class Node, class Kind, class IsSeparator, class ParseItem>
Result<Node> parse_chain(std::string_view text, size_t& pos, Kind kind, IsSeparator is_separator, ParseItem item) {
  auto first = item();
  if (!first || pos >= text.size() || !is_separator(text[pos])) return first;
  Node node;
  node.kind = kind;
  node.children.push_back(std::move(*first));
  while (pos < text.size() && is_separator(text[pos])) {
    ++pos;
    auto next = item();
    if (!next) return next;
    node.children.push_back(std::move(*next));
  }
  return node;
}

}  // namespace dejima::query
