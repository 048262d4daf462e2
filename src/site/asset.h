// A file held in memory ready to send: its bytes, their gzip (when that is smaller), a strong
// ETag and the headers it goes out with. The web app's files and the map layers are assets.
#pragma once
#include <string>

#include "http/message.h"

namespace dejima::site {

struct Asset {
  std::string content_type;
  std::string cache_control;
  std::string body;
  std::string gzipped;       // empty: not worth compressing
  std::string etag;          // quoted
  std::string gzipped_etag;  // the gzipped body's: another representation, another tag
};

Asset make_asset(std::string body, std::string content_type, std::string cache_control);
// 200 with the body (gzipped when the client accepts it), or 304 when If-None-Match names it.
http::Response respond(const Asset& asset, const http::Request& req);

}  // namespace dejima::site
