// `dejima admin`: manages users and the operator's key offline, in the data directory (which no
// server may hold open at the same time; the storage lock says so). Passwords are read from
// standard input: typed twice without echo on a terminal, one line otherwise (scripts).
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "access/directory.h"
#include "access/gate.h"
#include "access/users.h"
#include "app/app.h"
#include "store/sqlite/sqlite_storage.h"

namespace dejima {
namespace {

constexpr const char* kUsage =
    "usage: dejima admin COMMAND [options] [settings]\n"
    "  user list                       the users and their roles\n"
    "  user add NAME [--role TENANT=ROLE]... [--operator] [--display-name TEXT]\n"
    "                                  a user (ROLE: admin | editor | viewer; TENANT default = the\n"
    "                                  default tenant); the password is read from standard input\n"
    "  user passwd NAME                a new password (from standard input); ends the user's sessions\n"
    "  user remove NAME                removes the user and ends their sessions\n"
    "  operator-key [--replace]        issues a new operator API key (printed once); --replace\n"
    "                                  revokes the operator's other keys\n"
    "  settings                        --data-dir and the other settings of dejima serve --help\n";

struct Args {
  std::vector<std::string> words;  // the command and its operands
  std::vector<std::pair<std::string, std::string>> roles;
  bool operator_role = false, replace = false;
  std::string display_name;
  std::vector<std::string> settings;
};

std::string parse_args(const std::vector<std::string>& args, Args& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!a.starts_with("--")) {
      out.words.push_back(a);
    } else if (a == "--operator") {
      out.operator_role = true;
    } else if (a == "--replace") {
      out.replace = true;
    } else if (a == "--role" || a == "--display-name") {
      if (i + 1 >= args.size()) return a + " needs a value";
      const std::string& v = args[++i];
      if (a == "--display-name") {
        out.display_name = v;
        continue;
      }
      const size_t eq = v.find('=');
      if (eq == std::string::npos || !access::role_of(v.substr(eq + 1)))
        return "--role wants TENANT=admin|editor|viewer, not " + v;
      out.roles.emplace_back(access::tenant_of_name(v.substr(0, eq)), v.substr(eq + 1));
    } else {
      out.settings.push_back(a);  // a setting; its value follows it unless given inline
      if (a.find('=') == std::string::npos && i + 1 < args.size()) out.settings.push_back(args[++i]);
    }
  }
  return out.words.empty() ? "no command given" : "";
}

// A line of standard input, without echo (and asked twice) on a terminal.
std::optional<std::string> read_password() {
  if (!::isatty(STDIN_FILENO)) {
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  termios old{};
  ::tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string first, second;
  std::fprintf(stderr, "password: ");
  std::getline(std::cin, first);
  std::fprintf(stderr, "\nagain: ");
  std::getline(std::cin, second);
  std::fprintf(stderr, "\n");
  ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  if (first != second) {
    std::fprintf(stderr, "the two passwords differ\n");
    return std::nullopt;
  }
  return first;
}

Result<std::string> new_password_hash() {
  auto password = read_password();
  if (!password) return fail(ErrorKind::BadRequestData, "no password", "give it on standard input");
  if (auto s = access::check_password(*password); !s) return std::unexpected(s.error());
  return access::hash_password(*password);
}

Status user_command(const Args& a, access::Users& users) {
  const std::string& verb = a.words.size() > 1 ? a.words[1] : "";
  if (verb == "list") {
    for (const auto& u : users.list())
      std::printf("%s\n", json::written([&](json::Writer& w) { access::write_user(w, *u); }).c_str());
    return {};
  }
  if (a.words.size() != 3) return fail(ErrorKind::BadRequestData, "usage", "user add|passwd|remove NAME");
  const std::string& name = a.words[2];
  auto current = users.find(name);
  if (verb == "remove") return users.remove(name);
  if (verb == "passwd") {
    if (!current) return fail(ErrorKind::ResourceNotFound, "no such user", name);
    auto hash = new_password_hash();
    if (!hash) return std::unexpected(hash.error());
    access::UserRecord u = *current;
    u.password_hash = std::move(*hash);
    u.modified_at = now_millis();
    return users.put(std::move(u));
  }
  if (verb != "add") return fail(ErrorKind::BadRequestData, "unknown user command", verb);
  if (current) return fail(ErrorKind::AlreadyExists, "the user exists", name);
  if (!access::valid_user_name(name))
    return fail(ErrorKind::BadRequestData, "invalid user name", "1 to 64 of a-z 0-9 . _ @ -");
  if (a.roles.empty() && !a.operator_role)
    return fail(ErrorKind::BadRequestData, "a user needs a role", "--role TENANT=ROLE or --operator");
  auto hash = new_password_hash();
  if (!hash) return std::unexpected(hash.error());
  access::UserRecord u{.name = name,
                       .display_name = a.display_name,
                       .password_hash = std::move(*hash),
                       .operator_role = a.operator_role,
                       .created_at = now_millis(),
                       .modified_at = now_millis()};
  for (const auto& [tenant, role] : a.roles) u.roles[tenant] = *access::role_of(role);
  return users.put(std::move(u));
}

Status operator_key_command(const Args& a, access::Directory& directory) {
  auto key = directory.issue_operator_key("");
  if (!key) return std::unexpected(key.error());
  if (a.replace)
    if (auto s = directory.revoke_operator_keys(key->record.id); !s) return s;
  std::printf("%s\n", key->text.c_str());
  std::fprintf(stderr, "the operator's new API key (id %s) is shown once, above%s\n", key->record.id.c_str(),
               a.replace ? "; the other operator keys are revoked" : "");
  return {};
}

}  // namespace

int admin_command(const std::vector<std::string>& args, char** envp) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::printf("%s", kUsage);
      return 0;
    }
  Args a;
  if (auto error = parse_args(args, a); !error.empty()) {
    std::fprintf(stderr, "dejima admin: %s\n\n%s", error.c_str(), kUsage);
    return 2;
  }
  auto settings = load_settings(a.settings, envp);
  if (!settings) {
    std::fprintf(stderr, "%s: %s\n", settings.error().title.c_str(), settings.error().detail.c_str());
    return 2;
  }
  if (a.words[0] != "user" && a.words[0] != "operator-key") {
    std::fprintf(stderr, "dejima admin: unknown command '%s'\n\n%s", a.words[0].c_str(), kUsage);
    return 2;
  }
  auto storage = store::open_sqlite_storage(settings->data_dir, store::StorageOptions{});  // opens no tenant
  if (!storage) {
    std::fprintf(stderr, "%s: %s\n", storage.error().title.c_str(), storage.error().detail.c_str());
    return 1;
  }
  access::Directory directory(**storage, [](const std::string&) -> Status { return {}; });
  access::Users users(**storage);
  Status s = directory.load();
  if (s) s = users.load(now_millis());
  if (s) s = a.words[0] == "user" ? user_command(a, users) : operator_key_command(a, directory);
  if (!s) {
    std::fprintf(stderr, "dejima admin: %s: %s\n", s.error().title.c_str(), s.error().detail.c_str());
    return 1;
  }
  return 0;
}

}  // namespace dejima
