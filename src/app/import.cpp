// `dejima import`: one connector run from the command line, into the data directory (which no
// server may hold open at the same time; the storage lock says so).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/app.h"
#include "connect/run.h"
#include "fetch/egress.h"

namespace dejima {
namespace {

constexpr const char* kUsage =
    "usage: dejima import SOURCE --type TYPE [--format NAME] [options] [settings]\n"
    "  SOURCE               a file, file://, http:// or https:// URL\n"
    "  --type TYPE          entity type of the rows (required), e.g. EvacuationShelter\n"
    "  --format NAME        %s (default: by the source: .csv .geojson .json .zip .xml, CKAN\n"
    "                       …/api/3/action/package_* URLs)\n"
    "  --tenant NAME        target tenant (default: the default tenant)\n"
    "  --encoding NAME      auto | utf-8 | cp932 (default: auto)\n"
    "  --id-prefix PREFIX   entity ids are PREFIX + the row's key (default: urn:ngsi-ld:TYPE:)\n"
    "  --key COLUMN         a source column whose value makes the id (repeat for several)\n"
    "  --column SRC=ATTR    map a source column to an attribute (SRC= drops it; repeatable)\n"
    "  --param NAME=VALUE   a parameter of the format (amedas: stations=84 for Nagasaki's stations)\n"
    "  --delete-missing     delete entities of TYPE under the prefix that the source no longer has\n"
    "  --no-history         keep no history of these entities (static reference data)\n"
    "  settings             --data-dir and the other settings of dejima serve --help\n";

// A progress bar on a terminal, a line per tenth otherwise.
class ProgressBar {
 public:
  ProgressBar() : tty_(::isatty(STDERR_FILENO)) {}
  void operator()(std::string_view stage, size_t done, size_t total) {
    const int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
    if (stage == stage_ && percent / (tty_ ? 1 : 10) == shown_ / (tty_ ? 1 : 10)) return;
    if (stage != stage_ && tty_ && !stage_.empty()) std::fputc('\n', stderr);
    stage_ = stage;
    shown_ = percent;
    if (tty_) {
      const int filled = percent * 30 / 100;
      std::fprintf(stderr, "\r%-8s [%s%s] %3d%%", stage_.c_str(), std::string(filled, '#').c_str(),
                   std::string(30 - filled, ' ').c_str(), percent);
    } else {
      std::fprintf(stderr, "%s %d%%\n", stage_.c_str(), percent);
    }
    std::fflush(stderr);
  }
  void end() {
    if (tty_ && !stage_.empty()) std::fputc('\n', stderr);
  }

 private:
  bool tty_;
  std::string stage_;
  int shown_ = -1;
};

std::string format_from_name(const std::string& source) {
  if (source.find("/api/3/action/package_") != std::string::npos) return "ckan";  // a CKAN Action API
  const std::string ext = std::filesystem::path(source).extension().string();
  if (ext == ".csv" || ext == ".CSV" || ext == ".txt") return "csv";
  if (ext == ".geojson" || ext == ".json") return "geojson";
  if (ext == ".zip") return "gtfs";
  if (ext == ".xml") return "jmaxml";
  return "";
}

// Splits the import's own flags from the settings; fills `d`. An error is a message.
std::string parse_args(const std::vector<std::string>& args, connect::Declaration& d, std::vector<std::string>& rest) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!a.starts_with("--")) {
      if (!d.source.empty()) return "two sources: " + d.source + " and " + a;
      d.source = a;
      continue;
    }
    if (a == "--no-history") {
      d.history = false;
      continue;
    }
    if (a == "--delete-missing") {
      d.delete_missing = true;
      continue;
    }
    std::string key = a.substr(2), value;
    const bool inline_value = key.find('=') != std::string::npos;
    if (inline_value) {
      value = key.substr(key.find('=') + 1);
      key.resize(key.find('='));
    }
    static const char* const kOwn[] = {"type", "format", "tenant", "encoding", "id-prefix",
                                       "key",  "column", "param",  "name"};
    if (std::find(std::begin(kOwn), std::end(kOwn), key) == std::end(kOwn)) {
      rest.push_back(a);  // a setting; its value follows it
      if (!inline_value && i + 1 < args.size()) rest.push_back(args[++i]);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return "--" + key + " needs a value";
      value = args[++i];
    }
    if (key == "type")
      d.options.type = value;
    else if (key == "format")
      d.format = value;
    else if (key == "tenant")
      d.tenant = value;
    else if (key == "encoding")
      d.options.encoding = value;
    else if (key == "id-prefix")
      d.options.id_prefix = value;
    else if (key == "key")
      d.options.key.push_back(value);
    else if (key == "name")
      d.name = value;
    else {  // column, param
      const size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0) return "--" + key + " wants NAME=VALUE, not " + value;
      (key == "column" ? d.options.columns : d.options.params)[value.substr(0, eq)] = value.substr(eq + 1);
    }
  }
  if (d.source.empty()) return "no source given";
  if (d.options.type.empty()) return "--type is required";
  if (d.format.empty()) d.format = format_from_name(d.source);
  if (d.format.empty()) return "cannot tell the format of " + d.source + ": give --format";
  if (const auto* f = connect::find_format(d.format); !f)
    return "format '" + d.format + "' is not one of " + connect::format_names();
  else if (auto why = f->invalid(d.options); !why.empty())
    return why;
  if (d.name.empty()) d.name = "import:" + std::filesystem::path(d.source).filename().string();
  return "";
}

}  // namespace

int import_command(const std::vector<std::string>& args, char** envp) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::printf(kUsage, connect::format_names().c_str());
      return 0;
    }
  connect::Declaration d;
  std::vector<std::string> rest;
  if (auto error = parse_args(args, d, rest); !error.empty()) {
    std::fprintf(stderr, "dejima import: %s\n\n", error.c_str());
    std::fprintf(stderr, kUsage, connect::format_names().c_str());
    return 2;
  }
  auto settings = load_settings(rest, envp);
  if (!settings) {
    std::fprintf(stderr, "%s: %s\n", settings.error().title.c_str(), settings.error().detail.c_str());
    return 2;
  }
  auto logger = spdlog::stderr_color_mt("dejima");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);
  fetch::set_egress_policy(*fetch::EgressPolicy::parse(settings->egress_deny, settings->egress_allow));
  auto data = open_data(*settings);
  if (!data) {
    std::fprintf(stderr, "%s: %s\n", data.error().title.c_str(), data.error().detail.c_str());
    return 1;
  }
  ProgressBar bar;
  const connect::RunLog log = connect::run_connector(d, *data->tenants, {}, std::ref(bar));
  bar.end();
  data->tenants->close_all();
  std::printf("%s\n", connect::run_log_json(log).c_str());
  std::fprintf(stderr,
               "%s: %s, %zu rows in %.2f s: %zu created, %zu updated, %zu unchanged, %zu deleted, %zu rejected\n",
               d.source.c_str(), log.status.c_str(), log.rows, (log.ended - log.started) / 1000.0, log.created,
               log.updated, log.unchanged, log.deleted, log.rejected);
  if (!log.error.empty()) std::fprintf(stderr, "error: %s\n", log.error.c_str());
  return log.status == "failed" ? 1 : 0;
}

}  // namespace dejima
