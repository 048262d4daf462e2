// Building a query::Filter and a query::Page from a request: URL parameters (GET /entities,
// DELETE /entities, later the temporal API) or a Query body (POST /entityOperations/query).
#pragma once
#include "ngsild/request_context.h"
#include "query/filter.h"
#include "query/selection.h"

namespace dejima::ngsild {

using query::add_attrs;

// type, id, idPattern, attrs, q, scopeQ, georel/geometry/coordinates/geoproperty. With
// require_criterion, a query that gives none of type, id, attrs, q or geoQ (nor local=true) is 400.
Result<query::Filter> filter_from_params(const RequestContext& c, bool require_criterion);
// A Query data type (clause 5.2.23) body.
Result<query::Filter> filter_from_body(const json::Value& body, const RequestContext& c);
// limit, offset, count; limit above the configured maximum is 403 TooManyResults.
Result<query::Page> page_from_params(const RequestContext& c, const Options& options);
// Link headers to the previous page and, when `more`, the next one: the request's own path and
// parameters with offset moved by limit (rel="prev"/"next").
void add_page_links(http::Response& r, const RequestContext& c, const query::Page& page, bool more);

}  // namespace dejima::ngsild
