// CKAN harvesting (BODIK ODCS or any CKAN 2.x site): the source is an Action API response —
// package_search (followed page by page over HTTP), package_list (each package then read with
// package_show) or package_show — and each package's CSV and GeoJSON resources are fetched and
// converted by the csv and geojson formats with the declaration's options, so a harvest of one
// standard dataset (e.g. fq=tags:避難所) across many municipalities gives one entity type.
// `params.resourceFormats` (default "csv,geojson") says which of the two are taken; a resource of
// resource_type "api" (an endpoint, such as a Dejima dataset's history for a time range) is not a
// file and is left. Resources that cannot be fetched or read are rejected and leave the run
// incomplete (nothing is deleted).
#include <algorithm>
#include <map>
#include <memory>
#include <unordered_set>

#include "connect/format.h"
#include "connect/row_mapper.h"
#include "connect/source.h"
#include "util/json.h"

namespace dejima::connect {

const Format& csv_format();
const Format& geojson_format();

namespace {

constexpr size_t kMaxPages = 1000;
constexpr std::string_view kDefaultFormats = "csv,geojson";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_http(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

std::string text(const json::Value& o, const char* member) {
  if (!o.IsObject()) return {};
  const auto it = o.FindMember(member);
  return it != o.MemberEnd() && it->value.IsString() ? std::string(json::view(it->value)) : std::string();
}

// The format that reads a resource: by its declared format, else by its URL's extension.
const Format* resource_format(const json::Value& r) {
  const std::string declared = lower(trim(text(r, "format")));
  if (declared == "csv" || declared == "text/csv") return &csv_format();
  if (declared == "geojson" || declared == "application/geo+json" || declared == "application/vnd.geo+json")
    return &geojson_format();
  if (!declared.empty()) return nullptr;
  std::string path = lower(text(r, "url"));
  path = path.substr(0, path.find_first_of("?#"));
  if (path.ends_with(".csv")) return &csv_format();
  if (path.ends_with(".geojson")) return &geojson_format();
  return nullptr;
}

// The `result` of a CKAN Action API response ({"success": true, "result": ...}).
Result<const json::Value*> ckan_result(const json::Document& doc, const std::string& where) {
  if (!doc.IsObject() || !doc.HasMember("success"))
    return fail(ErrorKind::BadRequestData, "Not a CKAN response",
                where + ": expected a CKAN Action API response such as …/api/3/action/package_search?q=…");
  if (!doc["success"].IsBool() || !doc["success"].GetBool()) {
    std::string why = doc.HasMember("error") ? text(doc["error"], "message") : "";
    return fail(ErrorKind::BadRequestData, "CKAN request failed",
                where + ": " + (why.empty() ? "success is false" : why));
  }
  if (!doc.HasMember("result")) return fail(ErrorKind::BadRequestData, "Not a CKAN response", where + ": no result");
  return &doc["result"];
}

// `url` with its `start` query parameter set to `start` (package_search paging), asking for
// CKAN's usual maximum of 1,000 packages per page when the URL names no `rows`.
std::string page_url(const std::string& url, size_t start) {
  const size_t q = url.find('?');
  std::string out = url.substr(0, q) + "?";
  bool rows = false;
  if (q != std::string::npos) {
    size_t from = q + 1;
    while (from <= url.size()) {
      const size_t amp = std::min(url.find('&', from), url.size());
      const std::string_view param(url.data() + from, amp - from);
      if (!param.empty() && !param.starts_with("start=")) out += std::string(param) + "&";
      rows = rows || param.starts_with("rows=");
      from = amp + 1;
    }
  }
  return out + (rows ? "" : "rows=1000&") + "start=" + std::to_string(start);
}

// Where package_show finds a package listed by package_list: the Action API beside it, or
// `<name>.json` beside a local file.
std::string show_url(const std::string& list_source, const std::string& name) {
  if (!is_http(list_source)) return beside(list_source, name + ".json");
  const std::string path = list_source.substr(0, list_source.find('?'));
  return beside(path, "package_show?id=" + id_part(name));
}

// Passes one resource's entities on, naming the resource in what it says; an entity whose id an
// earlier resource gave (the same table published twice, e.g. in UTF-8 and Shift_JIS) is dropped.
class ResourceSink final : public Sink {
 public:
  ResourceSink(Sink& out, std::string label, std::unordered_set<std::string>& ids)
      : out_(out), label_(std::move(label)), ids_(ids) {}
  ~ResourceSink() override {
    if (repeated_ > 0)
      out_.note(label_ + ": " + std::to_string(repeated_) +
                " entities have the ids of an earlier resource's; the earlier kept");
  }
  void entity(std::string text) override {
    json::Document d;
    json::parse(d, text);
    if (d.IsObject() && d.HasMember("id") && d["id"].IsString() &&
        !ids_.insert(std::string(json::view(d["id"]))).second) {
      ++repeated_;
      return;
    }
    out_.entity(std::move(text));
  }
  void reject(Rejection r) override {
    r.reason = label_ + ": " + r.reason;
    out_.reject(std::move(r));
  }
  void note(std::string message) override { out_.note(label_ + ": " + message); }
  void progress(size_t, size_t) override {}
  void incomplete(std::string reason) override { out_.incomplete(label_ + ": " + reason); }

 private:
  Sink& out_;
  std::string label_;
  std::unordered_set<std::string>& ids_;
  size_t repeated_ = 0;
};

class CkanFormat final : public Format {
 public:
  std::string_view name() const override { return "ckan"; }

  std::string invalid(const Options& o) const override {
    const auto formats = param_list(o, "resourceFormats", kDefaultFormats);
    for (const auto& f : formats)
      if (f != "csv" && f != "geojson") return "params.resourceFormats: '" + f + "' is not csv or geojson";
    if (formats.empty()) return "params.resourceFormats is empty";
    return "";
  }

  Status convert(std::string_view bytes, const Options& o, Sink& sink) const override {
    if (auto why = invalid(o); !why.empty()) return fail(ErrorKind::BadRequestData, "Invalid declaration", why);
    std::vector<std::unique_ptr<json::Document>> docs;  // owns the packages below
    std::vector<const json::Value*> packages;
    if (auto s = read_packages(bytes, o, docs, packages, sink); !s) return s;

    const auto wanted = param_list(o, "resourceFormats", kDefaultFormats);
    struct Job {
      const json::Value* package;
      const json::Value* resource;
      const Format* format;
    };
    std::vector<Job> jobs;
    std::map<std::string, size_t> skipped;  // resource format -> count
    for (const json::Value* p : packages) {
      if (!p->IsObject() || !p->HasMember("resources") || !(*p)["resources"].IsArray()) {
        sink.reject({0, "a package without a resources list", cut_row(json::to_string(*p))});
        continue;
      }
      credit(*p, sink);
      for (const auto& r : (*p)["resources"].GetArray()) {
        if (text(r, "state") == "deleted") continue;
        const Format* f = text(r, "resource_type") == "api" ? nullptr : resource_format(r);
        if (f && std::find(wanted.begin(), wanted.end(), f->name()) != wanted.end())
          jobs.push_back({p, &r, f});
        else
          ++skipped[text(r, "resource_type") == "api" ? "api"
                    : text(r, "format").empty()       ? "(no format)"
                                                      : text(r, "format")];
      }
    }
    if (!skipped.empty()) {
      std::string list;
      for (const auto& [f, n] : skipped) list += (list.empty() ? "" : ", ") + f + " " + std::to_string(n);
      std::string names;
      for (const auto& w : wanted) names += (names.empty() ? "" : " or ") + w;
      sink.note("resources not harvested (not " + names + "): " + list);
    }
    sink.note(std::to_string(packages.size()) + " packages, " + std::to_string(jobs.size()) + " resources to import");

    std::unordered_set<std::string> ids;
    for (size_t i = 0; i < jobs.size(); ++i) {
      sink.progress(i, jobs.size());
      const auto& [p, r, f] = jobs[i];
      const std::string url = text(*r, "url");
      const std::string label = text(*p, "name") + "/" + (text(*r, "name").empty() ? text(*r, "id") : text(*r, "name"));
      auto unreadable = [&](const std::string& why) {
        sink.reject({i + 1, label + ": " + why, cut_row(url)});
        sink.incomplete(label + " could not be read");
      };
      if (url.empty()) {
        unreadable("the resource has no url");
        continue;
      }
      if (o.cancelled()) break;
      auto fetched = fetch_source(url, {}, 60, kMaxSourceBytes, o.cancel);
      if (!fetched) {
        unreadable(fetched.error().title + ": " + fetched.error().detail);
        continue;
      }
      Options inner = o;
      inner.source = url;
      ResourceSink rs(sink, label, ids);
      if (auto s = f->convert(fetched->body, inner, rs); !s) unreadable(s.error().title + ": " + s.error().detail);
    }
    sink.progress(jobs.size(), jobs.size());
    return {};
  }

 private:
  // The packages of a package_search (every page), package_list or package_show response.
  static Status read_packages(std::string_view bytes, const Options& o,
                              std::vector<std::unique_ptr<json::Document>>& docs,
                              std::vector<const json::Value*>& packages, Sink& sink) {
    const std::string& source = o.source;
    auto parse = [&](std::string_view body, const std::string& where) -> Result<const json::Value*> {
      docs.push_back(std::make_unique<json::Document>());
      if (auto err = json::parse(*docs.back(), body); !err.empty())
        return fail(ErrorKind::BadRequestData, "Not a CKAN response", where + ": not JSON (" + err + ")");
      return ckan_result(*docs.back(), where);
    };
    auto result = parse(bytes, source);
    if (!result) return std::unexpected(result.error());
    const json::Value& r = **result;
    if (r.IsObject() && r.HasMember("resources")) {  // package_show
      packages.push_back(&r);
      return {};
    }
    if (r.IsArray()) {  // package_list: names
      for (size_t i = 0; i < r.Size(); ++i) {
        if (!r[i].IsString())
          return fail(ErrorKind::BadRequestData, "Not a CKAN response", source + ": a package name is not a string");
        const std::string where = show_url(source, std::string(json::view(r[i])));
        if (o.cancelled()) break;
        auto f = fetch_source(where, {}, 60, kMaxSourceBytes, o.cancel);
        auto shown = f ? parse(f->body, where) : Result<const json::Value*>(std::unexpected(f.error()));
        if (!shown || !(*shown)->IsObject()) {
          const std::string why = shown ? "not a package" : shown.error().title + ": " + shown.error().detail;
          sink.reject({i + 1, "package_show " + std::string(json::view(r[i])) + ": " + why, cut_row(where)});
          sink.incomplete("package " + std::string(json::view(r[i])) + " could not be read");
          continue;
        }
        packages.push_back(*shown);
      }
      return {};
    }
    if (!r.IsObject() || !r.HasMember("results") || !r["results"].IsArray())
      return fail(ErrorKind::BadRequestData, "Not a CKAN response",
                  source + ": the result is not a package_search, package_list or package_show result");
    const size_t count = r.HasMember("count") && r["count"].IsUint64() ? r["count"].GetUint64() : 0;
    const json::Value* page = &r;
    for (size_t pages = 1;; ++pages) {
      const auto& results = (*page)["results"];
      for (const auto& p : results.GetArray()) packages.push_back(&p);
      if (packages.size() >= count || results.Empty()) break;
      if (!is_http(source) || pages == kMaxPages) {
        sink.note("the response lists " + std::to_string(packages.size()) + " of " + std::to_string(count) +
                  " packages; the rest are not read");
        sink.incomplete("packages beyond the first " + std::to_string(packages.size()));
        break;
      }
      if (o.cancelled()) break;
      const std::string next = page_url(source, packages.size());
      auto f = fetch_source(next, {}, 60, kMaxSourceBytes, o.cancel);
      if (!f) return fail(f.error().kind, f.error().title, next + ": " + f.error().detail);
      auto more = parse(f->body, next);
      if (!more) return std::unexpected(more.error());
      if (!(*more)->IsObject() || !(*more)->HasMember("results") || !(**more)["results"].IsArray())
        return fail(ErrorKind::BadRequestData, "Not a CKAN response", next + ": no results");
      page = *more;
    }
    return {};
  }

  // The package's licence and publisher, for the run log (credit lines the licence asks for).
  static void credit(const json::Value& p, Sink& sink) {
    std::string publisher = p.HasMember("organization") ? text(p["organization"], "title") : "";
    std::string line = "credit: " + (publisher.empty() ? text(p, "author") : publisher);
    line += "「" + (text(p, "title").empty() ? text(p, "name") : text(p, "title")) + "」";
    const std::string licence = text(p, "license_title").empty() ? text(p, "license_id") : text(p, "license_title");
    if (!licence.empty()) line += " " + licence;
    if (!text(p, "license_url").empty()) line += " (" + text(p, "license_url") + ")";
    sink.note(line);
  }
};

}  // namespace

const Format& ckan_format() {
  static const CkanFormat f;
  return f;
}

}  // namespace dejima::connect
