// The built web app (web/dist), read into memory at start: every file as an Asset under its path.
// A path that names no file is one of the app's own pages (it routes in the browser), so it gets
// index.html; a missing file with an extension (a stale asset) is 404.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "site/asset.h"
#include "util/error.h"

namespace dejima::site {

class StaticFiles {
 public:
  // Reads every regular file under `root` (hashed files under assets/ are cached for a year,
  // the rest revalidated each time). Fails when root has no index.html.
  static Result<StaticFiles> load(const std::filesystem::path& root);

  const Asset* find(std::string_view path) const;
  size_t size() const { return files_.size(); }
  size_t bytes() const;
  size_t gzipped_bytes() const;

 private:
  std::unordered_map<std::string, Asset> files_;  // by URL path, e.g. /assets/index-3f2a.js
};

// The Content-Type of a file name's extension.
std::string content_type_of(std::string_view name);

}  // namespace dejima::site
