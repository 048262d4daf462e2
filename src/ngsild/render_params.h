// Query parameters that shape an entity representation: options, format, attrs, pick, omit, lang.
#pragma once
#include "model/render.h"
#include "ngsild/request_context.h"
#include "query/selection.h"

namespace dejima::ngsild {

Result<model::RenderOptions> render_options(const RequestContext& c);
// Splits a comma-separated parameter value, dropping empty items.
using query::split_list;

}  // namespace dejima::ngsild
