#include "serve/http_server.h"

#include <httplib.h>

#include <charconv>

namespace tandem::serve {

struct HttpServer::Impl {
  httplib::Server server;
};

Result<ListenAddress> ParseListenAddress(const std::string& text) {
  auto invalid = [&text](const std::string& why) {
    return Status::InvalidInput("--listen \"" + text + "\": " + why +
                                "; give HOST:PORT, e.g. 127.0.0.1:9477 or [::1]:9477");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return invalid("no port");
  ListenAddress address;
  address.host = text.substr(0, colon);
  if (address.host.size() >= 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  } else if (address.host.find(':') != std::string::npos) {
    return invalid("an IPv6 address goes in brackets");
  }
  if (address.host.empty()) address.host = "127.0.0.1";
  std::string port = text.substr(colon + 1);
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), address.port);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() ||
      address.port < 0 || address.port > 65535) {
    return invalid("the port must be a number from 0 to 65535");
  }
  return address;
}

HttpServer::HttpServer() : impl_(std::make_unique<Impl>()) {
  // SO_REUSEADDR only: a restart may take the port back at once, but a second
  // `tandem serve` on a port in use must fail, not share it (the library's
  // default, SO_REUSEPORT, would spread requests over both).
  impl_->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Requests carry no body worth reading, and a client that stalls must not
  // hold a worker for long.
  impl_->server.set_payload_max_length(64 * 1024);
  impl_->server.set_read_timeout(5, 0);
  impl_->server.set_write_timeout(5, 0);
  auto refuse = [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "GET");
    res.set_content("only GET is served here\n", "text/plain; charset=utf-8");
  };
  impl_->server.Post(".*", refuse);
  impl_->server.Put(".*", refuse);
  impl_->server.Delete(".*", refuse);
  impl_->server.Patch(".*", refuse);
}

HttpServer::~HttpServer() = default;

void HttpServer::Get(const std::string& path, std::function<Response()> handler) {
  // The library matches a regular expression; a path of letters, digits, '/',
  // '_', '-' and '.' only needs its dots escaped.
  std::string pattern;
  for (char c : path) {
    if (c == '.') pattern += '\\';
    pattern += c;
  }
  impl_->server.Get(
      pattern, [handler = std::move(handler)](const httplib::Request&, httplib::Response& res) {
        Response response = handler();
        res.status = response.status;
        res.set_content(response.body, response.content_type.c_str());
      });
}

Result<int> HttpServer::Bind(const ListenAddress& address) {
  int port = address.port;
  if (port == 0) {
    port = impl_->server.bind_to_any_port(address.host.c_str());
  } else if (!impl_->server.bind_to_port(address.host.c_str(), port)) {
    port = -1;
  }
  if (port < 0) {
    return Status::Error(ErrorKind::kBusy,
                         "cannot listen on " + address.host + ":" + std::to_string(address.port) +
                             ": the address is in use or not this machine's; choose another "
                             "with --listen");
  }
  return port;
}

Status HttpServer::Serve() {
  if (!impl_->server.listen_after_bind()) {
    return Status::Error(ErrorKind::kConnection, "the HTTP server stopped unexpectedly");
  }
  return Status::Ok();
}

void HttpServer::Stop() { impl_->server.stop(); }

}  // namespace tandem::serve
