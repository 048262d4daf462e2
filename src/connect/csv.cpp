#include "connect/csv.h"

namespace dejima::connect {

bool CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  if (pos_ >= text_.size()) return false;
  const size_t start = pos_;
  line_ = next_line_;
  unterminated_ = false;
  std::string field;
  bool quoted = false, in_quotes = false;
  size_t i = pos_;
  auto end_line = [&](size_t at) {  // at: index of '\r' or '\n'; returns the index after the line end
    ++next_line_;
    if (text_[at] == '\r' && at + 1 < text_.size() && text_[at + 1] == '\n') return at + 2;
    return at + 1;
  };
  while (i < text_.size()) {
    const char c = text_[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text_.size() && text_[i + 1] == '"') {
          field += '"';
          i += 2;
        } else {
          in_quotes = false;
          ++i;
        }
      } else {
        if (c == '\n' || (c == '\r' && !(i + 1 < text_.size() && text_[i + 1] == '\n'))) ++next_line_;
        field += c;
        ++i;
      }
      continue;
    }
    if (c == '"' && field.empty() && !quoted) {
      quoted = in_quotes = true;
      ++i;
    } else if (c == delimiter_) {
      fields.push_back(std::move(field));
      field.clear();
      quoted = false;
      ++i;
    } else if (c == '\r' || c == '\n') {
      raw_ = text_.substr(start, i - start);
      pos_ = end_line(i);
      fields.push_back(std::move(field));
      return true;
    } else {
      field += c;
      ++i;
    }
  }
  unterminated_ = in_quotes;
  raw_ = text_.substr(start, i - start);
  pos_ = text_.size();
  fields.push_back(std::move(field));
  return true;
}

}  // namespace dejima::connect
