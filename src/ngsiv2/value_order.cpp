#include "ngsiv2/value_order.h"

namespace dejima::ngsiv2 {
int kind_rank(const json::Value& v) {
  if (v.IsNull()) return 0;
  if (v.IsNumber()) return 1;
  if (v.IsString()) return 2;
  if (v.IsObject()) return 3;
  if (v.IsArray()) return 4;
  return 5;
}

int compare_values(const json::Value& a, const json::Value& b) {
  if (kind_rank(a) != kind_rank(b)) return kind_rank(a) < kind_rank(b) ? -1 : 1;
  if (a.IsNumber()) return a.GetDouble() < b.GetDouble() ? -1 : a.GetDouble() > b.GetDouble() ? 1 : 0;
  if (a.IsString()) return json::view(a).compare(json::view(b));
  if (a.IsBool()) return static_cast<int>(a.GetBool()) - static_cast<int>(b.GetBool());
  if (a.IsArray()) {
    for (rapidjson::SizeType i = 0; i < a.Size() && i < b.Size(); ++i)
      if (int c = compare_values(a[i], b[i])) return c;
    return a.Size() < b.Size() ? -1 : a.Size() > b.Size() ? 1 : 0;
  }
  if (a.IsObject()) {  // member by member: the name, then the value
    auto x = a.MemberBegin(), y = b.MemberBegin();
    for (; x != a.MemberEnd() && y != b.MemberEnd(); ++x, ++y) {
      if (int c = json::view(x->name).compare(json::view(y->name))) return c;
      if (int c = compare_values(x->value, y->value)) return c;
    }
    return x != a.MemberEnd() ? 1 : y != b.MemberEnd() ? -1 : 0;
  }
  return 0;
}

}  // namespace dejima::ngsiv2
