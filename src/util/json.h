// Small helpers over RapidJSON shared by every module.
#pragma once
#include <cstring>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace dejima::json {

using Value = rapidjson::Value;
using Document = rapidjson::Document;
// RapidJSON's writer into a StringBuffer, with a raw value appended in one copy (RapidJSON's own
// RawValue copies it byte by byte, and cached entity bodies are most of a query's response).
class Writer : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  using rapidjson::Writer<rapidjson::StringBuffer>::Writer;
  void raw(std::string_view json, rapidjson::Type type) {
    Prefix(type);
    if (!json.empty()) std::memcpy(os_->Push(json.size()), json.data(), json.size());
    EndValue(true);
  }
};

inline std::string_view view(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

inline std::string to_string(const Value& v) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  v.Accept(w);
  return {sb.GetString(), sb.GetSize()};
}

// The text `body` writes with a Writer.
template <class F>
std::string written(F&& body) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  body(w);
  return {sb.GetString(), sb.GetSize()};
}

inline void write_string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
inline void write_key(Writer& w, std::string_view s) { w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
// The member `name` of an object, or null (also when v is not an object).
inline const Value* member(const Value& v, std::string_view name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(Value(rapidjson::StringRef(name.data(), name.size())));
  return it == v.MemberEnd() ? nullptr : &it->value;
}
inline Value* member(Value& v, std::string_view name) {
  return const_cast<Value*>(member(static_cast<const Value&>(v), name));
}

// Appends already-serialized JSON as a value.
inline void write_raw(Writer& w, std::string_view json) { w.raw(json, rapidjson::kObjectType); }

// A Document whose first `N` bytes of values live inside the object itself, so that parsing a
// small document does not touch the heap (RapidJSON's default allocator grabs 64 KB chunks).
template <size_t N = 4096>
struct LocalDocument {
  LocalDocument() = default;
  LocalDocument(const LocalDocument&) = delete;
  LocalDocument& operator=(const LocalDocument&) = delete;
  alignas(8) char buffer[N];
  rapidjson::MemoryPoolAllocator<> allocator{buffer, N, 8192};
  Document doc{&allocator};
};

// Arrays and objects nested deeper than this are refused: RapidJSON's parser and every walk over
// a document recurse, so a body of 100,000 '[' would otherwise overflow a thread's stack.
constexpr size_t kMaxDepth = 512;

// Parses with full validation, the text's UTF-8 included (request bodies, remote documents,
// sources); returns a message on error (empty on success).
std::string parse(Document& doc, std::string_view text);
// The same without the UTF-8 check, for documents Dejima wrote itself (stored entities and
// attribute values, subscriptions, run logs, rendered bodies), which were checked when they came
// in. Both read numbers exactly: a double written and read back is the same double.
std::string parse_stored(Document& doc, std::string_view text);
// Whether text is well-formed UTF-8 (URL paths and parameters, after percent-decoding).
bool valid_utf8(std::string_view text);

}  // namespace dejima::json
