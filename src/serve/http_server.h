// The HTTP side of `tandem serve`: routes answered by callbacks, on one
// address, until stopped. A path known for another method gets 405 naming
// the one it takes; an unknown path 404. The HTTP library stays inside
// http_server.cc.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace tandem::serve {

struct Request {
  std::string method;
  std::string path;
  // What a route's trailing "{name}" segment matched ("" for other routes).
  std::string param;
  std::string body;
  std::string remote_address;
  // Header names in lowercase; a header given twice keeps its last value.
  std::map<std::string, std::string> headers;
  // Query parameters (?a=b), decoded.
  std::map<std::string, std::string> query;

  // The header `lowercase_name`, or "" when absent.
  std::string Header(const std::string& lowercase_name) const;
};

// Sends one piece of a streamed body; false once the client has gone.
using StreamWrite = std::function<bool(std::string_view)>;

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is streamed instead: `stream` is called again and
  // again (it should wait a little each time) until it returns false, the
  // client goes or the server stops.
  std::function<bool(const StreamWrite&)> stream;
};

// A whole answer at once.
inline Response Reply(int status, std::string content_type, std::string body) {
  Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

using Handler = std::function<Response(const Request&)>;

// "HOST:PORT", "[IPv6]:PORT" or ":PORT" (then 127.0.0.1); port 0 asks for
// any free port.
struct ListenAddress {
  std::string host;
  int port = 0;
};
Result<ListenAddress> ParseListenAddress(const std::string& text);

// "http://HOST:PORT" for `address` bound to `port`, IPv6 in brackets.
std::string BaseUrl(const ListenAddress& address, int port);

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Answers GET or POST on `path` with `handler`, called on the server's
  // worker threads: it must be safe to call from several at once. A path
  // may end in the segment "{name}": letters, digits, '_', '-' and '.'
  // there reach the handler as Request::param. Register every route before
  // Bind.
  void Get(const std::string& path, Handler handler);
  void Post(const std::string& path, Handler handler);
  // Binds the address; returns the port bound (the free one for port 0).
  Result<int> Bind(const ListenAddress& address);
  // Serves what Bind bound until Stop() is called (from another thread).
  Status Serve();
  void Stop();

 private:
  void Route(const std::string& method, const std::string& path, Handler handler);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem::serve
