// The web app's files in memory: index.html for the app's own pages, 404 for a missing file,
// a year's cache for hashed assets, gzip when the client takes it (and it is smaller), 304 for
// a known ETag; and the boundaries layer annotated from the registry.
#include <gtest/gtest.h>

#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "shared_data.h"
#include "site/boundaries.h"
#include "site/gzip.h"
#include "site/static_files.h"

using namespace dejima;
namespace fs = std::filesystem;

namespace {

std::string gunzip(const std::string& z) {
  z_stream s{};
  EXPECT_EQ(inflateInit2(&s, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data()));
  s.avail_in = static_cast<uInt>(z.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  inflateEnd(&s);
  return out;
}

std::string header(const http::Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("dejima-web-" + std::to_string(::getpid()));
    fs::create_directories(root / "assets");
    std::ofstream(root / "index.html") << "<!doctype html><title>出島</title>";
    std::ofstream(root / "assets" / "app-1a2b.js") << std::string(4000, ';') << "console.log('出島')";
    std::ofstream(root / "favicon.svg") << "<svg/>";
  }
  void TearDown() override { fs::remove_all(root); }
  http::Response get(const site::StaticFiles& files, std::string_view path,
                     std::vector<std::pair<std::string_view, std::string_view>> headers = {}) {
    http::Request req;
    req.path = path;
    req.headers = std::move(headers);
    const site::Asset* a = files.find(path);
    if (!a) return http::Response{.status = 404};
    return site::respond(*a, req);
  }
  fs::path root;
};

TEST_F(StaticFilesTest, ServesFilesAndTheAppForItsOwnPages) {
  auto files = site::StaticFiles::load(root);
  ASSERT_TRUE(files) << files.error().detail;
  EXPECT_EQ(files->size(), 3u);
  for (auto path : {"/", "/warnings", "/map/shimabara"}) {
    auto r = get(*files, path);
    EXPECT_EQ(r.status, 200u) << path;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8") << path;
    EXPECT_EQ(r.body, "<!doctype html><title>出島</title>") << path;
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache") << path;
  }
  EXPECT_EQ(get(*files, "/assets/app-0000.js").status, 404u) << "a stale asset is not the app";
  EXPECT_EQ(get(*files, "/favicon.svg").content_type, "image/svg+xml");
  auto js = get(*files, "/assets/app-1a2b.js");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_TRUE(header(js, "Content-Encoding").empty()) << "no gzip unless asked";
}

TEST_F(StaticFilesTest, GzipAndConditionalRequests) {
  auto files = site::StaticFiles::load(root);
  ASSERT_TRUE(files);
  auto plain = get(*files, "/assets/app-1a2b.js");
  auto zipped = get(*files, "/assets/app-1a2b.js", {{"Accept-Encoding", "br, gzip, deflate"}});
  EXPECT_EQ(header(zipped, "Content-Encoding"), "gzip");
  EXPECT_LT(zipped.body.size(), plain.body.size() / 10);
  EXPECT_EQ(gunzip(zipped.body), plain.body);
  EXPECT_NE(header(zipped, "ETag"), header(plain, "ETag")) << "two representations, two tags";
  EXPECT_TRUE(
      header(get(*files, "/assets/app-1a2b.js", {{"Accept-Encoding", "gzip;q=0"}}), "Content-Encoding").empty());
  EXPECT_TRUE(header(get(*files, "/favicon.svg", {{"Accept-Encoding", "gzip"}}), "Content-Encoding").empty())
      << "a tiny file is not worth it";

  const std::string etag = header(plain, "ETag");
  auto again = get(*files, "/assets/app-1a2b.js", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304u);
  EXPECT_EQ(get(*files, "/assets/app-1a2b.js", {{"If-None-Match", header(zipped, "ETag")}, {"Accept-Encoding", "gzip"}})
                .status,
            304u);
  EXPECT_EQ(get(*files, "/assets/app-1a2b.js", {{"If-None-Match", header(zipped, "ETag")}}).status, 200u)
      << "the gzipped body's tag does not stand for the plain one";
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(get(*files, "/assets/app-1a2b.js", {{"If-None-Match", "\"other\", W/" + etag}}).status, 304u);
  EXPECT_EQ(get(*files, "/assets/app-1a2b.js", {{"If-None-Match", "\"other\""}}).status, 200u);
}

TEST_F(StaticFilesTest, AnUnbuiltAppIsAnErrorThatSaysSo) {
  fs::remove(root / "index.html");
  auto files = site::StaticFiles::load(root);
  ASSERT_FALSE(files);
  EXPECT_NE(files.error().detail.find("index.html"), std::string::npos);
}

TEST(Gzip, AcceptEncoding) {
  EXPECT_TRUE(site::accepts_gzip("gzip"));
  EXPECT_TRUE(site::accepts_gzip("deflate, gzip;q=0.5"));
  EXPECT_TRUE(site::accepts_gzip("*"));
  EXPECT_FALSE(site::accepts_gzip(""));
  EXPECT_FALSE(site::accepts_gzip("br, deflate"));
  EXPECT_FALSE(site::accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(site::accepts_gzip("gzip; q=0.000"));
}

TEST(Boundaries, EachMunicipalityGetsItsRegistryNames) {
  if (!test::have_shared_data()) GTEST_SKIP() << "../shared/data is absent";
  const std::string file = (test::kShared / "boundaries" / "N03-21_42_210101.json").string();
  auto layer = site::load_boundaries(file, {{"422037", "shimabara", "島原市", "Shimabara City"}});
  ASSERT_TRUE(layer) << layer.error().detail;
  EXPECT_EQ(layer->content_type, "application/geo+json");
  EXPECT_NE(layer->body.find(R"("N03_007":"42203","code":"422037","tenant":"shimabara","nameJa":"島原市")"),
            std::string::npos);
  EXPECT_FALSE(layer->gzipped.empty());
  auto bad = site::load_boundaries(file + ".missing", {});
  EXPECT_FALSE(bad);
}

}  // namespace
