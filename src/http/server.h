// The HTTP/1.1 server: Boost.Beast over a pool of threads, keep-alive, size limits, idle timeouts
// and a graceful stop that lets in-flight requests finish.
#pragma once
#include <functional>
#include <memory>

#include "app/settings.h"
#include "http/message.h"
#include "util/error.h"

namespace dejima::http {

// Called on a server thread for every well-formed request. The Request (and the memory its
// string_views point into) stays valid until the handler calls Reply.
using Handler = std::function<void(const Request&, Reply)>;

class Server {
 public:
  Server(const Settings& settings, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket.
  Status listen();
  unsigned port() const;
  // Serves until stop() (or SIGINT/SIGTERM when handle_signals) and every in-flight request ended.
  void run(bool handle_signals);
  // Thread-safe. Stops accepting, closes idle connections, lets busy ones finish their request.
  void stop();

  struct Impl;  // public so the connection code in server.cpp can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace dejima::http
