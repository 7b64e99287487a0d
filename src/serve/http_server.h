// The HTTP side of `tandem serve`: GET routes answered by callbacks, on one
// address, until stopped. Everything else gets 405 (another method) or 404.
// The HTTP library stays inside http_server.cc.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"

namespace tandem::serve {

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// "HOST:PORT", "[IPv6]:PORT" or ":PORT" (then 127.0.0.1); port 0 asks for
// any free port.
struct ListenAddress {
  std::string host;
  int port = 0;
};
Result<ListenAddress> ParseListenAddress(const std::string& text);

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Answers GET `path` (exactly) with `handler`, called on the server's
  // worker threads: it must be safe to call from several at once.
  void Get(const std::string& path, std::function<Response()> handler);
  // Binds the address; returns the port bound (the free one for port 0).
  Result<int> Bind(const ListenAddress& address);
  // Serves what Bind bound until Stop() is called (from another thread).
  Status Serve();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem::serve
