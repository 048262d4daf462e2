// GET /dejima/v1/datasets: every dataset the caller may read. GET /dejima/v1/datasets/{tenant}/
// {type}: one (404 for one the caller may not read). PATCH the same: its metadata (the tenant's
// administrator). GET …/{tenant}/{type}/data.{csv,geojson,jsonld}: its data, streamed, with an
// ETag (If-None-Match answers 304); `?encoding=shift_jis` gives the CSV in CP932. GET
// …/{tenant}/{type}/history.csv?from=&to=: the history of its entities in a window (the temporal
// API's right).
#include "catalog/dataset_json.h"
#include "catalog/download.h"
#include "catalog/history_file.h"
#include "catalog/links.h"
#include "catalog/routes.h"
#include "http/problem.h"

namespace dejima::catalog {
namespace {

using Params = std::vector<std::string>;

// A process's own prefix of its ETags: a type's change count starts again at each start.
const std::string& epoch() {
  static const std::string e = std::to_string(now_millis());
  return e;
}

// ?encoding=shift_jis (or cp932, sjis): the CSV in CP932; utf-8 (the default) otherwise.
Result<bool> wants_cp932(const http::Request& req) {
  const std::string* encoding = req.param("encoding");
  if (!encoding || *encoding == "utf-8") return false;
  if (*encoding == "shift_jis" || *encoding == "cp932" || *encoding == "sjis") return true;
  return fail(ErrorKind::BadRequestData, "Unknown encoding",
              *encoding + ": encoding is utf-8 (the default) or shift_jis");
}

}  // namespace

void add_dataset_routes(http::Router& r, const Services& s) {
  using http::Method;
  const std::string base = "/dejima/v1/datasets";
  const http::Permission anyone{http::Need::Open};
  const http::Permission reader{http::Need::Read, http::TenantFrom::Path};
  const http::Permission admin{http::Need::TenantAdmin, http::TenantFrom::Path};
  r.add(Method::Get, base, anyone, [s](const http::Request& req, const Params&, http::Reply reply) {
    const Links links = Links::of(req, s.public_url);
    reply(http::json_body(200, json::written([&](json::Writer& w) {
                            w.StartArray();
                            for (const auto& d : s.catalog.list(req)) write_dataset(w, d, links);
                            w.EndArray();
                          })));
  });
  r.add(Method::Get, base + "/{tenant}/{type}", reader,
        [s](const http::Request& req, const Params& p, http::Reply reply) {
    auto d = s.catalog.find(req, p[0], p[1]);
    if (!d) return reply(http::problem(d.error()));
    reply(http::json_body(200, dataset_json(*d, Links::of(req, s.public_url))));
  });
  r.add(Method::Patch, base + "/{tenant}/{type}", admin,
        [s](const http::Request& req, const Params& p, http::Reply reply) {
    if (!req.header("Content-Type").starts_with("application/json"))
      return reply(http::problem({ErrorKind::UnsupportedMediaType, "Unsupported media type",
                                  "send the dataset's metadata as application/json"}));
    json::Document doc;
    if (auto err = json::parse(doc, req.body); !err.empty())
      return reply(http::problem({ErrorKind::InvalidRequest, "Invalid JSON", err}));
    auto d = s.catalog.update(req, p[0], p[1], doc);
    if (!d) return reply(http::problem(d.error()));
    reply(http::json_body(200, dataset_json(*d, Links::of(req, s.public_url))));
  });
  // The history: read under the temporal API's right, for the types that right covers.
  r.add(Method::Get, base + "/{tenant}/{type}/history.csv", {http::Need::Temporal, http::TenantFrom::Path},
        [s](const http::Request& req, const Params& p, http::Reply reply) {
    auto sjis = wants_cp932(req);
    if (!sjis) return reply(http::problem(sjis.error()));
    const bool cp932 = *sjis;
    auto window = history_window(req, now_millis());
    if (!window) return reply(http::problem(window.error()));
    auto d = s.catalog.find(req, p[0], p[1]);
    if (!d) return reply(http::problem(d.error()));
    if (!grant_reads(req.grant, d->type))
      return reply(http::problem(
          {ErrorKind::Forbidden, "Not allowed", "the caller may not read the history of " + d->short_type}));
    auto tenant = s.catalog.tenants().find(d->tenant);
    if (!tenant) return reply(http::problem(tenant.error()));
    http::Response resp;
    resp.content_type = cp932 ? "text/csv; charset=Shift_JIS" : "text/csv; charset=utf-8";
    if (!d->is_public) resp.header("Cache-Control", "private").header("Vary", "X-API-Key, Authorization, Cookie");
    resp.header("Content-Disposition", "attachment; filename=\"" + d->name + "-history.csv\"");
    resp.chunks = history_chunks(**tenant, *d, *window, cp932);
    reply(std::move(resp));
  });
  r.add(Method::Get, base + "/{tenant}/{type}/{file}", reader,
        [s](const http::Request& req, const Params& p, http::Reply reply) {
    const FileKind* kind = file_kind(p[2]);
    if (!kind)
      return reply(
          http::problem({ErrorKind::ResourceNotFound, "No such file",
                         p[2] + ": a dataset's files are data.csv, data.geojson, data.jsonld and history.csv"}));
    auto sjis = wants_cp932(req);
    if (!sjis) return reply(http::problem(sjis.error()));
    const bool cp932 = *sjis;
    if (cp932 && kind->format != FileFormat::Csv)
      return reply(http::problem({ErrorKind::BadRequestData, "Unknown encoding", "only the CSV comes in shift_jis"}));
    auto d = s.catalog.find(req, p[0], p[1]);
    if (!d) return reply(http::problem(d.error()));
    auto tenant = s.catalog.tenants().find(d->tenant);
    if (!tenant) return reply(http::problem(tenant.error()));
    const broker::TypeStamp stamp = (*tenant)->stamp(d->type);
    const std::string etag = "W/\"" + epoch() + "-" + std::to_string(stamp.version) + (cp932 ? "-sjis" : "") + "\"";
    if (req.header("If-None-Match") == etag) {
      http::Response nm;
      nm.status = 304;
      nm.header("ETag", etag);
      return reply(std::move(nm));
    }
    http::Response resp;
    resp.content_type = cp932 ? "text/csv; charset=Shift_JIS" : kind->content_type;
    resp.header("ETag", etag);
    if (!d->is_public)  // what the caller's credentials opened: no shared cache keeps it
      resp.header("Cache-Control", "private").header("Vary", "X-API-Key, Authorization, Cookie");
    resp.header("Content-Disposition", "attachment; filename=\"" + d->name + "." + kind->key + "\"");
    resp.chunks =
        file_chunks(**tenant, *d, kind->format, cp932,
                    kind->format == FileFormat::Csv ? s.catalog.columns(**tenant, *d) : std::vector<Column>{});
    reply(std::move(resp));
  });
}

}  // namespace dejima::catalog
