#include "site/static_files.h"

#include <fstream>
#include <sstream>

namespace dejima::site {
namespace fs = std::filesystem;

std::string content_type_of(std::string_view name) {
  const auto dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"geojson", "application/geo+json"},
      {"map", "application/json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"woff", "font/woff"},
      {"pbf", "application/x-protobuf"},
      {"wasm", "application/wasm"},
      {"webmanifest", "application/manifest+json"},
      {"txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [e, t] : kTypes)
    if (e == ext) return std::string(t);
  return "application/octet-stream";
}

Result<StaticFiles> StaticFiles::load(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_regular_file(root / "index.html", ec))
    return fail(ErrorKind::ResourceNotFound, "The web app is not built",
                (root / "index.html").string() + " is missing");
  StaticFiles out;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) return fail(ErrorKind::InternalError, "Cannot read the web app", it->path().string());
    const std::string url = "/" + fs::relative(it->path(), root, ec).generic_string();
    const bool hashed = url.starts_with("/assets/");
    out.files_.emplace(
        url, make_asset(text.str(), content_type_of(url), hashed ? "public, max-age=31536000, immutable" : "no-cache"));
  }
  if (ec) return fail(ErrorKind::InternalError, "Cannot read the web app", root.string() + ": " + ec.message());
  return out;
}

const Asset* StaticFiles::find(std::string_view path) const {
  if (path.empty() || path == "/") path = "/index.html";
  if (auto it = files_.find(std::string(path)); it != files_.end()) return &it->second;
  const auto slash = path.rfind('/');
  if (path.substr(slash + 1).find('.') != std::string_view::npos) return nullptr;  // a file that is not there
  return &files_.at("/index.html");
}

size_t StaticFiles::bytes() const {
  size_t n = 0;
  for (const auto& [_, a] : files_) n += a.body.size();
  return n;
}

size_t StaticFiles::gzipped_bytes() const {
  size_t n = 0;
  for (const auto& [_, a] : files_) n += a.gzipped.empty() ? a.body.size() : a.gzipped.size();
  return n;
}

}  // namespace dejima::site
