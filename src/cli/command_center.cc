#include "cli/command_center.h"

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "common/flag_decision.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "core/flags.h"
#include "core/throttle_change.h"
#include "gates/gates.h"
#include "serve/metrics.h"
#include "serve/web_assets.h"

namespace tandem::cli {
namespace {

using json = nlohmann::ordered_json;
using serve::Reply;
using serve::Request;
using serve::Response;

Response JsonAnswer(int status, const std::string& body) {
  return Reply(status, "application/json", body + "\n");
}

// An error of the runner as HTTP: what a person would have read from the
// command, with its exit code.
Response ErrorAnswer(const tandem::Status& status) {
  int http = 500;
  switch (status.kind()) {
    case ErrorKind::kInvalidInput:
      http = 400;
      break;
    case ErrorKind::kRefused:
    case ErrorKind::kBusy:
    case ErrorKind::kLockTimeout:
      http = 409;  // the migration's state says no (now)
      break;
    case ErrorKind::kConnection:
    case ErrorKind::kDatabase:
      http = 503;
      break;
    default:
      break;
  }
  return JsonAnswer(http, ErrorJson(status, ExitCodeFor(status)));
}

json TimeOrNull(const std::string& database_time) {
  std::optional<std::string> text = DatabaseTimeToRfc3339(database_time);
  return text ? json(*text) : json(nullptr);
}

// A share of the body {"percent": 25} or {"share": "0.5%"}, in basis points.
Result<int> ShareOf(const std::string& body) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("share") && parsed["share"].is_string()) {
    return ParseFlagShare(parsed["share"].get<std::string>());
  }
  if (parsed.is_object() && parsed.contains("percent") && parsed["percent"].is_number()) {
    return ParseFlagShare(parsed["percent"].dump() + "%");
  }
  return tandem::Status::InvalidInput(
      "the body must be JSON such as {\"percent\": 25} or {\"share\": \"0.5%\"}");
}

// A sign-off of the body {"category": ..., "by": ..., "note": ...}, as
// `tandem signoff CATEGORY --by NAME --note TEXT` takes it.
Result<core::SignoffOptions> SignoffOf(const std::string& body) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto text = [&parsed](const char* key) {
    return parsed.contains(key) && parsed[key].is_string() ? parsed[key].get<std::string>()
                                                           : std::string();
  };
  if (!parsed.is_object() || text("category").empty() || text("by").empty() ||
      (parsed.contains("note") && !parsed["note"].is_string())) {
    return tandem::Status::InvalidInput(
        "the body must be JSON such as {\"category\": \"data_quality\", \"by\": \"ana\", "
        "\"note\": \"parity checked\"}: category and by are required text (who signs is "
        "recorded), note optional text");
  }
  return core::SignoffOptions{text("category"), text("by"), text("note")};
}

}  // namespace

CommandCenter::CommandCenter(backend::Database& database, std::string url,
                             core::RunnerOptions options, std::string metrics_prefix)
    : database_(database),
      url_(std::move(url)),
      options_(std::move(options)),
      metrics_prefix_(std::move(metrics_prefix)),
      reader_(std::make_unique<core::Runner>(database_, options_, reporter_)),
      events_([this](long long after, int limit) {
        std::lock_guard<std::mutex> lock(reading_);
        return reader_->EventsAfter(after, limit);
      }) {}

tandem::Status CommandCenter::CheckReachable() {
  std::lock_guard<std::mutex> lock(reading_);
  return reader_->GetStatus().status();
}

Result<std::string> CommandCenter::EnsureToken() {
  std::lock_guard<std::mutex> lock(reading_);
  return reader_->EnsureControlToken();
}

Result<std::string> CommandCenter::NewToken() {
  std::lock_guard<std::mutex> lock(reading_);
  return reader_->NewControlToken();
}

serve::Handler CommandCenter::Guarded(serve::Access access, serve::Handler handler) {
  return [this, access, handler = std::move(handler)](const Request& request) {
    std::optional<Response> refused =
        serve::Refusal(request, access, [this](const std::string& token) {
          std::lock_guard<std::mutex> lock(reading_);
          return reader_->ControlTokenMatches(token);
        });
    if (refused) return *refused;
    return handler(request);
  };
}

Response CommandCenter::StatusAnswer() {
  std::lock_guard<std::mutex> lock(reading_);
  Result<core::StatusReport> report = reader_->GetStatus();
  if (!report.ok()) return ErrorAnswer(report.status());
  return JsonAnswer(200, StatusJson(*report));
}

