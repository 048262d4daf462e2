#include "ngsild/projection.h"

#include "model/parse.h"

namespace dejima::ngsild {
namespace {

class ProjectionParser {
 public:
  explicit ProjectionParser(std::string_view text) : text_(text) {}

  Result<std::vector<ProjectionItem>> parse() {
    auto items = list(0);
    if (!items) return items;
    if (pos_ != text_.size()) return error("unexpected '" + std::string(1, text_[pos_]) + "'");
    return items;
  }

 private:
  static constexpr unsigned kMaxDepth = 16;

  Result<std::vector<ProjectionItem>> list(unsigned depth) {
    if (depth > kMaxDepth) return error("braces nest too deep");
    std::vector<ProjectionItem> items;
    for (;;) {
      size_t end = text_.find_first_of(",{}", pos_);
      if (end == std::string_view::npos) end = text_.size();
      ProjectionItem item{std::string(text_.substr(pos_, end - pos_)), std::nullopt};
      if (item.name.empty())
        return error(pos_ < text_.size() ? "a member name is missing before '" + std::string(1, text_[pos_]) + "'"
                                         : "a member name is missing at the end");
      if (!model::valid_name(item.name)) return error("'" + item.name + "' is not a valid member name");
      pos_ = end;
      if (pos_ < text_.size() && text_[pos_] == '{') {
        ++pos_;
        auto nested = list(depth + 1);
        if (!nested) return nested;
        if (pos_ >= text_.size() || text_[pos_] != '}') return error("'{' after " + item.name + " is not closed");
        ++pos_;
        item.linked = std::move(*nested);
      }
      items.push_back(std::move(item));
      if (pos_ >= text_.size() || text_[pos_] != ',') return items;
      ++pos_;
    }
  }

  static std::unexpected<Error> error(std::string detail) {
    return std::unexpected(Error{ErrorKind::BadRequestData, "Invalid projection", std::move(detail)});
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<ProjectionItem>> parse_projection(std::string_view text) { return ProjectionParser(text).parse(); }

}  // namespace dejima::ngsild
