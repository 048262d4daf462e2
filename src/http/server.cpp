#include "http/server.h"

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>
#include <unordered_set>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "http/problem.h"

namespace dejima::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

Method method_of(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get: return Method::Get;
    case bhttp::verb::post: return Method::Post;
    case bhttp::verb::put: return Method::Put;
    case bhttp::verb::patch: return Method::Patch;
    case bhttp::verb::delete_: return Method::Delete;
    case bhttp::verb::head: return Method::Head;
    case bhttp::verb::options: return Method::Options;
    default: return Method::Other;
  }
}

class Session;

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Settings settings;
  Handler handler;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  net::signal_set signals{ioc};
  std::mutex mu;
  std::unordered_set<Session*> sessions;
  std::atomic<bool> stopping{false};
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;

  Impl(const Settings& s, Handler h) : settings(s), handler(std::move(h)) {}
  void accept();
  void begin_stop();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server) : stream_(std::move(socket)), server_(server) {
    std::lock_guard lock(server_.mu);
    server_.sessions.insert(this);
  }
  ~Session() {
    std::lock_guard lock(server_.mu);
    server_.sessions.erase(this);
  }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  // Runs on the session's strand: an idle connection is closed now, a busy one after its reply.
  void shutdown() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_) self->close();
    });
  }

 private:
  void read() {
    if (closing_) return close();
    parser_.emplace();
    parser_->body_limit(server_.settings.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_.settings.max_header_bytes));
    stream_.expires_after(std::chrono::seconds(server_.settings.idle_timeout_s));
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec == bhttp::error::body_limit)
        return fail_request(Error{ErrorKind::PayloadTooLarge, "Request body too large",
                                  "the limit is " + std::to_string(server_.settings.max_body_bytes) +
                                      " bytes (setting max-body-bytes)"},
                            413);
      if (ec == bhttp::error::header_limit)
        return fail_request(Error{ErrorKind::InvalidRequest, "Request header fields too large", ""}, 431);
      if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() && ec != bhttp::error::end_of_stream &&
          ec != bhttp::error::partial_message)
        return fail_request(Error{ErrorKind::InvalidRequest, "Malformed HTTP request", ec.message()}, 400);
      return close();
    }
    busy_ = true;
    auto& msg = parser_->get();
    request_ = Request{};
    request_.method = method_of(msg.method());
    request_.target = msg.target();
    const auto qpos = request_.target.find('?');
    request_.path = request_.target.substr(0, qpos);
    for (const auto& field : msg) request_.headers.emplace_back(field.name_string(), field.value());
    request_.body = msg.body();
    keep_alive_ = msg.keep_alive();
    if (qpos != std::string_view::npos && !parse_query(request_.target.substr(qpos + 1), request_.query)) {
      return send(problem(Error{ErrorKind::BadRequestData, "Malformed query string",
                                "invalid percent-encoding"}));
    }
    auto guard = net::make_work_guard(stream_.get_executor());
    server_.handler(request_, [self = shared_from_this(), guard](Response&& r) mutable {
      auto ex = self->stream_.get_executor();
      net::dispatch(ex, [self = std::move(self), r = std::move(r), guard = std::move(guard)]() mutable {
        self->send(std::move(r));
      });
    });
  }

  void fail_request(const Error& e, unsigned status) {
    busy_ = true;
    keep_alive_ = false;
    Response r = problem(e);
    r.status = status;
    send(std::move(r));
  }

  void send(Response&& r) {
    response_ = {};
    response_.version(11);
    response_.result(r.status);
    for (auto& [k, v] : r.headers) response_.set(k, v);
    if (!r.content_type.empty()) response_.set(bhttp::field::content_type, r.content_type);
    response_.body() = std::move(r.body);
    response_.keep_alive(keep_alive_ && !closing_);
    response_.prepare_payload();
    stream_.expires_after(std::chrono::seconds(server_.settings.idle_timeout_s));
    bhttp::async_write(stream_, response_,
                       beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    busy_ = false;
    if (ec || !response_.keep_alive()) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  Request request_;
  bool busy_ = false;
  bool closing_ = false;
  bool keep_alive_ = true;
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept(net::make_strand(ioc), [self = shared_from_this()](beast::error_code ec,
                                                                            tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !self->acceptor.is_open()) return;
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), *self)->start();
    }
    self->accept();
  });
}

void Server::Impl::begin_stop() {
  if (stopping.exchange(true)) return;
  spdlog::info("stopping: no new connections, finishing in-flight requests");
  net::post(ioc, [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor.close(ec);
    self->signals.cancel(ec);
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(self->mu);
      for (Session* s : self->sessions) {
        // weak_from_this() is safe: the session is registered only while alive.
        if (auto sp = s->weak_from_this().lock()) live.push_back(std::move(sp));
      }
    }
    for (auto& s : live) s->shutdown();
  });
  // Watchdog: after the grace period, abandon whatever is still running.
  std::thread([self = shared_from_this()] {
    std::unique_lock lock(self->done_mu);
    if (!self->done_cv.wait_for(lock, std::chrono::seconds(self->settings.shutdown_grace_s),
                                [&] { return self->done; })) {
      spdlog::warn("shutdown grace period over; closing remaining connections");
      self->ioc.stop();
    }
  }).detach();
}

Server::Server(const Settings& settings, Handler handler)
    : impl_(std::make_shared<Impl>(settings, std::move(handler))) {}

Server::~Server() = default;

Status Server::listen() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->settings.bind, ec);
  if (ec) return fail(ErrorKind::BadRequestData, "invalid bind address", impl_->settings.bind);
  tcp::endpoint ep{address, static_cast<unsigned short>(impl_->settings.port)};
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(ErrorKind::InternalError, "cannot listen",
                impl_->settings.bind + ":" + std::to_string(impl_->settings.port) + ": " + ec.message());
  return {};
}

unsigned Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run(bool handle_signals) {
  if (handle_signals) {
    impl_->signals.add(SIGINT);
    impl_->signals.add(SIGTERM);
    impl_->signals.async_wait([impl = impl_](beast::error_code ec, int sig) {
      if (!ec) impl->begin_stop();
    });
  }
  impl_->accept();
  unsigned n = impl_->settings.threads ? impl_->settings.threads : std::thread::hardware_concurrency();
  if (n == 0) n = 1;
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < n; ++i) threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(impl_->done_mu);
    impl_->done = true;
  }
  impl_->done_cv.notify_all();
}

void Server::stop() { impl_->begin_stop(); }

}  // namespace dejima::http
