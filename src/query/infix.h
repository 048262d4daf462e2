// The one piece of grammar the q language and the type/scopeQ language share: a chain of items
// joined by a separator (`;` for AND, `|` or `,` for OR) becomes one node with the items as
// children; a single item is returned as it is.
#pragma once
#include <string_view>

#include "util/error.h"

namespace dejima::query {

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
