// A member of the platform as the tenant registry keeps it: the NGSILD-Tenant name, display
// names, 全国地方公共団体コード, kind and population (the cost shares use them), and the entity
// types anyone may read there.
#pragma once
#include <string>
#include <vector>

#include "util/error.h"
#include "util/json.h"
#include "util/time.h"

namespace dejima::access {

// The registry's name of the default tenant (the request names none). NGSILD-Tenant: default
// means the default tenant too.
inline constexpr std::string_view kDefaultTenantAlias = "default";

struct TenantRecord {
  std::string name;  // "" = the default tenant
  std::string name_ja, name_en;
  std::string code;  // 6 digits, check digit included; "" = none (kind other)
  std::string kind;  // prefecture | city | town | village | other
  long long population = 0;
  std::vector<std::string> public_types;  // readable without credentials (short names or IRIs)
  Millis created_at = 0, modified_at = 0;
};

// The check digit of a 5-digit 全国地方公共団体コード (総務省: weights 6,5,4,3,2; 11 - sum mod 11,
// last digit), or -1 when `code5` is not 5 digits.
int local_government_check_digit(std::string_view code5);
// Whether `code` is 6 digits whose last is the check digit of the first five.
bool valid_local_government_code(std::string_view code);

// The API/stored form: {"name", "nameJa", "nameEn", "code", "kind", "population",
// "publicTypes", "createdAt", "modifiedAt"}; the default tenant's name reads "default".
std::string tenant_json(const TenantRecord& t);
void write_tenant(json::Writer& w, const TenantRecord& t);
// Applies the members `body` has to `t` (a POST's new record or a PATCH's current one) and
// checks the result. `name` is only taken when `creating`.
Status apply_tenant_fields(const json::Value& body, TenantRecord& t, bool creating);
// A record as tenant_json wrote it.
Result<TenantRecord> stored_tenant(std::string_view body);

}  // namespace dejima::access
