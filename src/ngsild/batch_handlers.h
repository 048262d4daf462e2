// Batch operations (clauses 5.6.7-5.6.10, 5.6.18): POST /entityOperations/{create,upsert,
// update,delete,merge}. Every valid item is written in one durable transaction; each invalid
// one is reported with its own ProblemDetails (207 BatchOperationResult).
#pragma once
#include "http/router.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

void add_batch_routes(http::Router& router, Services& services);

}  // namespace dejima::ngsild
