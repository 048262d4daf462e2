// dejima: the city data platform's server binary.
#include <cstdio>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/app.h"
#include "app/settings.h"

extern char** environ;

namespace {

void usage() {
  std::printf(
      "Dejima %s: a city data platform (NGSI-LD context broker) for a prefecture and its municipalities.\n\n"
      "usage: dejima serve [settings]     start the server\n"
      "       dejima import SOURCE --type TYPE [--format F] [options] [settings]\n"
      "                                   convert a CSV or GeoJSON source into entities once\n"
      "                                   (dejima import --help for its options)\n"
      "       dejima admin user|operator-key ...\n"
      "                                   manage users and the operator's key offline\n"
      "                                   (dejima admin --help)\n"
      "       dejima version              print the version\n"
      "       dejima --help               this text\n\n"
      "settings (flag, environment variable, meaning):\n%s",
      DEJIMA_VERSION, dejima::settings_help().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "version" || args[0] == "--version") {
    std::printf("dejima %s\n", DEJIMA_VERSION);
    return 0;
  }
  if (args[0] == "import") return dejima::import_command({args.begin() + 1, args.end()}, environ);
  if (args[0] == "admin") return dejima::admin_command({args.begin() + 1, args.end()}, environ);
  if (args[0] != "serve") {
    std::fprintf(stderr, "unknown command '%s' (try dejima --help)\n", args[0].c_str());
    return 2;
  }
  args.erase(args.begin());
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      usage();
      return 0;
    }
  auto settings = dejima::load_settings(args, environ);
  if (!settings) {
    std::fprintf(stderr, "%s: %s\n", settings.error().title.c_str(), settings.error().detail.c_str());
    return 2;
  }
  auto logger = spdlog::stderr_color_mt("dejima");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e %z] [%^%l%$] %v");  // local time (--time-zone) with its offset
  spdlog::set_level(spdlog::level::from_str(settings->log_level));
  return dejima::serve(*settings);
}
