#include "access/users.h"

#include <sodium.h>

#include <algorithm>
#include <mutex>

#include "access/directory.h"

namespace dejima::access {
namespace {

constexpr const char* kUserKind = "user";
constexpr const char* kSessionKind = "session";

Error bad_login() { return {ErrorKind::Unauthorized, "Login failed", "the user name or the password is wrong"}; }

// A hash to verify against when the name is unknown, so that the answer takes as long.
const std::string& decoy_hash() {
  static const std::string hash = hash_password("dejima decoy password").value_or("");
  return hash;
}

}  // namespace

Status Users::load(Millis now) {
  std::unique_lock lock(mu_);
  auto users = storage_.load_records(kUserKind);
  if (!users) return std::unexpected(users.error());
  for (const auto& r : *users) {
    auto u = stored_user(r.body);
    if (!u) return std::unexpected(u.error());
    auto record = std::make_shared<const UserRecord>(std::move(*u));
    users_[record->name] = std::move(record);
  }
  auto sessions = storage_.load_records(kSessionKind);
  if (!sessions) return std::unexpected(sessions.error());
  for (const auto& r : *sessions) {
    json::Document doc;
    if (!json::parse_stored(doc, r.body).empty() || !doc.IsObject()) continue;
    auto user = doc.FindMember("user");
    auto created = doc.FindMember("createdAt");
    auto expires = doc.FindMember("expiresAt");
    const bool whole = user != doc.MemberEnd() && user->value.IsString() && created != doc.MemberEnd() &&
                       created->value.IsInt64() && expires != doc.MemberEnd() && expires->value.IsInt64();
    if (whole && expires->value.GetInt64() > now && users_.count(std::string(json::view(user->value))))
      sessions_[r.key] = {std::string(json::view(user->value)), created->value.GetInt64(), expires->value.GetInt64()};
    else if (auto s = storage_.delete_record(kSessionKind, r.key); !s)
      return s;
  }
  return {};
}

std::vector<std::shared_ptr<const UserRecord>> Users::list() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const UserRecord>> out;
  for (const auto& [_, u] : users_) out.push_back(u);
  return out;
}

std::shared_ptr<const UserRecord> Users::find(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

Status Users::put(UserRecord u) {
  std::unique_lock lock(mu_);
  if (auto s = storage_.save_record(kUserKind, {u.name, stored_user_json(u)}); !s) return s;
  auto it = users_.find(u.name);
  const bool new_password = it != users_.end() && it->second->password_hash != u.password_hash;
  const std::string name = u.name;
  users_[name] = std::make_shared<const UserRecord>(std::move(u));
  return new_password ? end_sessions_locked(name) : Status{};
}

Status Users::remove(const std::string& name) {
  std::unique_lock lock(mu_);
  if (!users_.count(name)) return fail(ErrorKind::ResourceNotFound, "User not found", name);
  if (auto s = end_sessions_locked(name); !s) return s;
  if (auto s = storage_.delete_record(kUserKind, name); !s) return s;
  users_.erase(name);
  return {};
}

Status Users::end_sessions_locked(const std::string& user) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.user != user) {
      ++it;
      continue;
    }
    if (auto s = storage_.delete_record(kSessionKind, it->first); !s) return s;
    it = sessions_.erase(it);
  }
  return {};
}

Status Users::save_session_locked(const std::string& hash, const Session& s) {
  return storage_.save_record(kSessionKind, {hash, json::written([&](json::Writer& w) {
                                               w.StartObject();
                                               w.Key("user");
                                               json::write_string(w, s.user);
                                               w.Key("createdAt");
                                               w.Int64(s.created_at);
                                               w.Key("expiresAt");
                                               w.Int64(s.expires_at);
                                               w.EndObject();
                                             })});
}

Result<IssuedSession> Users::login(std::string_view name, std::string_view password, Millis now, Millis ttl_ms) {
  auto user = find(std::string(name));
  // The slow part (argon2id) runs outside the lock, on the decoy when the name is unknown.
  if (!password_matches(user ? user->password_hash : decoy_hash(), password) || !user)
    return std::unexpected(bad_login());
  std::unique_lock lock(mu_);
  auto current = users_.find(user->name);
  if (current == users_.end() || current->second->password_hash != user->password_hash)
    return std::unexpected(bad_login());  // removed or changed meanwhile
  std::vector<std::pair<Millis, std::string>> mine;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.expires_at <= now) {
      if (auto s = storage_.delete_record(kSessionKind, it->first); !s) return std::unexpected(s.error());
      it = sessions_.erase(it);
      continue;
    }
    if (it->second.user == user->name) mine.emplace_back(it->second.created_at, it->first);
    ++it;
  }
  std::sort(mine.begin(), mine.end());
  for (size_t i = 0; i + kMaxSessionsPerUser <= mine.size(); ++i) {
    if (auto s = storage_.delete_record(kSessionKind, mine[i].second); !s) return std::unexpected(s.error());
    sessions_.erase(mine[i].second);
  }
  IssuedSession issued{.token = new_key_text("djs_"), .expires_at = now + ttl_ms, .user = current->second};
  const Session s{user->name, now, issued.expires_at};
  const std::string hash = key_hash(issued.token);
  if (auto st = save_session_locked(hash, s); !st) return std::unexpected(st.error());
  sessions_[hash] = s;
  return issued;
}

Status Users::logout(std::string_view token) {
  const std::string hash = key_hash(token);
  std::unique_lock lock(mu_);
  if (!sessions_.count(hash)) return {};
  if (auto s = storage_.delete_record(kSessionKind, hash); !s) return s;
  sessions_.erase(hash);
  return {};
}

std::shared_ptr<const UserRecord> Users::session_user(std::string_view token, Millis now) const {
  const std::string hash = key_hash(token);
  std::shared_lock lock(mu_);
  auto it = sessions_.find(hash);
  if (it == sessions_.end() || it->second.expires_at <= now) return nullptr;
  auto u = users_.find(it->second.user);
  return u == users_.end() ? nullptr : u->second;
}

}  // namespace dejima::access
