#include "util/json.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

namespace dejima::json {
namespace {

// Passes the parser's events to the document, refusing to nest deeper than kMaxDepth. Numbers
// arrive as text (kParseNumbersAsStringsFlag) and are read with std::from_chars, which rounds
// correctly: RapidJSON's default reading may be an ulp off for long mantissas (a stored double
// then reads back as another), and its full-precision path shifts by clz(0) on "0e-300".
struct DepthLimited {
  Document& d;
  bool check_utf8 = false;
  size_t depth = 0;
  bool too_deep = false, bad_utf8 = false, too_big = false;

  bool open() {
    too_deep = ++depth > kMaxDepth;
    return !too_deep;
  }
  bool Null() { return d.Null(); }
  bool Bool(bool b) { return d.Bool(b); }
  bool Int(int i) { return d.Int(i); }
  bool Uint(unsigned i) { return d.Uint(i); }
  bool Int64(int64_t i) { return d.Int64(i); }
  bool Uint64(uint64_t i) { return d.Uint64(i); }
  bool Double(double x) { return d.Double(x); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    const char* end = s + n;
    if (std::find_if(s, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; }) == end) {
      if (*s == '-') {
        int64_t i = 0;
        if (auto r = std::from_chars(s, end, i); r.ec == std::errc() && r.ptr == end) return d.Int64(i);
      } else {
        uint64_t u = 0;
        if (auto r = std::from_chars(s, end, u); r.ec == std::errc() && r.ptr == end) return d.Uint64(u);
      }
    }
    double x = 0;
    auto r = std::from_chars(s, end, x);
    if (r.ec == std::errc::result_out_of_range) {
      // Below the smallest double: zero, as RapidJSON reads it; above the largest: refused.
      const char* e = std::find_if(s, end, [](char c) { return c == 'e' || c == 'E'; });
      too_big = e == end || e + 1 == end || e[1] != '-';
      if (too_big) return false;
      return d.Double(*s == '-' ? -0.0 : 0.0);
    }
    return r.ec == std::errc() && d.Double(x);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return text_ok(s, n) && d.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return text_ok(s, n) && d.Key(s, n, copy); }
  // RapidJSON's UTF-8 check sees the escapes, not what they decode to: a lone low surrogate
  // ("\uDC00") becomes the bytes ED B0 80, which are not UTF-8. Decoded surrogates start with ED.
  bool text_ok(const char* s, rapidjson::SizeType n) {
    if (!check_utf8 || !std::memchr(s, '\xED', n) || valid_utf8({s, n})) return true;
    bad_utf8 = true;
    return false;
  }
  bool StartObject() { return open() && d.StartObject(); }
  bool EndObject(rapidjson::SizeType n) { return --depth, d.EndObject(n); }
  bool StartArray() { return open() && d.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return --depth, d.EndArray(n); }
};

template <unsigned Flags>
std::string parse_with(Document& doc, std::string_view text) {
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
  rapidjson::Reader reader;
  rapidjson::ParseResult result;
  bool too_deep = false, bad_utf8 = false, too_big = false;
  auto generate = [&](Document& d) {
    DepthLimited limited{d, (Flags & rapidjson::kParseValidateEncodingFlag) != 0};
    result = reader.Parse<Flags | rapidjson::kParseNumbersAsStringsFlag>(in, limited);
    too_deep = limited.too_deep;
    bad_utf8 = limited.bad_utf8;
    too_big = limited.too_big;
    return !result.IsError();
  };
  doc.SetNull();
  doc.Populate(generate);
  if (too_deep)
    return "arrays and objects nested deeper than " + std::to_string(kMaxDepth) + " levels (at byte " +
           std::to_string(result.Offset()) + ")";
  if (too_big) return "Number too big to be stored in double (at byte " + std::to_string(result.Offset()) + ")";
  if (bad_utf8)
    return "Invalid encoding in string: an escape that is not a whole character (at byte " +
           std::to_string(result.Offset()) + ")";
  if (result.IsError())
    return std::string(rapidjson::GetParseError_En(result.Code())) + " (at byte " + std::to_string(result.Offset()) +
           ")";
  return {};
}

}  // namespace

std::string parse(Document& doc, std::string_view text) {
  return parse_with<rapidjson::kParseValidateEncodingFlag>(doc, text);
}

std::string parse_stored(Document& doc, std::string_view text) {
  return parse_with<rapidjson::kParseDefaultFlags>(doc, text);
}

bool valid_utf8(std::string_view text) {
  struct Discard {
    void Put(char) {}
  } out;
  rapidjson::MemoryStream ms(text.data(), text.size());
  while (ms.Tell() < text.size())
    if (!rapidjson::UTF8<>::Validate(ms, out)) return false;
  return true;
}

}  // namespace dejima::json