Response CommandCenter::History() {
  std::lock_guard<std::mutex> lock(reading_);
  Result<std::vector<core::MigrationRecord>> history = reader_->History();
  if (!history.ok()) return ErrorAnswer(history.status());
  return JsonAnswer(200, HistoryJson(*history));
}

Response CommandCenter::Readers(const Request&) {
  // A runner of its own: the catalog scan may take a while, and reads of
  // the status must not wait for it.
  core::Runner runner(database_, options_, reporter_);
  Result<std::vector<readers::Reader>> found = runner.Readers();
  if (!found.ok()) return ErrorAnswer(found.status());
  json list = json::array();
  for (const auto& r : *found) {
    list.push_back({{"kind", r.kind}, {"name", r.name}, {"uses", r.uses}, {"action", r.action}});
  }
  return JsonAnswer(200, json{{"readers", list}}.dump());
}

Response CommandCenter::Gates() {
  // A runner of its own, as for the readers: the gates gather them too.
  core::Runner runner(database_, options_, reporter_);
  Result<core::GatesView> view = runner.Gates();
  if (!view.ok()) return ErrorAnswer(view.status());
  return JsonAnswer(200, gates::GatesToJson(view->migration, view->gates, view->scorecard));
}

Response CommandCenter::GetFlags() {
  core::Flags flags(database_, options_.schema, options_.state_schema);
  Result<core::MigrationFlags<core::FlagSetting>> got = flags.Get(std::nullopt);
  if (!got.ok() && got.status().kind() == ErrorKind::kRefused) {
    // No migration in progress: no flags, which is no error to a page.
    return JsonAnswer(200, json{{"migration", nullptr}, {"flags", json::array()}}.dump());
  }
  if (!got.ok()) return ErrorAnswer(got.status());
  json list = json::array();
  for (const auto& flag : got->flags) {
    list.push_back({{"name", flag.name},
                    {"percent", flag.basis_points / 100.0},
                    {"updated_at", TimeOrNull(flag.updated_at)}});
  }
  return JsonAnswer(200, json{{"migration", got->migration.name}, {"flags", list}}.dump());
}

Response CommandCenter::SetFlag(const Request& request) {
  tandem::Status name = core::CheckFlagName(request.param);
  if (!name.ok()) return ErrorAnswer(name);
  Result<int> share = ShareOf(request.body);
  if (!share.ok()) return ErrorAnswer(share.status());
  core::Flags flags(database_, options_.schema, options_.state_schema);
  Result<core::MigrationFlags<core::FlagSetting>> set = flags.Set(request.param, *share);
  if (!set.ok()) return ErrorAnswer(set.status());
  spdlog::info("flag {} set to {} through the control API", request.param, FormatFlagShare(*share));
  return JsonAnswer(
      200,
      json{{"ok", true}, {"done", "flag set"}, {"flag", request.param}, {"percent", *share / 100.0}}
          .dump());
}

Response CommandCenter::Change(const std::string& done,
                               const std::function<tandem::Status(core::Runner&)>& change) {
  Result<std::unique_ptr<backend::Database>> database = backend::OpenDatabase(url_);
  if (!database.ok()) return ErrorAnswer(database.status());
  core::Runner runner(**database, options_, reporter_);
  tandem::Status status = change(runner);
  if (!status.ok()) return ErrorAnswer(status);
  spdlog::info("{} through the control API", done);
  return JsonAnswer(200, json{{"ok", true}, {"done", done}}.dump());
}

void CommandCenter::WatchAlerts() {
  // Long enough not to read the settings at every sample.
  constexpr std::chrono::minutes kRenewal{1};
  auto now = std::chrono::steady_clock::now();
  if (!alerts_made_at_ || now - *alerts_made_at_ >= kRenewal) {
    alerts_made_at_ = now;
    alerts_.reset();
    alerts_runner_.reset();
    if (!alerts_database_) {
      Result<std::unique_ptr<backend::Database>> opened = backend::OpenDatabase(url_);
      if (!opened.ok()) {
        spdlog::warn("alerts are not watched: {}", opened.status().message());
        return;
      }
      alerts_database_ = std::move(*opened);
    }
    alerts_runner_ = std::make_unique<core::Runner>(*alerts_database_, options_, reporter_);
    Result<std::unique_ptr<core::AlertWatch>> watch = alerts_runner_->WatchAlerts();
    if (!watch.ok()) {
      spdlog::warn("alerts are not watched: {}", watch.status().message());
      return;
    }
    alerts_ = std::move(*watch);
  }
  if (alerts_) alerts_->Poll();
}

