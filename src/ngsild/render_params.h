// Query parameters that shape an entity representation: options, format, attrs, pick, omit, lang.
#pragma once
#include "model/render.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

Result<model::RenderOptions> render_options(const RequestContext& c);
// Splits a comma-separated parameter value, dropping empty items.
std::vector<std::string> split_list(std::string_view s);

}  // namespace dejima::ngsild
