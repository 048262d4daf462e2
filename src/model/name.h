// Interned names: attribute names, entity types and datasetIds repeat across every entity, so
// each distinct string is stored once and entities hold an 8-byte handle to it. Names compare by
// pointer and convert to std::string_view / const std::string&.
#pragma once
#include <compare>
#include <string>
#include <string_view>

namespace dejima::model {

class Name {
 public:
  Name() : s_(&empty_string()) {}
  Name(std::string_view s) : s_(intern(s)) {}  // NOLINT: implicit on purpose
  Name(const std::string& s) : s_(intern(s)) {}
  Name(const char* s) : s_(intern(s)) {}

  const std::string& str() const { return *s_; }
  operator const std::string&() const { return *s_; }
  operator std::string_view() const { return *s_; }
  bool empty() const { return s_->empty(); }
  size_t size() const { return s_->size(); }

  friend bool operator==(Name a, Name b) { return a.s_ == b.s_; }
  friend bool operator==(Name a, std::string_view b) { return *a.s_ == b; }
  friend bool operator==(Name a, const std::string& b) { return *a.s_ == b; }
  friend bool operator==(Name a, const char* b) { return *a.s_ == b; }

 private:
  static const std::string& empty_string();
  static const std::string* intern(std::string_view s);
  const std::string* s_;
};

}  // namespace dejima::model
