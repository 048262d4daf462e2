#include "http/server.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>
#include <unordered_set>

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "http/problem.h"
#include "http/router.h"

namespace dejima::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

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

// The reason phrase: RFC 9110's names where they changed (as FIWARE Orion sends them).
std::string_view reason(unsigned status) {
  if (status == 413) return "Content Too Large";
  if (status == 422) return "Unprocessable Content";
  return bhttp::obsolete_reason(static_cast<bhttp::status>(status));
}

// The Date header's value (RFC 9110 IMF-fixdate), formatted once per second per thread.
const std::string& http_date() {
  thread_local std::time_t last = 0;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != last) {
    last = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[40];
    text.assign(buf, std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm));
  }
  return text;
}

// HTTP/1.1 response head + body in one buffer: one write per response.
// `chunked`: a body of pieces is framed in chunks; else (HTTP/1.0) it ends when the connection does.
void serialize(const Response& r, bool keep_alive, std::string& out, bool chunked = true) {
  out.clear();
  out.reserve(r.body.size() + 256);
  out += "HTTP/1.1 ";
  out += std::to_string(r.status);
  out += ' ';
  out += reason(r.status);
  out += "\r\nDate: ";
  out += http_date();
  out += "\r\n";
  for (const auto& [k, v] : r.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  if (!r.content_type.empty()) {
    out += "Content-Type: ";
    out += r.content_type;
    out += "\r\n";
  }
  if (r.stream) {  // the body goes on until the connection closes
    out += "Connection: close\r\n\r\n";
    return;
  }
  if (r.chunks && !chunked) {  // the pieces follow, unframed, until the connection closes
    out += "Connection: close\r\n\r\n";
    return;
  }
  if (r.chunks) {  // the pieces follow, each with its length
    out +=
        keep_alive ? "Transfer-Encoding: chunked\r\n\r\n" : "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    return;
  }
  if (r.status == 304 || r.status == 204) {  // no body, and no length to announce
    out += keep_alive ? "\r\n" : "Connection: close\r\n\r\n";
    return;
  }
  out += "Content-Length: ";
  out += std::to_string(r.body.size());
  out += keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
  out += r.body;
}

class Session;

// A streamed response's client may fall this far behind before it is dropped.
constexpr size_t kMaxStreamBacklog = 4 << 20;

}  // namespace

