// RFC 4180 CSV records out of UTF-8 text: quoted fields with "" escapes and line breaks inside,
// CRLF, LF or CR line ends, a last line without a line end. Lenient where files in the wild
// are (text after a closing quote is kept), strict where data would be lost (a quote left open
// at the end of the file is an error for that record).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace dejima::connect {

class CsvReader {
 public:
  explicit CsvReader(std::string_view text, char delimiter = ',') : text_(text), delimiter_(delimiter) {}

  // The next record into fields; false at the end of the text.
  bool next(std::vector<std::string>& fields);
  // Of the record last returned: the line it starts on (1-based), its text as in the file,
  // and whether a quoted field was still open at the end of the file.
  size_t line() const { return line_; }
  std::string_view raw() const { return raw_; }
  bool unterminated() const { return unterminated_; }
  // How far the reader is (bytes of the text consumed).
  size_t position() const { return pos_; }

 private:
  std::string_view text_;
  char delimiter_;
  size_t pos_ = 0, next_line_ = 1, line_ = 0;
  std::string_view raw_;
  bool unterminated_ = false;
};

}  // namespace dejima::connect
