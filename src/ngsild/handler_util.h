// Glue shared by the NGSI-LD handlers.
#pragma once
#include <utility>

#include "http/problem.h"
#include "ngsild/request_context.h"

namespace dejima::ngsild {

// Builds the request context and runs `f(ctx, reply)`; replies with the problem otherwise.
template <class F>
void with_request(const http::Request& req, Services& s, Expect expect, http::Reply reply, F&& f) {
  auto c = make_request_context(req, s, expect);
  if (!c) return reply(http::problem(c.error()));
  f(std::move(*c), std::move(reply));
}

// The completion of a write: 204 on success, the problem otherwise.
inline auto reply_no_content(http::Reply reply) {
  return [reply = std::move(reply)](Status s) { reply(s ? no_content() : http::problem(s.error())); };
}

// Options given as ?options=a,b: true when `name` is among them.
bool has_option(const http::Request& req, std::string_view name);

}  // namespace dejima::ngsild
