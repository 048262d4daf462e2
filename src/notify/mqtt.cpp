#include "notify/mqtt.h"

#include <mosquitto.h>

#include <spdlog/spdlog.h>

#include "fetch/egress.h"

namespace dejima::notify {
namespace {

struct Target {
  std::string host, user, password, topic;
  bool tls = false;
  int port = 1883;
};

bool parse_uri(const std::string& uri, Target& t) {
  const size_t scheme = uri.find("://");
  if (scheme == std::string::npos) return false;
  t.tls = uri.starts_with("mqtts://");
  if (t.tls) t.port = 8883;
  std::string rest = uri.substr(scheme + 3);
  const size_t slash = rest.find('/');
  if (slash == std::string::npos || slash + 1 >= rest.size()) return false;
  t.topic = rest.substr(slash + 1);
  std::string authority = rest.substr(0, slash);
  if (const size_t at = authority.rfind('@'); at != std::string::npos) {
    const std::string userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = userinfo.find(':');
    t.user = userinfo.substr(0, colon);
    if (colon != std::string::npos) t.password = userinfo.substr(colon + 1);
  }
  if (const size_t colon = authority.rfind(':'); colon != std::string::npos) {
    try {
      t.port = std::stoi(authority.substr(colon + 1));
    } catch (...) {
      return false;
    }
    authority = authority.substr(0, colon);
  }
  t.host = authority;
  return !t.host.empty() && t.port > 0 && t.port < 65536;
}

// The URI without its user:password@, for messages.
std::string without_userinfo(const std::string& uri) {
  const size_t scheme = uri.find("://");
  if (scheme == std::string::npos) return uri;
  const size_t end = uri.find('/', scheme + 3);
  const size_t at = uri.rfind('@', end);
  if (at == std::string::npos || at < scheme) return uri;
  return uri.substr(0, scheme + 3) + uri.substr(at + 1);
}

}  // namespace

struct Mqtt::Client {
  mosquitto* mosq = nullptr;
  ~Client() {
    if (!mosq) return;
    mosquitto_disconnect(mosq);
    mosquitto_loop_stop(mosq, true);
    mosquitto_destroy(mosq);
  }
};

Mqtt::Mqtt(std::string ca_file) : ca_file_(std::move(ca_file)) { mosquitto_lib_init(); }
Mqtt::~Mqtt() {
  clients_.clear();
  mosquitto_lib_cleanup();
}

std::string Mqtt::publish(const std::string& uri, const std::string& payload, int qos, bool retain,
                          const std::string& user, const std::string& password) {
  Target t;
  if (!parse_uri(uri, t)) return "invalid MQTT endpoint " + without_userinfo(uri);
  if (!user.empty()) {
    t.user = user;
    t.password = password;
  }
  std::lock_guard lock(mu_);
  auto& client = clients_[(t.tls ? "mqtts://" : "mqtt://") + t.host + ":" + std::to_string(t.port) + "/" + t.user +
                          "#" + std::to_string(std::hash<std::string>{}(t.password))];
  if (!client) {
    if (auto st = fetch::check_resolved(t.host); !st) return "refused by the egress policy: " + st.error().detail;
    auto c = std::make_unique<Client>();
    c->mosq = mosquitto_new(nullptr, true, nullptr);
    if (!c->mosq) return "cannot create an MQTT client";
    if (!t.user.empty()) mosquitto_username_pw_set(c->mosq, t.user.c_str(), t.password.c_str());
    if (t.tls) {  // the broker's certificate and host name are verified (libmosquitto's defaults)
      const int rc = mosquitto_tls_set(c->mosq, ca_file_.empty() ? nullptr : ca_file_.c_str(),
                                       ca_file_.empty() ? "/etc/ssl/certs" : nullptr, nullptr, nullptr, nullptr);
      if (rc != MOSQ_ERR_SUCCESS) return std::string("MQTT TLS setup: ") + mosquitto_strerror(rc);
    }
    const int rc = mosquitto_connect(c->mosq, t.host.c_str(), t.port, 60);
    if (rc != MOSQ_ERR_SUCCESS)
      return "MQTT connect to " + t.host + ":" + std::to_string(t.port) + ": " + mosquitto_strerror(rc);
    mosquitto_loop_start(c->mosq);  // network thread; it also reconnects after a lost connection
    client = std::move(c);
  }
  const int rc = mosquitto_publish(client->mosq, nullptr, t.topic.c_str(), static_cast<int>(payload.size()),
                                   payload.data(), qos, retain);
  if (rc != MOSQ_ERR_SUCCESS) return std::string("MQTT publish: ") + mosquitto_strerror(rc);
  return {};
}

}  // namespace dejima::notify
