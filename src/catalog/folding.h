// Case folding for the catalog's text searches (CKAN's q and fq, datastore_search's q): ASCII
// letters only — Japanese text has no case — and without copying the text searched.
#pragma once
#include <algorithm>
#include <string>
#include <string_view>

namespace dejima::catalog {

inline char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string folded(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = fold(c);
  return out;
}

// Whether `s` contains `needle` (already folded), ignoring ASCII case.
inline bool contains_folded(std::string_view s, std::string_view needle) {
  return std::search(s.begin(), s.end(), needle.begin(), needle.end(), [](char a, char b) { return fold(a) == b; }) !=
         s.end();
}

// Whether `s` equals `other` (already folded), ignoring ASCII case.
inline bool equals_folded(std::string_view s, std::string_view other) {
  return std::equal(s.begin(), s.end(), other.begin(), other.end(), [](char a, char b) { return fold(a) == b; });
}

}  // namespace dejima::catalog
