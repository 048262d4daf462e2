#include "model/codec.h"

#include <optional>
#include <utility>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "jsonld/context.h"
#include "util/json.h"

namespace dejima::model {

// {"id":..,"type":[..],"scope":[..],"c":ms,"m":ms,"a":[{"n":name,"d":datasetId,"c":ms,"m":ms,"v":{..}}]}
// An attribute name in the default vocabulary is written as "s" (its suffix) instead of "n", and
// an attribute's "c"/"m" are left out when they equal the entity's: most attributes of most
// entities, which halves a typical document. Documents written with "n" and every "c"/"m" (before
// 2026-12-02) read the same.
std::string encode(const Entity& e) {
  rapidjson::StringBuffer sb(nullptr, 2048);
  json::Writer w(sb);
  w.StartObject();
  w.Key("id");
  json::write_string(w, e.id);
  w.Key("type");
  w.StartArray();
  for (const auto& t : e.types) json::write_string(w, t);
  w.EndArray();
  if (!e.scopes.empty()) {
    w.Key("scope");
    w.StartArray();
    for (const auto& s : e.scopes) json::write_string(w, s);
    w.EndArray();
  }
  w.Key("c");
  w.Int64(e.created_at);
  w.Key("m");
  w.Int64(e.modified_at);
  w.Key("a");
  w.StartArray();
  for (const auto& a : e.attrs) {
    w.StartObject();
    const std::string_view name = a.name;
    if (name.starts_with(jsonld::kDefaultVocab)) {
      w.Key("s");
      json::write_string(w, name.substr(jsonld::kDefaultVocab.size()));
    } else {
      w.Key("n");
      json::write_string(w, name);
    }
    if (!a.dataset_id.empty()) {
      w.Key("d");
      json::write_string(w, a.dataset_id);
    }
    if (a.created_at != e.created_at) {
      w.Key("c");
      w.Int64(a.created_at);
    }
    if (a.modified_at != e.modified_at) {
      w.Key("m");
      w.Int64(a.modified_at);
    }
    w.Key("v");
    json::write_raw(w, a.json);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

namespace {

// Reads an entity document with RapidJSON's SAX reader, without building a DOM: an attribute's
// "v" is kept as the text it was written as (encode writes it verbatim), so it is neither copied
// into a tree nor serialised again. Depth 1 is the document's object, 2 its arrays, 3 an
// attribute object of "a".
class DocumentReader {
 public:
  DocumentReader(std::string_view doc, const rapidjson::MemoryStream& position) : doc_(doc), position_(position) {
    // Each attribute has one "v" (a value may hold more): room for all without reallocating.
    size_t values = 0;
    for (size_t at = doc.find("\"v\":"); at != std::string_view::npos; at = doc.find("\"v\":", at + 4)) ++values;
    e_.attrs.reserve(values);
    attr_times_.reserve(values);
  }

  bool Null() { return scalar(); }
  bool Bool(bool) { return scalar(); }
  bool Int(int i) { return number(i); }
  bool Uint(unsigned i) { return number(i); }
  bool Int64(int64_t i) { return number(i); }
  bool Uint64(uint64_t i) { return i <= static_cast<uint64_t>(INT64_MAX) ? number(static_cast<int64_t>(i)) : scalar(); }
  bool Double(double) { return scalar(); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return scalar(); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (in_value_) return scalar();
    const std::string_view text(s, n);
    if (depth_ == 2 && top_key_ == "type") {
      e_.types.emplace_back(text);
    } else if (depth_ == 2 && top_key_ == "scope") {
      e_.scopes.emplace_back(text);
    } else if (depth_ == 1 && top_key_ == "id") {
      e_.id = text;
      has_id_ = true;
    } else if (depth_ == 3 && attr_key_ == "n") {
      attr_.name = text;
      has_name_ = true;
    } else if (depth_ == 3 && attr_key_ == "s") {
      name_.assign(jsonld::kDefaultVocab).append(text);
      attr_.name = name_;
      has_name_ = true;
    } else if (depth_ == 3 && attr_key_ == "d") {
      attr_.dataset_id = text;
    }
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (in_value_) return true;
    if (depth_ == 1) top_key_.assign(s, n);
    if (depth_ != 3) return true;
    attr_key_.assign(s, n);
    if (attr_key_ == "v") {
      // The parser stands just after the key's closing quote; the value starts after the colon.
      size_t at = position_.Tell();
      while (at < doc_.size() &&
             (doc_[at] == ':' || doc_[at] == ' ' || doc_[at] == '\n' || doc_[at] == '\t' || doc_[at] == '\r'))
        ++at;
      in_value_ = true;
      value_start_ = at;
    }
    return true;
  }
  // The parser recurses: a damaged document nested too deep must not overflow the stack.
  bool StartObject() {
    if (++depth_ > json::kMaxDepth) return false;
    if (!in_value_ && depth_ == 3) {
      if (top_key_ != "a") return false;
      attr_ = AttrInstance{};
      c_ = m_ = -1;
      has_name_ = has_value_ = false;
    }
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return end(); }
  bool StartArray() {
    if (++depth_ > json::kMaxDepth) return false;
    if (!in_value_ && depth_ == 2) {
      has_types_ |= top_key_ == "type";
      has_attrs_ |= top_key_ == "a";
    }
    return true;
  }
  bool EndArray(rapidjson::SizeType) { return end(); }

  // The entity, or nothing when the document lacks a member or has one of the wrong kind.
  std::optional<Entity> take() {
    if (!has_id_ || !has_types_ || !has_attrs_) return std::nullopt;
    for (size_t i = 0; i < e_.attrs.size(); ++i) {
      if (attr_times_[i].first < 0) e_.attrs[i].created_at = e_.created_at;
      if (attr_times_[i].second < 0) e_.attrs[i].modified_at = e_.modified_at;
    }
    return std::move(e_);
  }

 private:
  bool number(int64_t i) {
    if (in_value_) return scalar();
    if (depth_ == 1 && top_key_ == "c") e_.created_at = i;
    if (depth_ == 1 && top_key_ == "m") e_.modified_at = i;
    if (depth_ == 3 && attr_key_ == "c") c_ = attr_.created_at = i;
    if (depth_ == 3 && attr_key_ == "m") m_ = attr_.modified_at = i;
    return true;
  }
  // A scalar inside an attribute's value, or the whole value when it is a scalar.
  bool scalar() {
    if (in_value_ && depth_ == 3) value_ended();
    return true;
  }
  bool end() {
    --depth_;
    if (in_value_) {
      if (depth_ == 3) value_ended();
      return true;
    }
    if (depth_ == 2 && top_key_ == "a") {  // the end of an attribute object
      if (!has_name_ || !has_value_) return false;
      e_.attrs.push_back(std::move(attr_));
      attr_times_.emplace_back(c_, m_);
    }
    return true;
  }
  void value_ended() {
    attr_.json.assign(doc_.substr(value_start_, position_.Tell() - value_start_));
    in_value_ = false;
    has_value_ = true;
  }

  std::string_view doc_;
  const rapidjson::MemoryStream& position_;
  Entity e_;
  AttrInstance attr_;
  std::vector<std::pair<Millis, Millis>> attr_times_;  // "c" and "m" of each attribute, -1 = absent
  std::string top_key_, attr_key_, name_;
  size_t depth_ = 0, value_start_ = 0;
  Millis c_ = -1, m_ = -1;
  bool in_value_ = false, has_id_ = false, has_types_ = false, has_attrs_ = false, has_name_ = false,
       has_value_ = false;
};

}  // namespace

Result<Entity> decode(std::string_view doc) {
  rapidjson::MemoryStream ms(doc.data(), doc.size());
  DocumentReader handler(doc, ms);
  rapidjson::Reader reader;
  const rapidjson::ParseResult result = reader.Parse(ms, handler);
  if (result.Code() != rapidjson::kParseErrorNone && result.Code() != rapidjson::kParseErrorTermination)
    return fail(
        ErrorKind::InternalError, "corrupt entity document",
        std::string(rapidjson::GetParseError_En(result.Code())) + " (at byte " + std::to_string(result.Offset()) + ")");
  std::optional<Entity> e = result.IsError() ? std::nullopt : handler.take();
  if (!e) return fail(ErrorKind::InternalError, "corrupt entity document", "unexpected layout");
  return std::move(*e);
}

}  // namespace dejima::model
