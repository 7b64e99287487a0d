// A `tandem serve` the test started, and what its HTTP endpoint answers,
// for the PostgreSQL and the SQLite tests alike.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tandem::testing {

struct HttpAnswer {
  int status = 0;  // 0: no answer at all
  std::string content_type;
  std::string body;
};

class ServedTandem {
 public:
  // Runs `tandem serve --listen 127.0.0.1:0` on `url` (or `args`, a
  // command that serves with --listen 127.0.0.1:0) and waits (up to 10 s)
  // for the port it prints.
  explicit ServedTandem(const std::string& url, const std::vector<std::string>& args = {
                                                    "serve", "--listen", "127.0.0.1:0"});
  // Stops it with SIGTERM (if the test did not) and waits for it.
  ~ServedTandem();

  int port() const { return port_; }  // 0 when it never said
  std::string errors() const;         // what it wrote to stderr
  HttpAnswer Get(const std::string& path) const;
  HttpAnswer Post(const std::string& path) const;
  // Any request, with `headers` and a JSON `body`.
  HttpAnswer Send(const std::string& method, const std::string& path,
                  const std::map<std::string, std::string>& headers,
                  const std::string& body = "") const;
  // Reads the server-sent events of `path` until `messages` events came
  // (or 10 s passed); the text received.
  std::string ReadEvents(const std::string& path, const std::map<std::string, std::string>& headers,
                         int messages) const;
  // The control token it printed when it made one; "" when it did not.
  std::string token() const;
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // SIGTERM, then its exit code.
  int Stop();

 private:
  int pid_ = 0;
  int port_ = 0;
  std::string err_path_;
};

// The value of the sample `series` (e.g. `tandem_backfill_done{table="items"}`)
// in a metrics text; nullopt when it is not there.
std::optional<double> MetricValue(const std::string& text, const std::string& series);

// Prometheus' own linter on a metrics text: "" when `promtool check
// metrics` accepts it, else what it said (and its exit code).
std::string PromtoolComplaints(const std::string& text);

}  // namespace tandem::testing
