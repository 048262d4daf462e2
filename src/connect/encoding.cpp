#include "connect/encoding.h"

#include <algorithm>
#include <cerrno>

#include <iconv.h>

namespace dejima::connect {
namespace {

// The length of the UTF-8 sequence that starts with byte c (1 for a stray byte).
size_t sequence_length(unsigned char c) { return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1; }

// `bytes` from one encoding into another. An undecodable sequence is an error, or with
// `replace` (UTF-8 input) its character becomes '?'.
Result<std::string> convert(std::string_view bytes, const char* from, const char* to = "UTF-8", bool replace = false) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return fail(ErrorKind::InternalError, "No converter", from);
  std::string out(bytes.size() * 3 / 2 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  size_t done = 0;
  Status status;
  while (in_left > 0) {
    char* o = out.data() + done;
    size_t o_left = out.size() - done;
    const size_t rc = iconv(cd, &in, &in_left, &o, &o_left);
    done = out.size() - o_left;
    if (rc != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    if (replace) {  // EILSEQ or EINVAL: a character without a form in `to` (or a broken sequence)
      const size_t skip = std::min(in_left, sequence_length(static_cast<unsigned char>(*in)));
      in += skip;
      in_left -= skip;
      if (done == out.size()) out.resize(out.size() * 2);
      out[done++] = '?';
      continue;
    }
    status = fail(ErrorKind::BadRequestData, "Undecodable text",
                  std::string("not valid ") + from + " at byte " + std::to_string(bytes.size() - in_left));
    break;
  }
  iconv_close(cd);
  if (!status) return std::unexpected(status.error());
  out.resize(done);
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

std::string to_cp932(std::string_view utf8) {
  auto out = convert(utf8, "UTF-8", "CP932", true);
  return out ? std::move(*out) : std::string(utf8);
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    int n;
    unsigned cp;
    if ((*p & 0xE0) == 0xC0)
      n = 1, cp = *p & 0x1F;
    else if ((*p & 0xF0) == 0xE0)
      n = 2, cp = *p & 0x0F;
    else if ((*p & 0xF8) == 0xF0)
      n = 3, cp = *p & 0x07;
    else
      return false;
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    // No overlong forms, surrogates or code points past U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p += n + 1;
  }
  return true;
}

Result<Decoded> to_utf8(std::string_view bytes, std::string_view declared) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  const bool sjis = declared == "cp932" || declared == "shift_jis" || declared == "sjis";
  if (declared != "auto" && declared != "utf-8" && !sjis)
    return fail(ErrorKind::BadRequestData, "Unknown encoding",
                "encoding '" + std::string(declared) + "' (use auto, utf-8 or cp932)");
  if (!sjis && starts_with(bytes, kBom)) {
    bytes.remove_prefix(kBom.size());
    if (!valid_utf8(bytes))
      return fail(ErrorKind::BadRequestData, "Undecodable text", "a UTF-8 BOM, then bytes that are not UTF-8");
    return Decoded{std::string(bytes), "UTF-8 (BOM)"};
  }
  if (declared == "auto" && (starts_with(bytes, "\xFF\xFE") || starts_with(bytes, "\xFE\xFF"))) {
    const bool le = bytes[0] == '\xFF';
    bytes.remove_prefix(2);
    auto text = convert(bytes, le ? "UTF-16LE" : "UTF-16BE");
    if (!text) return std::unexpected(text.error());
    return Decoded{std::move(*text), le ? "UTF-16LE" : "UTF-16BE"};
  }
  if (!sjis && valid_utf8(bytes)) return Decoded{std::string(bytes), "UTF-8"};
  if (declared == "utf-8") return fail(ErrorKind::BadRequestData, "Undecodable text", "the source is not valid UTF-8");
  auto text = convert(bytes, "CP932");
  if (!text) return std::unexpected(text.error());
  return Decoded{std::move(*text), "CP932"};
}

}  // namespace dejima::connect
