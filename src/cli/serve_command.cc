#include "cli/serve_command.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/command_center.h"
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
  sub->add_flag("--new-token", flags.new_token,
                "make a new control token for the API's changes (pause, resume, throttle, switch, "
                "flags, signoff), "
                "print it once on stdout and exit; the previous token stops working. Only its "
                "SHA-256 is stored");
}

// The server, its routes and its listening thread, from Start to Stop.
class ServeSession {
 public:
  ServeSession(backend::Database& database, const std::string& url,
               const core::RunnerOptions& options, const ServeFlags& flags)
      : center_(database, url, options, flags.metrics_prefix) {}

  Status Start(const ServeFlags& flags) {
    if (!serve::ValidMetricPrefix(flags.metrics_prefix)) {
      return Status::InvalidInput("--metrics-prefix \"" + flags.metrics_prefix +
                                  "\": a metric name starts with a letter or '_' and holds only "
                                  "letters, digits and '_'");
    }
    TANDEM_ASSIGN_OR_RETURN(serve::ListenAddress address, serve::ParseListenAddress(flags.listen));
    TANDEM_RETURN_IF_ERROR(center_.CheckReachable());
    TANDEM_ASSIGN_OR_RETURN(std::string token, center_.EnsureToken());
    center_.AddRoutes(server_);
    TANDEM_ASSIGN_OR_RETURN(int port, server_.Bind(address));
    std::string base = serve::BaseUrl(address, port);
    std::fprintf(stderr,
                 "tandem: serving %s/ (the command center; /metrics, /api/v1/...); stop with "
                 "Ctrl-C\n",
                 base.c_str());
    if (!token.empty()) {
      std::fprintf(stderr,
                   "tandem: control token (shown once; `tandem serve --new-token` replaces it): "
                   "%s\n",
                   token.c_str());
    }
    std::fflush(stderr);
    listener_ = std::thread([this] {
      served_ = server_.Serve();
      finished_ = true;
    });
    return Status::Ok();
  }

  Status Stop() {
    center_.StopStreams();
    // A Stop before the listener began listening would be lost: repeat it
    // until the listener is done.
    while (!finished_.load()) {
      server_.Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    listener_.join();
    return served_;
  }

  void WatchAlerts() { center_.WatchAlerts(); }
  bool Listening() const { return listener_.joinable(); }
  bool Finished() const { return finished_.load(); }

 private:
  CommandCenter center_;
  serve::HttpServer server_;
  std::thread listener_;
  std::atomic<bool> finished_{false};
  Status served_ = Status::Ok();
};

Result<std::unique_ptr<BackgroundServe>> BackgroundServe::Start(backend::Database& database,
                                                                const std::string& url,
                                                                const core::RunnerOptions& options,
                                                                const ServeFlags& flags) {
  std::unique_ptr<BackgroundServe> serving(new BackgroundServe());
  serving->session_ = std::make_unique<ServeSession>(database, url, options, flags);
  TANDEM_RETURN_IF_ERROR(serving->session_->Start(flags));
  return serving;
}

BackgroundServe::~BackgroundServe() {
  if (session_ && session_->Listening()) {
    Status stopped = session_->Stop();
    if (!stopped.ok()) spdlog::warn("--listen: {}", stopped.message());
  }
}

Status RunServe(backend::Database& database, const std::string& url,
                const core::RunnerOptions& options, const ServeFlags& flags,
                const std::atomic<bool>& stop) {
  if (flags.new_token) {
    CommandCenter center(database, url, options, flags.metrics_prefix);
    TANDEM_ASSIGN_OR_RETURN(std::string token, center.NewToken());
    std::printf("%s\n", token.c_str());
    std::fflush(stdout);
    std::fprintf(stderr,
                 "tandem: a new control token is stored (as its SHA-256); it is not shown again, "
                 "and the previous one no longer works\n");
    return Status::Ok();
  }
  ServeSession session(database, url, options, flags);
  TANDEM_RETURN_IF_ERROR(session.Start(flags));
  while (!stop.load() && !session.Finished()) {
    // A command's own --listen leaves the alerts to the command.
    session.WatchAlerts();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return session.Stop();
}

}  // namespace tandem::cli
