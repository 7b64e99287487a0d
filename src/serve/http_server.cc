#include "serve/http_server.h"

#include <httplib.h>

#include <cctype>
#include <charconv>
#include <set>

namespace tandem::serve {
namespace {

constexpr char kParamSegment[] = "{name}";
constexpr size_t kMaxRequestBody = 64 * 1024;  // requests carry small JSON at most

// The library matches a regular expression; a path of letters, digits, '/',
// '_', '-' and '.' only needs its dots escaped, and a trailing "{name}"
// becomes one captured segment.
std::string PatternOf(const std::string& path) {
  std::string fixed = path;
  bool has_param = fixed.size() >= sizeof kParamSegment - 1 &&
                   fixed.compare(fixed.size() - (sizeof kParamSegment - 1), std::string::npos,
                                 kParamSegment) == 0;
  if (has_param) fixed.resize(fixed.size() - (sizeof kParamSegment - 1));
  std::string pattern;
  for (char c : fixed) {
    if (c == '.') pattern += '\\';
    pattern += c;
  }
  if (has_param) pattern += "([A-Za-z0-9_.-]+)";
  return pattern;
}

Request RequestOf(const httplib::Request& req) {
  Request request;
  request.method = req.method;
  request.path = req.path;
  if (req.matches.size() > 1) request.param = req.matches[1].str();
  request.body = req.body;
  request.remote_address = req.remote_addr;
  for (const auto& [name, value] : req.headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[lower] = value;
  }
  for (const auto& [name, value] : req.params) request.query[name] = value;
  return request;
}

void Answer(const Response& response, httplib::Response& res) {
  res.status = response.status;
  for (const auto& [name, value] : response.headers) res.set_header(name.c_str(), value);
  if (!response.stream) {
    res.set_content(response.body, response.content_type.c_str());
    return;
  }
  res.set_chunked_content_provider(
      response.content_type.c_str(), [stream = response.stream](size_t, httplib::DataSink& sink) {
        StreamWrite write = [&sink](std::string_view piece) {
          return sink.is_writable() && sink.write(piece.data(), piece.size());
        };
        if (!stream(write) || !sink.is_writable()) sink.done();
        return true;
      });
}

}  // namespace

std::string Request::Header(const std::string& lowercase_name) const {
  auto found = headers.find(lowercase_name);
  return found == headers.end() ? std::string() : found->second;
}

struct HttpServer::Impl {
  httplib::Server server;
  // The methods each route pattern answers, for the 405s Bind adds.
  std::map<std::string, std::set<std::string>> methods;
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

std::string BaseUrl(const ListenAddress& address, int port) {
  std::string host =
      address.host.find(':') == std::string::npos ? address.host : "[" + address.host + "]";
  return "http://" + host + ":" + std::to_string(port);
}

HttpServer::HttpServer() : impl_(std::make_unique<Impl>()) {
  // SO_REUSEADDR only: a restart may take the port back at once, but a second
  // `tandem serve` on a port in use must fail, not share it (the library's
  // default, SO_REUSEPORT, would spread requests over both).
  impl_->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // A client that stalls must not hold a worker for long.
  impl_->server.set_payload_max_length(kMaxRequestBody);
  impl_->server.set_read_timeout(5, 0);
  impl_->server.set_write_timeout(5, 0);
}

HttpServer::~HttpServer() = default;

void HttpServer::Get(const std::string& path, Handler handler) {
  Route("GET", path, std::move(handler));
}

void HttpServer::Post(const std::string& path, Handler handler) {
  Route("POST", path, std::move(handler));
}

void HttpServer::Route(const std::string& method, const std::string& path, Handler handler) {
  std::string pattern = PatternOf(path);
  impl_->methods[pattern].insert(method);
  auto serve = [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    Answer(handler(RequestOf(req)), res);
  };
  if (method == "GET") {
    impl_->server.Get(pattern, serve);
  } else {
    impl_->server.Post(pattern, serve);
  }
}

Result<int> HttpServer::Bind(const ListenAddress& address) {
  // Every route is known now: the other methods on its path get 405.
  for (const auto& [pattern, methods] : impl_->methods) {
    std::string allow;
    for (const auto& m : methods) allow += (allow.empty() ? "" : ", ") + m;
    auto refuse = [allow](const httplib::Request&, httplib::Response& res) {
      res.status = 405;
      res.set_header("Allow", allow);
      res.set_content("this path answers " + allow + " only\n", "text/plain; charset=utf-8");
    };
    if (!methods.count("GET")) impl_->server.Get(pattern, refuse);
    if (!methods.count("POST")) impl_->server.Post(pattern, refuse);
    impl_->server.Put(pattern, refuse);
    impl_->server.Delete(pattern, refuse);
    impl_->server.Patch(pattern, refuse);
  }
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
