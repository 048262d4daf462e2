#include "catalog/licenses.h"

namespace dejima::catalog {

const std::vector<License>& licenses() {
  static const std::vector<License> all = {
      {"cc-by-4.0", "クリエイティブ・コモンズ 表示 4.0 国際", "https://creativecommons.org/licenses/by/4.0/deed.ja"},
      {"cc-by-2.1-jp", "クリエイティブ・コモンズ 表示 2.1 日本", "https://creativecommons.org/licenses/by/2.1/jp/"},
      {"cc0-1.0", "クリエイティブ・コモンズ CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/deed.ja"},
      {"japanese-2.0", "公共データ利用規約（第1.0版）/ 政府標準利用規約（第2.0版）",
       "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"},
      {"other-closed", "非公開（利用条件は提供者に確認）", "", false},
  };
  return all;
}

const License& license(std::string_view id) {
  for (const auto& l : licenses())
    if (l.id == id) return l;
  return licenses().front();
}

}  // namespace dejima::catalog
