// The HTTP/1.1 server: Boost.Beast over a pool of threads, keep-alive, size limits, idle timeouts
// and a graceful stop that lets in-flight requests finish.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "http/message.h"
#include "util/error.h"

namespace dejima::http {

// Called on a server thread for every well-formed request. The Request (and the memory its
// string_views point into) stays valid until the handler calls Reply. The handler may annotate it
// (the router attaches the caller's Grant).
using Handler = std::function<void(Request&, Reply)>;

// Built by app/ from the settings table (--bind, --port, --threads, ...).
struct ServerOptions {
  std::string bind = "127.0.0.1";
  unsigned port = 1026;                           // 0 = any free port
  unsigned threads = 0;                           // event loops; 0 = one per core
  std::size_t max_body_bytes = 64 * 1024 * 1024;  // larger bodies get 413
  std::size_t max_header_bytes = 16 * 1024;       // larger header blocks get 431
  unsigned idle_timeout_s = 60;
  unsigned shutdown_grace_s = 30;
};

// A handler that throws answers 500 InternalError (when it has not replied yet); the exception
// is logged and that connection is closed after the 500 (the process goes on).
class Server {
 public:
  Server(ServerOptions options, Handler handler);
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
