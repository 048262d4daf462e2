#include "connect/columns.h"

#include <cctype>
#include <unordered_map>

#include "model/parse.h"

namespace dejima::connect {
namespace {

using K = ColumnKind;
struct Entry {
  const char* header;
  const char* attr;
  ColumnKind kind = K::Text;
};

// G2/G3 names first, then the G1 and event-list variants, then the GSI shelter properties.
constexpr Entry kColumns[] = {
    {"全国地方公共団体コード", "localGovernmentCode"},
    {"都道府県コード又は市区町村コード", "localGovernmentCode"},
    {"市区町村コード", "localGovernmentCode"},
    {"地方公共団体名", "localGovernmentName"},
    {"名称", "name"},
    {"施設名等", "name"},
    {"施設名称", "name"},
    {"施設・場所名", "name"},
    {"イベント名", "name"},
    {"介護サービス事業所名称", "name"},
    {"データ名称", "name"},
    {"名称_カナ", "nameKana"},
    {"名称(カナ)", "nameKana"},
    {"イベント名_カナ", "nameKana"},
    {"施設名称_カナ", "nameKana"},
    {"介護サービス事業所名称_カナ", "nameKana"},
    {"名称_英字", "nameEn"},
    {"名称_英語", "nameEn"},
    {"名称(英字)", "nameEn"},
    {"イベント名_英語", "nameEn"},
    {"名称_通称", "alternateName"},
    {"名称(通称)", "alternateName"},
    {"所在地_全国地方公共団体コード", "locatedLocalGovernmentCode"},
    {"町字ID", "streetAddressId"},
    {"所在地_連結表記", "fullAddress"},
    {"所在地_連結標記", "fullAddress"},
    {"住所", "fullAddress"},
    {"所在地", "fullAddress"},
    {"施設所在地", "fullAddress"},
    {"所在地_都道府県", "prefecture"},
    {"住所都道府県", "prefecture"},
    {"都道府県名", "prefecture"},
    {"所在地_市区町村", "city"},
    {"住所市区町村", "city"},
    {"市区町村名", "city"},
    {"都道府県名及び市町村名", "localGovernmentName"},
    {"所在地_町字", "streetAddress"},
    {"住所町名", "streetAddress"},
    {"所在地_番地以下", "cityBlock"},
    {"住所丁目以下", "cityBlock"},
    {"建物名等(方書)", "buildingNameEtc"},
    {"建物名等", "buildingNameEtc"},
    {"方書", "buildingNameEtc"},
    {"施設方書", "buildingNameEtc"},
    {"緯度", "latitude", K::Latitude},
    {"経度", "longitude", K::Longitude},
    {"latitude", "latitude", K::Latitude},
    {"longitude", "longitude", K::Longitude},
    {"location", "location", K::LatLon},
    {"標高", "height", K::Number},
    {"高度の種別", "heightType"},
    {"高度の値", "height", K::Number},
    {"elevation", "height", K::Number},
    {"郵便番号", "contactPointPostalCode"},
    {"電話番号", "contactPointPhoneNumber"},
    {"施設電話番号", "contactPointPhoneNumber"},
    {"連絡先電話番号", "contactPointPhoneNumber"},
    {"内線番号", "contactPointExtension"},
    {"連絡先内線番号", "contactPointExtension"},
    {"FAX番号", "contactPointFaxNumber"},
    {"連絡先メールアドレス", "contactPointEmailAddress"},
    {"連絡先FormURL", "contactPointFormUrl"},
    {"連絡先備考(その他、SNSなど)", "contactPointRemarks"},
    {"連絡先名称", "contactPointName"},
    {"POIコード", "poiCode"},
    {"施設種別", "facilityTypeDetail"},
    {"法人番号", "legalEntityNumber"},
    {"法人の名称", "legalEntityName"},
    {"団体名", "tradeName"},
    {"所有者等", "tradeName"},
    {"利用可能曜日", "serviceDay"},
    {"診療曜日", "serviceDay"},
    {"開始時間", "startTime"},
    {"開始時刻", "startTime"},
    {"利用開始時間", "startTime"},
    {"診療開始時間", "startTime"},
    {"終了時間", "endTime"},
    {"終了時刻", "endTime"},
    {"利用終了時間", "endTime"},
    {"診療終了時間", "endTime"},
    {"利用可能日時特記事項", "dateTimeRemarks"},
    {"利用可能時間特記事項", "dateTimeRemarks"},
    {"診療日時特記事項", "dateTimeRemarks"},
    {"日時備考", "startDateTimeRemarks"},
    {"開始日時特記事項", "startDateTimeRemarks"},
    {"開始日", "startDate"},
    {"終了日", "endDate"},
    {"料金(基本)", "fee", K::Number},
    {"料金_基本", "fee", K::Number},
    {"料金(詳細)", "feeRemarks"},
    {"料金備考", "feeRemarks"},
    {"説明", "description"},
    {"説明_英語", "descriptionEn"},
    {"概要", "abstract"},
    {"概要_英語", "abstractEn"},
    {"サブタイトル", "subTitle"},
    {"サブイベント", "subEvent"},
    {"イベント種類", "eventType"},
    {"状態", "status"},
    {"場所名称", "locationName"},
    {"集合場所", "registrationLocation"},
    {"主催団体", "organizer"},
    {"主催者", "organizer"},
    {"共催団体", "coorganizer"},
    {"その他関係団体", "relatedGroup"},
    {"対象者", "targetPerson"},
    {"定員", "capacity", K::Number},
    {"外国語対応", "foreignLanguageSupport"},
    {"参加申込終了日", "applicationDeadlineDate"},
    {"申込期限日", "applicationDeadlineDate"},
    {"参加申込終了時間", "applicationDeadlineTime"},
    {"申込期限時刻", "applicationDeadlineTime"},
    {"参加申込方法", "applicationMethod"},
    {"申込方法", "applicationMethod"},
    {"アクセス方法", "accessMethod"},
    {"駐車場情報", "parkingInformation"},
    {"駐輪場情報", "bicycleParkingInformation"},
    {"バリアフリー情報", "barrierFreeInformation"},
    {"URL", "url"},
    {"画像", "pictureUrl"},
    {"画像URL", "pictureUrl"},
    {"画像_ライセンス", "pictureLicense"},
    {"備考", "remarks"},
    {"設置位置", "installationLocation"},
    {"設置場所", "installationLocation"},
    {"小児対応設備の有無", "pediatricSupport"},
    {"医療機関の種類", "medicalType"},
    {"医療機関コード", "medicalCode"},
    {"時間外における対応", "afterHoursCare"},
    {"診療科目", "medicalSpecialities"},
    {"病床数", "numberOfBeds", K::Number},
    {"文化財分類", "culturalPropertyClassification"},
    {"種類", "culturalPropertyType"},
    {"文化財指定日", "designatedDate"},
    {"種別", "facilityType"},
    {"実施サービス", "serviceType"},
    {"事業所番号", "officeNumber"},
    {"収容定員", "maxCapacity", K::Number},
    {"受入年齢", "minAge"},
    {"一時預かりの有無", "temporaryChildCare"},
    {"認可等年月日", "approvalDate"},
    {"口径", "diameter", K::Number},
    {"SSID", "ssid"},
    {"提供エリア", "serviceArea"},
    {"設置者", "installer"},
    {"男性トイレ総数", "totalMaleToilet", K::Number},
    {"女性トイレ総数", "totalFemaleToilet", K::Number},
    {"男女共用トイレ総数", "totalUnisexToilet", K::Number},
    {"多機能トイレ数", "numberOfMultipurposeToilet", K::Number},
    {"バリアフリートイレ数", "numberOfMultipurposeToilet", K::Number},
    {"車椅子使用者用トイレ有無", "multipurposeToilet"},
    {"乳幼児用設備設置トイレ有無", "babyCareToilet"},
    {"オストメイト設置トイレ有無", "toiletForOstomates"},
    {"想定収容人数", "maxCapacity", K::Number},
    {"capacity", "maxCapacity", K::Number},
    {"対象となる町会・自治会", "receptionTargetLocalCommunity"},
    {"災害種別_洪水", "typeOfDisasterFlood", K::Flag},
    {"災害種別_崖崩れ、土石流及び地滑り", "typeOfDisasterLandslide", K::Flag},
    {"災害種別_高潮", "typeOfDisasterStormSurge", K::Flag},
    {"災害種別_地震", "typeOfDisasterEarthquake", K::Flag},
    {"災害種別_津波", "typeOfDisasterTsunami", K::Flag},
    {"災害種別_大規模な火事", "typeOfDisasterFire", K::Flag},
    {"災害種別_内水氾濫", "typeOfDisasterInlandFlood", K::Flag},
    {"災害種別_火山現象", "typeOfDisasterEruption", K::Flag},
    {"指定避難所との重複", "alsoForShelter", K::Flag},
    {"洪水", "typeOfDisasterFlood", K::Flag},
    {"崖崩れ、土石流及び地滑り", "typeOfDisasterLandslide", K::Flag},
    {"高潮", "typeOfDisasterStormSurge", K::Flag},
    {"地震", "typeOfDisasterEarthquake", K::Flag},
    {"津波", "typeOfDisasterTsunami", K::Flag},
    {"大規模な火事", "typeOfDisasterFire", K::Flag},
    {"内水氾濫", "typeOfDisasterInlandFlood", K::Flag},
    {"火山現象", "typeOfDisasterEruption", K::Flag},
    {"指定避難所との住所同一", "alsoForShelter", K::Flag},
    {"指定緊急避難場所との住所同一", "alsoForEvacuationSpace", K::Flag},
    {"受入対象者", "receptionTarget"},
    {"調査年月日", "dateOfSurvey"},
    {"地域コード", "areaCode"},
    {"地域名", "areaName"},
    {"総人口", "totalPopulation", K::Number},
    {"男性", "male", K::Number},
    {"女性", "female", K::Number},
    {"世帯数", "numberOfHousehold", K::Number},
    {"データ概要", "description"},
    {"データ形式", "dataFormat"},
    {"分類", "category"},
    {"更新頻度", "updateFrequency"},
    {"API対応有無", "apiAvailable"},
    {"ライセンス", "license"},
    {"登録日", "registrationDate"},
    {"最終更新日", "lastUpdateDate"},
};

const std::unordered_map<std::string_view, const Entry*>& table() {
  static const auto* t = [] {
    auto* m = new std::unordered_map<std::string_view, const Entry*>();
    for (const auto& e : kColumns) m->emplace(e.header, &e);
    return m;
  }();
  return *t;
}

}  // namespace

std::string normalise_header(std::string_view h) {
  std::string out;
  for (size_t i = 0; i < h.size();) {
    // Full-width brackets and the ideographic space (3 bytes in UTF-8) become ASCII.
    if (h.substr(i, 3) == "（")
      out += '(', i += 3;
    else if (h.substr(i, 3) == "）")
      out += ')', i += 3;
    else if (h.substr(i, 3) == "\u3000" || h[i] == ' ' || h[i] == '\t')
      i += h[i] == ' ' || h[i] == '\t' ? 1 : 3;
    else
      out += h[i++];
  }
  return out;
}

Column standard_column(std::string_view header) {
  Column c;
  constexpr std::pair<std::string_view, int> kIds[] = {
      {"共通ID", 5}, {"ID", 4}, {"identifier", 3}, {"NO", 2}, {"#property", 1}};
  for (const auto& [name, rank] : kIds)
    if (header == name) {
      c.attr = "identifier";
      c.identifier = rank;
      return c;
    }
  if (auto it = table().find(header); it != table().end()) {
    c.attr = it->second->attr;
    c.kind = it->second->kind;
    c.code = c.attr == "localGovernmentCode";
    return c;
  }
  // An English name (takamatsu's #property row, G3 camelCase headers) is its own attribute.
  bool ascii = !header.empty();
  for (char ch : header) ascii = ascii && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
  if (ascii && model::valid_name(header)) c.attr = std::string(header);
  return c;
}

std::optional<StandardHeader> standard_header(std::string_view attr) {
  // identifier stands second, after the publisher's code (G2's 全国地方公共団体コード, ID, …)
  if (attr == "identifier") return StandardHeader{"ID", 1};
  for (size_t i = 0; i < std::size(kColumns); ++i)
    if (attr == kColumns[i].attr) return StandardHeader{kColumns[i].header, i == 0 ? 0 : i + 1};
  return std::nullopt;
}

}  // namespace dejima::connect
