// Text encodings of published files: UTF-8 with or without a byte-order mark, Shift_JIS
// (Windows code page 932, as Japanese spreadsheets save CSV) and UTF-16 with a byte-order mark.
#pragma once
#include <string>
#include <string_view>

#include "util/error.h"

namespace dejima::connect {

struct Decoded {
  std::string text;      // UTF-8, without a byte-order mark
  std::string encoding;  // what the input was: "UTF-8", "UTF-8 (BOM)", "CP932", "UTF-16LE", "UTF-16BE"
};

bool valid_utf8(std::string_view s);

// `declared` is "auto" (detect: a BOM, else valid UTF-8, else CP932), "utf-8" or "cp932"
// ("shift_jis" and "sjis" mean cp932). Input that is none of them is BadRequestData.
Result<Decoded> to_utf8(std::string_view bytes, std::string_view declared = "auto");
// UTF-8 text as CP932 (Shift_JIS as Excel reads it); a character CP932 lacks becomes '?'.
std::string to_cp932(std::string_view utf8);

}  // namespace dejima::connect
