// The people who sign in and their sessions: the user records (kind "user" in the store's
// records) and the sessions a login opens (kind "session", kept by the hash of their token so
// that a stolen database opens none). A session ends at its expiry, at logout, and when its
// user's password changes or the user is removed. Thread-safe.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "access/user_record.h"
#include "store/store.h"

namespace dejima::access {

// A session as a login opened it: the token exists only in the login's answer (and the cookie).
struct IssuedSession {
  std::string token;  // "djs_" and 43 base64url characters
  Millis expires_at = 0;
  std::shared_ptr<const UserRecord> user;
};

class Users {
 public:
  explicit Users(store::Storage& storage) : storage_(storage) {}
  // Loads the users and the sessions still alive at `now`.
  Status load(Millis now);

  std::vector<std::shared_ptr<const UserRecord>> list() const;
  std::shared_ptr<const UserRecord> find(const std::string& name) const;
  // Creates or replaces a user (saved before it is visible). A changed password hash ends the
  // user's sessions.
  Status put(UserRecord u);
  // Removes the user and ends their sessions.
  Status remove(const std::string& name);

  // Opens a session of `ttl_ms` for the user whose password this is. The same Unauthorized
  // error, after the same work, whether the name is unknown or the password wrong.
  Result<IssuedSession> login(std::string_view name, std::string_view password, Millis now, Millis ttl_ms);
  // Ends the session of this token (nothing when it has none).
  Status logout(std::string_view token);
  // The user a live session's token speaks for.
  std::shared_ptr<const UserRecord> session_user(std::string_view token, Millis now) const;

  // At most this many live sessions per user; a login beyond ends the oldest.
  static constexpr size_t kMaxSessionsPerUser = 20;

 private:
  struct Session {
    std::string user;
    Millis created_at = 0, expires_at = 0;
  };
  Status end_sessions_locked(const std::string& user);
  Status save_session_locked(const std::string& hash, const Session& s);

  store::Storage& storage_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const UserRecord>> users_;  // by name
  std::map<std::string, Session> sessions_;                         // by token hash
};

}  // namespace dejima::access
