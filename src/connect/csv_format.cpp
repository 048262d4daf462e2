// 自治体標準オープンデータセット CSV (G1/G2/G3 layouts and non-standard ones with a column
// mapping): any of the encodings of connect/encoding.h, `#` comment and metadata rows
// (`#property` names the columns, `#attribution_name` and `#license` are credit lines).
#include <optional>

#include "connect/csv.h"
#include "connect/encoding.h"
#include "connect/format.h"
#include "connect/row_mapper.h"

namespace dejima::connect {
namespace {

class CsvFormat final : public Format {
 public:
  std::string_view name() const override { return "csv"; }

  Status convert(std::string_view bytes, const Options& o, Sink& sink) const override {
    auto decoded = to_utf8(bytes, o.encoding);
    if (!decoded) return std::unexpected(decoded.error());
    sink.note("encoding: " + decoded->encoding);
    const std::string& text = decoded->text;
    CsvReader r(text);
    std::vector<std::string> fields, header;
    std::optional<RowMapper> mapper;
    size_t rows = 0, empty = 0;
    bool tagged = false;  // the header is a `#property` row: `#` rows stay metadata after it
    while (r.next(fields)) {
      if ((!mapper || tagged) && !fields.empty() && fields[0].starts_with("#")) {
        const std::string& tag = fields[0];
        const std::string value = fields.size() > 1 ? fields[1] : "";
        if (tag == "#property" && !mapper) {
          mapper.emplace(fields, o, sink);
          tagged = true;
        } else if (tag == "#attribution_name" && !value.empty())
          sink.note("credit: " + value);
        else if (tag == "#license" && !value.empty())
          sink.note("licence: " + value);
        continue;
      }
      if (!mapper) {
        mapper.emplace(fields, o, sink);
        header = fields;
        continue;
      }
      if (++rows % 4096 == 0) sink.progress(r.position(), text.size());
      if (r.unterminated()) {
        sink.reject({r.line(), "a quoted field is still open at the end of the file", cut_row(r.raw())});
        continue;
      }
      bool blank = true;
      for (const auto& f : fields) blank = blank && f.find_first_not_of(" \t") == std::string::npos;
      if (blank) {
        ++empty;
        continue;
      }
      size_t used = fields.size();
      while (used > mapper->columns() && fields[used - 1].empty()) --used;
      if (used != mapper->columns()) {
        sink.reject(
            {r.line(),
             std::to_string(fields.size()) + " fields where the header has " + std::to_string(mapper->columns()),
             cut_row(r.raw())});
        continue;
      }
      auto e = mapper->entity(fields, {}, r.line());
      if (!e)
        sink.reject({r.line(), e.error(), cut_row(r.raw()), mapper->id_of(fields)});
      else
        sink.entity(std::move(*e));
    }
    if (!mapper) return fail(ErrorKind::BadRequestData, "Empty CSV", "the source has no header row");
    if (empty > 0) sink.note(std::to_string(empty) + " empty rows skipped");
    sink.progress(text.size(), text.size());
    return {};
  }
};

}  // namespace

const Format& csv_format() {
  static const CsvFormat f;
  return f;
}

}  // namespace dejima::connect
