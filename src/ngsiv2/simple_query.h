// NGSIv2's Simple Query Language (q over attribute values, mq over metadata) translated into the
// NGSI-LD q language that query/ parses and evaluates: `temperature>40;name==Bob` becomes
// `temperature>40;name=="Bob"`, a path into a structured value `a.b.c==1` becomes `a[b][c]==1`,
// metadata `a.accuracy>0.5` stays a sub-attribute path. `!attr` and `!a.b` (no such attribute,
// path or metadata), which the NGSI-LD language lacks, are returned apart as terms a match must
// not satisfy.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace dejima::ngsiv2 {

struct SimpleQuery {
  std::string q;                    // NGSI-LD q text; empty when every statement is a negation
  std::vector<std::string> absent;  // NGSI-LD q terms (existence) a match must not satisfy
};

// Appends the statements of `text` (q when !metadata, mq otherwise) to `out`.
Status translate_query(std::string_view text, bool metadata, SimpleQuery& out);

}  // namespace dejima::ngsiv2