// One event loop per thread; a connection lives on one loop for its whole life, so its state
// needs no locks or strands. Each loop sweeps its idle connections on a coarse timer.
struct Worker {
  net::io_context ioc{1};
  net::steady_timer sweep_timer{ioc};
  std::unordered_set<Session*> sessions;  // touched only on this worker's thread
};

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  ServerOptions settings;
  Handler handler;
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::signal_set> signals;
  size_t next_worker = 0;
  std::atomic<bool> stopping{false};
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;

  Impl(ServerOptions s, Handler h) : settings(std::move(s)), handler(std::move(h)) {
    unsigned n = settings.threads ? settings.threads : std::thread::hardware_concurrency();
    for (unsigned i = 0; i < std::max(1u, n); ++i) workers.push_back(std::make_unique<Worker>());
    acceptor = std::make_unique<tcp::acceptor>(workers[0]->ioc);
    signals = std::make_unique<net::signal_set>(workers[0]->ioc);
  }
  void accept();
  void sweep(Worker& w);
  void begin_stop();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Worker& worker, Server::Impl& server)
      : socket_(std::move(socket)), worker_(worker), server_(server) {
    worker_.sessions.insert(this);
    beast::error_code ec;
    const auto remote = socket_.remote_endpoint(ec);
    if (!ec) peer_ = remote.address().to_string();
  }
  ~Session() {
    worker_.sessions.erase(this);
    if (sink_) sink_->gone = true;
  }

  void start() { read(); }

  // On the worker's thread: an idle connection is closed now, a busy one after its reply.
  void shutdown() {
    closing_ = true;
    if (!busy_) close();
  }

  // On the worker's thread: closes the connection if its current read or write is overdue.
  void close_if_expired(Clock::time_point now) {
    if (deadline_ != Clock::time_point{} && now > deadline_) close();
  }

 private:
  void arm() { deadline_ = Clock::now() + std::chrono::seconds(server_.settings.idle_timeout_s); }

  void read() {
    if (closing_ || server_.stopping) return close();
    parser_.emplace();
    parser_->body_limit(server_.settings.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_.settings.max_header_bytes));
    arm();
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    deadline_ = {};
    if (ec) {
      if (ec == bhttp::error::body_limit)
        return fail_request(Error{ErrorKind::PayloadTooLarge, "Request body too large",
                                  "the limit is " + std::to_string(server_.settings.max_body_bytes) +
                                      " bytes (setting max-body-bytes)"},
                            413);
      if (ec == bhttp::error::header_limit)
        return fail_request(Error{ErrorKind::InvalidRequest, "Request header fields too large", ""}, 431);
      if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
          ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
        return fail_request(Error{ErrorKind::InvalidRequest, "Malformed HTTP request", ec.message()}, 400);
      return close();
    }
    busy_ = true;
    auto& msg = parser_->get();
    request_ = Request{};
    request_.peer = peer_;
    request_.method = method_of(msg.method());
    request_.target = msg.target();
    const auto qpos = request_.target.find('?');
    request_.path = request_.target.substr(0, qpos);
    for (const auto& field : msg) request_.headers.emplace_back(field.name_string(), field.value());
    request_.body = msg.body();
    keep_alive_ = msg.keep_alive();
    http10_ = msg.version() < 11;
    if (qpos != std::string_view::npos && !parse_query(request_.target.substr(qpos + 1), request_.query))
      return send(
          problem(Error{ErrorKind::BadRequestData, "Malformed query string", "invalid percent-encoding or UTF-8"}));
    const std::uint64_t n = ++request_no_;
    try {
      server_.handler(request_,
                      [self = shared_from_this(), n, guard = net::make_work_guard(worker_.ioc)](Response&& r) mutable {
        // The session reference leaves the callback here: whoever destroys the callback later (a
        // storage or notifier thread) must not be the one destroying the session, which belongs
        // to its worker's thread.
        if (!self) return;  // a second call: the request was answered
        auto session = std::move(self);
        if (session->worker_.ioc.get_executor().running_in_this_thread()) return session->answer(n, std::move(r));
        auto& ioc = session->worker_.ioc;
        net::post(ioc, [session = std::move(session), n, r = std::move(r), guard = std::move(guard)]() mutable {
          session->answer(n, std::move(r));
        });
      });
    } catch (const std::exception& e) {
      unexpected(n, e.what());
    } catch (...) {
      unexpected(n, "unknown exception");
    }
  }

  // The edge of the system: a handler's bug costs its request a 500, not the process. The
  // connection is closed after it: a Reply the handler handed on may still read the request's
  // views, so the parser that holds them is not reused; a reply it sends later is dropped.
  void unexpected(std::uint64_t n, const char* what) {
    spdlog::error("unhandled exception in {} {}: {}", method_name(request_.method), request_.path, what);
    keep_alive_ = false;
    answer(n, problem(Error{ErrorKind::InternalError, "Internal error", "the request failed unexpectedly"}));
  }

  // On the worker's thread: the reply to request n, sent unless that request was answered.
  void answer(std::uint64_t n, Response&& r) {
    if (n != request_no_ || answered_ == n) return;
    answered_ = n;
    send(std::move(r));
  }

  void fail_request(const Error& e, unsigned status) {
    busy_ = true;
    keep_alive_ = false;
    Response r = problem(e);
    r.status = status;
    send(std::move(r));
  }

  // On the worker's thread: bytes for a streamed response's client, written in order.
  void stream_write(std::string bytes) {
    if (!socket_.is_open()) return;
    if (pending_.size() + bytes.size() > kMaxStreamBacklog) return close();  // a client that stopped reading
    pending_ += bytes;
    if (!writing_) flush_stream();
  }

  // The sink a streaming handler writes to: posts to the connection's own thread.
  struct Sink : StreamSink {
    Sink(std::weak_ptr<Session> s, std::shared_ptr<Server::Impl> server, net::io_context& ioc)
        : session(std::move(s)), keep_server(std::move(server)), ioc(ioc) {}
    bool write(std::string bytes) override {
      if (gone) return false;
      net::post(ioc, [s = session, bytes = std::move(bytes)]() mutable {
        if (auto sp = s.lock()) sp->stream_write(std::move(bytes));
      });
      return true;
    }
    bool closed() const override { return gone; }
    std::weak_ptr<Session> session;
    std::shared_ptr<Server::Impl> keep_server;  // the event loop outlives every sink
    net::io_context& ioc;
    std::atomic<bool> gone{false};
  };

  void flush_stream() {
    out_ = std::move(pending_);
    pending_.clear();
    writing_ = true;
    arm();
    net::async_write(socket_, net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->deadline_ = {};
      self->writing_ = false;
      if (ec) return self->close();
      if (!self->pending_.empty()) self->flush_stream();
    });
  }

  // A streamed response: the head is out; the handler's writer gets the sink, and a read that
  // only ever ends with an error tells when the client went away.
  void begin_stream(std::function<void(std::shared_ptr<StreamSink>)> opened) {
    busy_ = false;  // a stop closes it at once
    sink_ = std::make_shared<Sink>(weak_from_this(), server_.shared_from_this(), worker_.ioc);
    opened(sink_);
    watch_close();
  }

  void watch_close() {
    socket_.async_read_some(net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->watch_close();  // whatever the client sends now is ignored
    });
  }

  void send(Response&& r) {
    if (r.stream && r.status == 200 && !closing_) {
      serialize(r, false, out_);
      arm();
      net::async_write(socket_, net::buffer(out_),
                       [self = shared_from_this(), opened = std::move(r.stream)](beast::error_code ec, std::size_t) {
        self->deadline_ = {};
        if (ec || self->closing_ || self->server_.stopping) return self->close();  // a stop came meanwhile
        self->begin_stream(opened);
      });
      return;
    }
    r.stream = nullptr;
    const bool keep = keep_alive_ && !closing_;
    if (r.chunks && r.status == 200) {
      serialize(r, keep && !http10_, out_, !http10_);
      arm();
      net::async_write(socket_, net::buffer(out_),
                       [self = shared_from_this(), next = std::move(r.chunks), keep = keep && !http10_](
                           beast::error_code ec, std::size_t) mutable {
        self->deadline_ = {};
        if (ec) return self->close();
        self->pump(std::move(next), keep);
      });
      return;
    }
    r.chunks = nullptr;
    serialize(r, keep, out_);
    arm();
    net::async_write(socket_, net::buffer(out_), [self = shared_from_this(), keep](beast::error_code ec, std::size_t) {
      self->deadline_ = {};
      self->busy_ = false;
      if (ec || !keep) return self->close();
      self->read();
    });
  }

  // A chunked body: writes the next piece (or the last, empty chunk), then asks for the one after;
  // after the last, the connection reads its next request.
  void pump(std::function<std::string()> next, bool keep) {
    // A stop does not wait for a long download: it ends without its last chunk (truncated).
    if (closing_ || server_.stopping) return close();
    std::string piece;
    try {
      piece = next();
    } catch (const std::exception& e) {
      spdlog::error("a chunked response failed after its head was sent: {}", e.what());
      return close();
    } catch (...) {
      spdlog::error("a chunked response failed after its head was sent");
      return close();
    }
    const bool last = piece.empty();
    out_.clear();
    if (http10_) {  // unframed: the pieces as they are, then the connection closes
      if (last) return close();
      out_ = std::move(piece);
    } else {
      char size[20];
      const int n = std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
      out_.reserve(piece.size() + static_cast<size_t>(n) + 7);
      out_.append(size, static_cast<size_t>(n));
      out_ += piece;
      out_ += "\r\n";
    }
    arm();
    net::async_write(
        socket_, net::buffer(out_),
        [self = shared_from_this(), next = std::move(next), keep, last](beast::error_code ec, std::size_t) mutable {
      self->deadline_ = {};
      if (ec) return self->close();
      if (!last) return self->pump(std::move(next), keep);
      self->busy_ = false;
      if (!keep) return self->close();
      self->read();
        });
  }

  void close() {
    if (sink_) sink_->gone = true;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  tcp::socket socket_;
  std::string peer_;  // the client's address
  Worker& worker_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string out_;
  Request request_;
  Clock::time_point deadline_{};
  std::uint64_t request_no_ = 0;  // requests read on this connection
  std::uint64_t answered_ = 0;    // the last one answered
  bool busy_ = false;
  bool closing_ = false;
  bool keep_alive_ = true;
  bool http10_ = false;         // the request was HTTP/1.0: no chunked coding, the body ends with the connection
  std::shared_ptr<Sink> sink_;  // a streamed response's
  std::string pending_;         // its bytes not yet written
  bool writing_ = false;
  std::array<char, 512> scratch_{};
};

}  // namespace

