#include "model/codec.h"

#include <algorithm>
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
//
// A delta has the same form with only the attributes the change wrote, each with its "c" and
// "m", and "x": the attributes it removed, as [name, datasetId, name, datasetId, ...].
namespace {

void write_attribute(json::Writer& w, const AttrInstance& a, const Entity& e, bool all_times) {
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
  if (all_times || a.created_at != e.created_at) {
    w.Key("c");
    w.Int64(a.created_at);
  }
  if (all_times || a.modified_at != e.modified_at) {
    w.Key("m");
    w.Int64(a.modified_at);
  }
  w.Key("v");
  json::write_raw(w, a.json);
  w.EndObject();
}

// The document's members before "a".
void write_head(json::Writer& w, const Entity& e) {
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
}

const AttrInstance& deref(const AttrInstance& a) { return a; }
const AttrInstance& deref(const AttrInstance* a) { return *a; }

// The document's members up to and including "a" with these attributes (the object left open).
template <class Attrs>
void write_document(json::Writer& w, const Entity& e, const Attrs& attrs, bool all_times) {
  w.StartObject();
  write_head(w, e);
  w.Key("a");
  w.StartArray();
  for (const auto& a : attrs) write_attribute(w, deref(a), e, all_times);
  w.EndArray();
}

}  // namespace

std::string encode(const Entity& e) {
  rapidjson::StringBuffer sb(nullptr, 2048);
  json::Writer w(sb);
  write_document(w, e, e.attrs, false);
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
    } else if (depth_ == 2 && top_key_ == "x") {
      removed_.emplace_back(text);
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
  // A delta's "x": removed attributes as name, datasetId pairs.
  std::vector<std::string>& removed() { return removed_; }

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
  std::vector<std::string> removed_;
  std::string top_key_, attr_key_, name_;
  size_t depth_ = 0, value_start_ = 0;
  Millis c_ = -1, m_ = -1;
  bool in_value_ = false, has_id_ = false, has_types_ = false, has_attrs_ = false, has_name_ = false,
       has_value_ = false;
};

}  // namespace

namespace {

// Reads a document or a delta; `removed` (when given) receives a delta's "x".
Result<Entity> read(std::string_view doc, std::vector<std::string>* removed) {
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
  if (removed) *removed = std::move(handler.removed());
  return std::move(*e);
}

// Where Entity::insert puts an attribute that `keys` (name, datasetId of each instance, in
// order) does not have: after the other instances of its name, or at the end.
using Key = std::pair<std::string_view, std::string_view>;
void insert_key(std::vector<Key>& keys, Key k) {
  auto last = std::find_if(keys.rbegin(), keys.rend(), [&](const Key& x) { return x.first == k.first; });
  keys.insert(last == keys.rend() ? keys.end() : last.base(), k);
}

}  // namespace

Result<Entity> decode(std::string_view doc) { return read(doc, nullptr); }

std::optional<std::string> encode_delta(const Entity& before, const Entity& after) {
  std::vector<Key> keys;
  keys.reserve(before.attrs.size() + 1);
  std::vector<const AttrInstance*> removed, written;
  for (const auto& a : before.attrs) {
    if (after.find(a.name, a.dataset_id))
      keys.emplace_back(a.name, a.dataset_id);
    else
      removed.push_back(&a);
  }
  for (const auto& a : after.attrs) {
    const AttrInstance* old = before.find(a.name, a.dataset_id);
    if (old && old->json == a.json && old->created_at == a.created_at && old->modified_at == a.modified_at) continue;
    written.push_back(&a);
    if (!old) insert_key(keys, Key(a.name, a.dataset_id));
  }
  // Folding the delta must give the attributes in after's order; a write that reorders them
  // (a replacement), or rewrites all of them, is recorded as the whole document.
  if (written.size() == after.attrs.size() || keys.size() != after.attrs.size()) return std::nullopt;
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i].first != std::string_view(after.attrs[i].name) ||
        keys[i].second != std::string_view(after.attrs[i].dataset_id))
      return std::nullopt;
  rapidjson::StringBuffer sb(nullptr, 512);
  json::Writer w(sb);
  write_document(w, after, written, true);
  w.Key("x");
  w.StartArray();
  for (const AttrInstance* a : removed) {
    json::write_string(w, a->name);
    json::write_string(w, a->dataset_id);
  }
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

Result<std::string> apply_delta(std::string_view doc, std::string_view delta) {
  auto e = read(doc, nullptr);
  if (!e) return std::unexpected(e.error());
  std::vector<std::string> removed;
  auto d = read(delta, &removed);
  if (!d) return std::unexpected(d.error());
  if (removed.size() % 2 != 0 || d->id != e->id)
    return fail(ErrorKind::InternalError, "corrupt entity delta", "removals or id do not match");
  e->types = std::move(d->types);
  e->scopes = std::move(d->scopes);
  e->created_at = d->created_at;
  e->modified_at = d->modified_at;
  for (size_t i = 0; i < removed.size(); i += 2) e->erase(removed[i], removed[i + 1], false);
  for (auto& a : d->attrs) {
    if (AttrInstance* cur = e->find(a.name, a.dataset_id)) {
      cur->json = std::move(a.json);
      cur->created_at = a.created_at;
      cur->modified_at = a.modified_at;
    } else {
      e->insert(std::move(a));
    }
  }
  return encode(*e);
}

}  // namespace dejima::model
