// The durable record of one write: a WriteBatch (entity changes and history operations) as the
// bytes a driver keeps in its ordered record log until the state derived from it is durable.
// The same bytes serve any driver (SQLite now; a PostgreSQL log shared by several instances
// later, docs/WRITE_PATH.md), so the form is the driver's concern only in where it keeps them.
//
// Layout (little-endian): u8 version, u32 entity writes {str id, u8 kind (0 delete, 1 document,
// 2 delta), str doc unless deleted}, u32 history writes {u8 op, entity {str id, list types, list
// scopes, i64 created, modified, deleted}, u32 instances {str attr, str dataset, str json, i64
// observed, created, modified, deleted}, str attr, str dataset, u8 all, i64 instance}; str = u32
// length + bytes, list = u32 count + str each. Decoding checks every length against the bytes.
#pragma once
#include <string>
#include <string_view>

#include "store/store.h"

namespace dejima::store {

std::string encode_record(const WriteBatch& batch);
Result<WriteBatch> decode_record(std::string_view bytes);

}  // namespace dejima::store