void CommandCenter::AddRoutes(serve::HttpServer& server) {
  using serve::Access;
  server.Get("/metrics", [this](const Request&) {
    Result<core::StatusReport> report = [this] {
      std::lock_guard<std::mutex> lock(reading_);
      return reader_->GetStatus();
    }();
    if (!report.ok()) spdlog::warn("/metrics: {}", report.status().message());
    serve::MetricsOptions metrics;
    metrics.prefix = metrics_prefix_;
    metrics.version = TANDEM_VERSION;
    // The gates as `tandem gates` decides them, on a runner of their own
    // (as for /api/v1/gates); a migration without them just has no samples.
    std::vector<gates::Gate> gates;
    if (report.ok() && report->active) {
      core::Runner runner(database_, options_, reporter_);
      Result<core::GatesView> view = runner.Gates();
      if (view.ok()) gates = std::move(view->gates);
    }
    // A scrape always succeeds: <prefix>_database_up says whether the
    // records could be read, as exporters report a database they lost.
    return Reply(200, serve::kMetricsContentType,
                 serve::RenderMetrics(metrics, report.ok() ? *report : core::StatusReport{},
                                      report.ok(), gates));
  });
  server.Get("/healthz", [](const Request&) { return Reply(200, "text/plain", "ok\n"); });
  for (const serve::WebAsset& asset : serve::WebAssets()) {
    std::string path = asset.path == "/index.html" ? "/" : std::string(asset.path);
    server.Get(path, [asset](const Request&) {
      Response page = serve::Reply(200, asset.content_type, std::string(asset.body));
      // The page runs only its own script and style, and no site may frame it.
      page.headers = {{"Content-Security-Policy",
                       "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"},
                      {"X-Content-Type-Options", "nosniff"},
                      {"Cache-Control", "no-store"}};
      return page;
    });
  }
  server.Get("/api/v1/status",
             Guarded(Access::kRead, [this](const Request&) { return StatusAnswer(); }));
  server.Get("/api/v1/history",
             Guarded(Access::kRead, [this](const Request&) { return History(); }));
  server.Get("/api/v1/readers",
             Guarded(Access::kRead, [this](const Request& r) { return Readers(r); }));
  server.Get("/api/v1/gates", Guarded(Access::kRead, [this](const Request&) { return Gates(); }));
  server.Get("/api/v1/flags",
             Guarded(Access::kRead, [this](const Request&) { return GetFlags(); }));
  server.Get("/api/v1/events",
             Guarded(Access::kRead, [this](const Request& r) { return events_.Open(r); }));
  server.Post("/api/v1/pause", Guarded(Access::kControl, [this](const Request&) {
                return Change("backfill paused", [](core::Runner& r) { return r.SetPaused(true); });
              }));
  server.Post("/api/v1/resume", Guarded(Access::kControl, [this](const Request&) {
                return Change("backfill resumed",
                              [](core::Runner& r) { return r.SetPaused(false); });
              }));
  server.Post("/api/v1/switch", Guarded(Access::kControl, [this](const Request&) {
                return Change("switched to the new version",
                              [](core::Runner& r) { return r.Switch({.back = false}); });
              }));
  server.Post("/api/v1/switch/back", Guarded(Access::kControl, [this](const Request&) {
                return Change("switched back to the old version",
                              [](core::Runner& r) { return r.Switch({.back = true}); });
              }));
  server.Post("/api/v1/throttle", Guarded(Access::kControl, [this](const Request& r) {
                Result<backfill::ThrottleChange> change = core::ParseThrottleChange(r.body);
                if (!change.ok()) return ErrorAnswer(change.status());
                return Change("throttle changed", [&change](core::Runner& runner) {
                  return runner.ChangeThrottle(*change);
                });
              }));
  server.Post("/api/v1/signoff", Guarded(Access::kControl, [this](const Request& r) {
                Result<core::SignoffOptions> signoff = SignoffOf(r.body);
                if (!signoff.ok()) return ErrorAnswer(signoff.status());
                return Change(
                    signoff->category + " signed off by " + signoff->by,
                    [&signoff](core::Runner& runner) { return runner.Signoff(*signoff); });
              }));
  server.Post("/api/v1/flags/{name}",
              Guarded(Access::kControl, [this](const Request& r) { return SetFlag(r); }));
}

}  // namespace tandem::cli