void Server::Impl::accept() {
  Worker& target = *workers[next_worker++ % workers.size()];
  acceptor->async_accept(target.ioc, [self = shared_from_this(), &target](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !self->acceptor->is_open()) return;
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      // The session must be created on its own worker's thread.
      net::post(target.ioc, [self, &target, socket = std::move(socket)]() mutable {
        std::make_shared<Session>(std::move(socket), target, *self)->start();
      });
    }
    self->accept();
  });
}

void Server::Impl::sweep(Worker& w) {
  const auto period = std::chrono::milliseconds(std::min<unsigned>(1000, settings.idle_timeout_s * 500));
  w.sweep_timer.expires_after(period);
  w.sweep_timer.async_wait([self = shared_from_this(), &w](beast::error_code ec) {
    if (ec || self->stopping) return;
    const auto now = Clock::now();
    std::vector<std::shared_ptr<Session>> live;
    for (Session* s : w.sessions)
      if (auto sp = s->weak_from_this().lock()) live.push_back(std::move(sp));
    for (auto& s : live) s->close_if_expired(now);
    self->sweep(w);
  });
}

void Server::Impl::begin_stop() {
  if (stopping.exchange(true)) return;
  spdlog::info("stopping: no new connections, finishing in-flight requests");
  net::post(workers[0]->ioc, [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor->close(ec);
    self->signals->cancel(ec);
  });
  for (auto& w : workers) {
    net::post(w->ioc, [self = shared_from_this(), w = w.get()] {
      w->sweep_timer.cancel();
      std::vector<std::shared_ptr<Session>> live;
      for (Session* s : w->sessions)
        if (auto sp = s->weak_from_this().lock()) live.push_back(std::move(sp));
      for (auto& s : live) s->shutdown();
    });
  }
  // Watchdog: after the grace period, abandon whatever is still running.
  std::thread([self = shared_from_this()] {
    std::unique_lock lock(self->done_mu);
    if (!self->done_cv.wait_for(lock, std::chrono::seconds(self->settings.shutdown_grace_s),
                                [&] { return self->done; })) {
      spdlog::warn("shutdown grace period over; closing remaining connections");
      for (auto& w : self->workers) w->ioc.stop();
    }
  }).detach();
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

Status Server::listen() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->settings.bind, ec);
  if (ec) return fail(ErrorKind::BadRequestData, "invalid bind address", impl_->settings.bind);
  tcp::endpoint ep{address, static_cast<unsigned short>(impl_->settings.port)};
  auto& acceptor = *impl_->acceptor;
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(ErrorKind::InternalError, "cannot listen",
                impl_->settings.bind + ":" + std::to_string(impl_->settings.port) + ": " + ec.message());
  return {};
}

unsigned Server::port() const { return impl_->acceptor->local_endpoint().port(); }

void Server::run(bool handle_signals) {
  if (handle_signals) {
    impl_->signals->add(SIGINT);
    impl_->signals->add(SIGTERM);
    impl_->signals->async_wait([impl = impl_](beast::error_code ec, int) {
      if (!ec) impl->begin_stop();
    });
  }
  impl_->accept();
  for (auto& w : impl_->workers) impl_->sweep(*w);
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl_->workers.size(); ++i) threads.emplace_back([this, i] { impl_->workers[i]->ioc.run(); });
  impl_->workers[0]->ioc.run();
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(impl_->done_mu);
    impl_->done = true;
  }
  impl_->done_cv.notify_all();
}

void Server::stop() { impl_->begin_stop(); }

}  // namespace dejima::http
