#include "cli/serve_command.h"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "common/log.h"
#include "serve/http_server.h"
#include "serve/metrics.h"

namespace tandem::cli {

void AddServeFlags(CLI::App* sub, ServeFlags& flags) {
  sub->add_option("--listen", flags.listen,
                  "HOST:PORT to listen on; port 0 picks a free one (it is printed)")
      ->capture_default_str();
  sub->add_option("--metrics-prefix", flags.metrics_prefix,
                  "what every metric name on /metrics starts with")
      ->capture_default_str();
}

Status RunServe(core::Runner& runner, const ServeFlags& flags, const std::atomic<bool>& stop) {
  if (!serve::ValidMetricPrefix(flags.metrics_prefix)) {
    return Status::InvalidInput("--metrics-prefix \"" + flags.metrics_prefix +
                                "\": a metric name starts with a letter or '_' and holds only "
                                "letters, digits and '_'");
  }
  TANDEM_ASSIGN_OR_RETURN(serve::ListenAddress address, serve::ParseListenAddress(flags.listen));

  // One runner, one connection: requests take turns reading the records.
  std::mutex reading;
  auto read_status = [&]() -> Result<core::StatusReport> {
    std::lock_guard<std::mutex> lock(reading);
    return runner.GetStatus();
  };
  serve::MetricsOptions metrics;
  metrics.prefix = flags.metrics_prefix;
  metrics.version = TANDEM_VERSION;

  // A URL that reaches nothing fails now, with its own error, rather than
  // serving `database_up 0` to a dashboard nobody looks at yet.
  TANDEM_RETURN_IF_ERROR(read_status().status());

  serve::HttpServer server;
  server.Get("/metrics", [&] {
    Result<core::StatusReport> report = read_status();
    if (!report.ok()) spdlog::warn("/metrics: {}", report.status().message());
    // A scrape always succeeds: <prefix>_database_up says whether the
    // records could be read, as exporters report a database they lost.
    return serve::Response{
        200, serve::kMetricsContentType,
        serve::RenderMetrics(metrics, report.ok() ? *report : core::StatusReport{}, report.ok())};
  });
  server.Get("/api/v1/status", [&] {
    Result<core::StatusReport> report = read_status();
    if (!report.ok()) {
      return serve::Response{503, "application/json",
                             ErrorJson(report.status(), ExitCodeFor(report.status())) + "\n"};
    }
    return serve::Response{200, "application/json", StatusJson(*report) + "\n"};
  });
  server.Get("/healthz", [] { return serve::Response{200, "text/plain; charset=utf-8", "ok\n"}; });
  server.Get("/", [] {
    return serve::Response{200, "text/plain; charset=utf-8",
                           "tandem serve: /metrics (Prometheus), /api/v1/status (JSON), "
                           "/healthz\n"};
  });

  TANDEM_ASSIGN_OR_RETURN(int port, server.Bind(address));
  std::string host =
      address.host.find(':') == std::string::npos ? address.host : "[" + address.host + "]";
  std::fprintf(stderr,
               "tandem: serving http://%s:%d/metrics and /api/v1/status; stop with Ctrl-C\n",
               host.c_str(), port);
  std::fflush(stderr);

  Status served = Status::Ok();
  std::thread listener([&] { served = server.Serve(); });
  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.Stop();
  listener.join();
  return served;
}

}  // namespace tandem::cli
