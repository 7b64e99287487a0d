#include "cli/output.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "common/duration.h"
#include "common/rfc3339.h"
#include "common/strings.h"
#include "core/backfill_control.h"
#include "plan/plan_json.h"
#include "verify/report.h"

namespace tandem::cli {
namespace {

using nlohmann::json;

// --json output is JSON Lines: one object per line, so `jq`, log shippers
// and line-by-line readers take it as it comes.
void PrintLine(const json& object) { std::printf("%s\n", object.dump().c_str()); }

// An event line, stamped with the time it happened.
void PrintEvent(json event) {
  event["time"] = NowRfc3339();
  PrintLine(event);
}

// A recorded time as RFC 3339, null when there is none.
json TimeJson(const std::string& database_time) {
  std::optional<std::string> text = DatabaseTimeToRfc3339(database_time);
  return text ? json(*text) : json(nullptr);
}

// Text that may be missing (SQLite has no database user): null, not "".
json TextOrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

std::string Number(long long n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

double Percent(const backfill::Progress& p) {
  if (p.done) return 100;
  if (p.estimated_total <= 0) return 0;
  return std::min(100.0, 100.0 * static_cast<double>(p.rows_scanned) / p.estimated_total);
}

// "1,234 / ~5,000 rows, 812 rows/s, ETA 4.8s, chunk 2000, workers 2/2"
std::string ProgressLine(const backfill::Progress& p) {
  std::string line = p.table + ": " + Number(p.rows_scanned) +
                     (p.estimated_total > 0 ? " / ~" + Number(p.estimated_total) : "") + " rows";
  // Paused, nothing moves: a rate and an ETA would only decay towards zero.
  if (p.paused && !p.done) return line + ", " + p.waiting_reason;
  line += ", " + Number(static_cast<long long>(p.rows_per_second)) + " rows/s";
  if (p.done) {
    if (p.chunk_p99) line += ", chunks p99 " + FormatDuration(*p.chunk_p99);
    return line + ", done";
  }
  if (p.eta) line += ", ETA " + FormatDuration(*p.eta);
  line += ", chunk " + std::to_string(p.batch_size) +
          (p.short_chunks   ? " (short: the application waits on its rows)"
           : p.gentle_start ? " (short while starting)"
                            : "") +
          ", workers " + std::to_string(p.workers) + "/" + std::to_string(p.max_workers);
  if (!p.waiting_reason.empty()) line += " (waiting: " + p.waiting_reason + ")";
  return line;
}

std::string ProgressBar(const backfill::Progress& p) {
  constexpr int kWidth = 24;
  double percent = Percent(p);
  int filled = static_cast<int>(percent / 100 * kWidth);
  char head[16];
  std::snprintf(head, sizeof head, "%5.1f%% ", percent);
  return "  [" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] " + head +
         ProgressLine(p);
}

json ProgressJson(const backfill::Progress& p) {
  return {{"table", p.table},
          {"rows_scanned", p.rows_scanned},
          {"rows_updated", p.rows_updated},
          {"estimated_total", p.estimated_total},
          {"percent", Percent(p)},
          {"rows_per_second", static_cast<long long>(p.rows_per_second)},
          {"eta_ms", p.eta && !p.paused ? json(p.eta->count()) : json(nullptr)},
          {"chunks", p.chunks},
          {"batch_size", p.batch_size},
          {"workers", p.workers},
          {"max_workers", p.max_workers},
          {"ranges_done", p.ranges_done},
          {"ranges_total", p.ranges_total},
          {"retries", p.retries},
          {"paused", p.paused},
          {"waiting_reason", p.waiting_reason},
          {"done", p.done},
          {"elapsed_ms", p.elapsed.count()},
          {"chunk_p99_ms", p.chunk_p99 ? json(p.chunk_p99->count()) : json(nullptr)},
          {"chunk_max_ms", p.chunk_max ? json(p.chunk_max->count()) : json(nullptr)},
          {"short_chunks", p.short_chunks},
          {"gentle_start", p.gentle_start}};
}

// The terminal's width in columns, 80 when it does not say.
size_t TerminalColumns() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

class TextReporter : public core::Reporter {
 public:
  TextReporter() : terminal_(isatty(STDOUT_FILENO) != 0) {}

  void PhaseStarted(const std::string& phase, const std::string& migration) override {
    std::printf("==> %s %s\n", phase.c_str(), migration.c_str());
  }
  void StepDone(const std::string&, int index, int total, const plan::Step& step,
                const backend::StepOutcome& outcome) override {
    std::printf("  [%d/%d] %s (%s, %s%s)\n", index, total, step.description.c_str(),
                plan::LockLevelName(step.lock), FormatDuration(outcome.duration).c_str(),
                outcome.attempts > 1
                    ? (", " + std::to_string(outcome.attempts) + " attempts").c_str()
                    : "");
  }
  void StepRetrying(const plan::Step& step, int attempt, const Status& error,
                    const std::vector<std::string>& blockers) override {
    std::fprintf(stderr, "  waiting: \"%s\" attempt %d: %s%s\n", step.description.c_str(), attempt,
                 error.message().c_str(),
                 blockers.empty() ? "" : ("; blocked by " + Join(blockers, "; ")).c_str());
  }
  void BackfillProgress(const backfill::Progress& p) override {
    // On a terminal the bar redraws in place, cut to the terminal's width
    // (a wrapped line cannot be redrawn: every report would leave one
    // behind). In a log, a timed line at most every kLogInterval per table,
    // and always the first and the last.
    if (terminal_) {
      std::printf("\r%s\033[K", FitColumns(ProgressBar(p), TerminalColumns() - 1).c_str());
      std::fflush(stdout);
      in_progress_line_ = true;
    } else if (DueForLog(p)) {
      std::printf("  %s %s\n", NowRfc3339().c_str(), ProgressLine(p).c_str());
      std::fflush(stdout);
    }
  }
  void PhaseFinished(const std::string& phase, const std::string& migration,
                     Millis duration) override {
    if (in_progress_line_) std::printf("\n");
    in_progress_line_ = false;
    std::printf("<== %s %s done in %s\n", phase.c_str(), migration.c_str(),
                FormatDuration(duration).c_str());
  }
  void Note(const std::string& message) override { std::printf("%s\n", message.c_str()); }

 private:
  static constexpr std::chrono::seconds kLogInterval{5};

  bool DueForLog(const backfill::Progress& p) {
    auto now = std::chrono::steady_clock::now();
    auto [last, first] = last_logged_.try_emplace(p.table, now);
    if (!first && !p.done && now - last->second < kLogInterval) return false;
    last->second = now;
    return true;
  }

  bool terminal_;
  bool in_progress_line_ = false;
  std::map<std::string, std::chrono::steady_clock::time_point> last_logged_;
};

class JsonReporter : public core::Reporter {
 public:
  void PhaseStarted(const std::string& phase, const std::string& migration) override {
    PrintEvent({{"event", "phase_started"}, {"phase", phase}, {"migration", migration}});
  }
  void StepDone(const std::string& phase, int index, int total, const plan::Step& step,
                const backend::StepOutcome& outcome) override {
    PrintEvent({{"event", "step_done"},
                {"phase", phase},
                {"index", index},
                {"total", total},
                {"description", step.description},
                {"lock", plan::LockLevelName(step.lock)},
                {"duration_ms", outcome.duration.count()},
                {"attempts", outcome.attempts}});
  }
  void StepRetrying(const plan::Step& step, int attempt, const Status& error,
                    const std::vector<std::string>& blockers) override {
    PrintEvent({{"event", "step_retry"},
                {"description", step.description},
                {"attempt", attempt},
                {"error", error.message()},
                {"blockers", blockers}});
  }
  void BackfillProgress(const backfill::Progress& p) override {
    json line = ProgressJson(p);
    line["event"] = "backfill_progress";
    PrintEvent(line);
  }
  void PhaseFinished(const std::string& phase, const std::string& migration,
                     Millis duration) override {
    PrintEvent({{"event", "phase_finished"},
                {"phase", phase},
                {"migration", migration},
                {"duration_ms", duration.count()}});
  }
  void Note(const std::string& message) override {
    PrintEvent({{"event", "note"}, {"message", message}});
  }
};

json RecordJson(const core::MigrationRecord& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"schema", r.schema},
          {"version_schema", TextOrNull(r.version_schema)},
          {"phase", core::PhaseName(r.phase)},
          {"checksum", r.checksum},
          {"backfill_done", r.backfill_done},
          {"db_user", TextOrNull(r.db_user)},
          {"os_user", TextOrNull(r.os_user)},
          {"started_at", TimeJson(r.started_at)},
          {"completed_at", TimeJson(r.completed_at)},
          {"rolled_back_at", TimeJson(r.rolled_back_at)}};
}

}  // namespace

std::unique_ptr<core::Reporter> MakeReporter(bool json) {
  if (json) return std::make_unique<JsonReporter>();
  return std::make_unique<TextReporter>();
}

namespace {

// "dbuser (osuser)"; SQLite has no database users, so just the OS user.
std::string Who(const core::MigrationRecord& r) {
  if (r.db_user.empty()) return r.os_user;
  return r.db_user + " (" + r.os_user + ")";
}

}  // namespace

void PrintSteps(const char* phase, const std::vector<plan::Step>& steps) {
  std::printf("\n%s (%zu steps)\n", phase, steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    const plan::Step& s = steps[i];
    std::printf("  %zu. %s\n     lock: %s%s%s — %s%s\n", i + 1, s.description.c_str(),
                plan::LockLevelName(s.lock), s.tables.empty() ? "" : " on ",
                Join(s.tables, ", ").c_str(), plan::LockLevelEffect(s.lock),
                s.concurrent ? "; runs outside a transaction" : "");
    for (const auto& sql : s.statements) {
      std::printf("       %s;\n", ReplaceAll(sql, "\n", "\n       ").c_str());
    }
  }
}

void PrintBackfill(const char* command, const std::string& table,
                   const std::vector<std::string>& key_columns) {
  if (key_columns.empty()) {
    std::printf(
        "\n%s: backfill %s in chunks of pages (ctid): it has no primary key and no "
        "unique NOT NULL key\n",
        command, table.c_str());
  } else {
    std::printf("\n%s: backfill %s in chunks along (%s)\n", command, table.c_str(),
                Join(key_columns, ", ").c_str());
  }
}

void PrintPlan(const plan::Plan& plan, bool as_json) {
  if (as_json) {
    std::printf("%s\n", plan::PlanToJson(plan, -1).c_str());
    return;
  }
  if (plan.version_access.empty()) {
    std::printf("version schema: %s (set search_path to it to use the new version)\n",
                plan.version_schema.c_str());
  } else {
    std::printf("version %s: %s\n", plan.version_schema.c_str(), plan.version_access.c_str());
  }
  for (const auto& v : plan.views) {
    if (!v.access.empty()) std::printf("  %s: %s\n", v.name.c_str(), v.access.c_str());
  }
  for (const auto& w : plan.warnings) std::printf("warning: %s\n", w.c_str());
  for (const auto& i : plan.irreversible) {
    std::printf("irreversible: %s %s: `%s` %s; rollback cannot undo it\n", i.rule.c_str(),
                i.where.c_str(), i.statement.c_str(), i.what.c_str());
  }
  PrintSteps("start: expand", plan.expand);
  for (const auto& sync : plan.syncs) {
    if (sync.backfill) PrintBackfill("start", sync.table, sync.key_columns);
  }
  if (!plan.after_backfill.empty()) PrintSteps("start: after the backfill", plan.after_backfill);
  if (!plan.switch_to_new.empty()) {
    std::printf("\nlive schema: %s (set search_path to it, then %s, to follow `tandem switch`)\n",
                plan.live_schema.c_str(), plan.schema.c_str());
    PrintSteps("switch", plan.switch_to_new);
    PrintSteps("switch --back", plan.switch_back);
  }
  PrintSteps("complete", plan.complete);
  PrintSteps("rollback", plan.rollback);
}

// A throttle event as status shows it: holding since when and why, or when
// the last hold ended and how long it lasted.
json ThrottleJson(const std::optional<core::RecordedEvent>& recorded) {
  if (!recorded) return nullptr;
  return {{"holding", core::ThrottleHolds(*recorded)},
          {"at", TimeJson(recorded->at)},
          {"reason", recorded->event.detail},
          {"held_ms", core::ThrottleHolds(*recorded) ? 0.0 : recorded->event.duration_ms}};
}

void PrintThrottle(const std::optional<core::RecordedEvent>& recorded) {
  if (!recorded) return;
  const core::Event& event = recorded->event;
  if (core::ThrottleHolds(*recorded)) {
    std::printf("backfill throttled since %s: %s\n", recorded->at.c_str(), event.detail.c_str());
    return;
  }
  std::printf("last throttle: released at %s after %s (held by: %s)\n", recorded->at.c_str(),
              FormatDuration(Millis(static_cast<long long>(event.duration_ms))).c_str(),
              event.detail.c_str());
}

json WindowJson(const core::StatusReport& report) {
  if (!report.window) return nullptr;
  json signals = json::array();
  for (const auto& r : report.window->signals) {
    signals.push_back({{"name", r.name},
                       {"value", r.value ? json(*r.value) : json(nullptr)},
                       {"threshold", r.threshold ? json(*r.threshold) : json(nullptr)},
                       {"ok", r.ok},
                       {"note", r.note}});
  }
  return {{"state", report.window_state},
          {"window_s", report.window->window_s},
          {"elapsed_s", report.window->elapsed_s},
          {"left_s", report.window_left_s ? json(*report.window_left_s) : json(nullptr)},
          {"reason", TextOrNull(report.window->reason)},
          {"signals", signals}};
}

std::string Shown(const std::optional<double>& value) {
  if (!value) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", *value);
  return buf;
}

void PrintWindow(const core::StatusReport& report) {
  if (!report.window) return;
  const auto& w = *report.window;
  std::printf("observation window: %s", report.window_state.c_str());
  if (report.window_left_s) {
    std::printf(", %.0fs of %.0fs left", *report.window_left_s, w.window_s);
  } else {
    std::printf(" after %.0fs of %.0fs", w.elapsed_s, w.window_s);
  }
  std::printf("%s%s\n", w.reason.empty() ? "" : ": ", w.reason.c_str());
  for (const auto& r : w.signals) {
    std::printf("  %-20s %10s  threshold %-10s %s\n", r.name.c_str(), Shown(r.value).c_str(),
                Shown(r.threshold).c_str(), r.ok ? "ok" : ("BREACH: " + r.note).c_str());
  }
}

std::string StatusJson(const core::StatusReport& report) {
  json verify = nullptr;
  if (report.last_verify) {
    verify = json::parse(report.last_verify->report_json);
    verify["at"] = TimeJson(report.last_verify->at);
  }
  json out = {{"active", report.active ? RecordJson(*report.active) : json(nullptr)},
              {"last_verify", verify},
              {"last_completed",
               report.last_completed ? RecordJson(*report.last_completed) : json(nullptr)},
              {"version_schema", TextOrNull(report.version_schema)}};
  json backfill = json::array();
  for (const auto& p : report.backfill) {
    json table = ProgressJson(p);
    table["state"] = p.state;
    table["updated_at"] = TimeJson(p.updated_at);
    backfill.push_back(table);
  }
  out["backfill"] = backfill;
  out["last_throttle"] = ThrottleJson(report.last_throttle);
  out["contradictions"] = report.contradictions;
  json access = json::object();
  for (const auto& [table, uses] : report.new_version_access) access[table] = uses;
  out["new_version_access"] = access;
  out["live"] = report.live_schema.empty() ? json(nullptr)
                                           : json{{"schema", report.live_schema},
                                                  {"source", report.live_source},
                                                  {"version", report.live_version}};
  out["window"] = WindowJson(report);
  json alerts = json::array();
  for (const auto& a : report.alerts) {
    alerts.push_back({{"name", a.name},
                      {"threshold", a.threshold},
                      {"firing", a.firing},
                      {"value", a.value ? json(*a.value) : json(nullptr)}});
  }
  out["alerts"] = alerts;
  return out.dump();
}

void PrintStatus(const core::StatusReport& report, bool as_json) {
  if (as_json) {
    std::printf("%s\n", StatusJson(report).c_str());
    return;
  }
  if (report.active) {
    const auto& a = *report.active;
    // The tables' own lines below say how a backfill under way is doing.
    std::string backfill = a.backfill_done           ? ", backfill done"
                           : report.backfill.empty() ? ", backfill not started"
                                                     : "";
    std::printf("in progress: %s (phase %s%s), started %s by %s\n", a.name.c_str(),
                core::PhaseName(a.phase), backfill.c_str(), a.started_at.c_str(), Who(a).c_str());
    for (const auto& p : report.backfill) {
      std::printf("backfill %s (%s): %s\n", p.state.c_str(),
                  p.done ? "100%" : (std::to_string(static_cast<int>(Percent(p))) + "%").c_str(),
                  ProgressLine(p).c_str());
    }
    if (report.last_verify) {
      const auto& v = *report.last_verify;
      std::printf("last verification: %s at %s, parity %.4f%%, flags %d%s\n",
                  v.passed                            ? "passed"
                  : verify::WaitsForBackfill(v.flags) ? "backfill not finished"
                                                      : "FAILED",
                  v.at.c_str(), v.parity_percent, v.flags, v.full ? "" : " (partial)");
    } else {
      std::printf("not verified yet: `tandem verify` (complete verifies if needed)\n");
    }
    PrintThrottle(report.last_throttle);
    PrintWindow(report);
    for (const auto& a : report.alerts) {
      if (!a.firing) continue;
      std::printf("alert firing: %s at %s (threshold %s)\n", a.name.c_str(),
                  a.value ? FormatNumber(*a.value).c_str() : "?",
                  FormatNumber(a.threshold).c_str());
    }
    for (const auto& [table, uses] : report.new_version_access) {
      std::printf("%s: %s\n", table.c_str(), uses.c_str());
    }
  } else {
    std::printf("no migration in progress\n");
  }
  if (report.last_completed) {
    std::printf("last completed: %s on %s\n", report.last_completed->name.c_str(),
                report.last_completed->completed_at.c_str());
  }
  if (!report.version_schema.empty()) {
    std::printf("newest version schema: %s\n", report.version_schema.c_str());
  }
  if (!report.live_schema.empty()) {
    std::printf("live schema %s shows the %s version (%s)\n", report.live_schema.c_str(),
                report.live_version.c_str(), report.live_source.c_str());
  }
  for (const auto& contradiction : report.contradictions) {
    std::printf("the records contradict the database: %s\n", contradiction.c_str());
  }
}

std::string HistoryJson(const std::vector<core::MigrationRecord>& history) {
  json records = json::array();
  for (const auto& r : history) records.push_back(RecordJson(r));
  return records.dump();
}

void PrintRollbackChoice(const core::RollbackChoice& choice, bool as_json) {
  if (as_json) {
    json steps = json::array();
    for (const auto& step : choice.steps) {
      steps.push_back({{"description", step.description},
                       {"lock", plan::LockLevelName(step.lock)},
                       {"tables", step.tables},
                       {"sql", step.statements}});
    }
    json rehearsed = nullptr;
    if (choice.rehearsed) {
      rehearsed = {{"phase", choice.rehearsed->phase},
                   {"seconds", choice.rehearsed->seconds},
                   {"extrapolated_seconds", choice.rehearsed->extrapolated_seconds}};
    }
    PrintLine(
        {{"rollback", choice.says}, {"dry_run", true}, {"steps", steps}, {"rehearsed", rehearsed}});
    return;
  }
  std::printf("rollback would: %s\n", choice.says.c_str());
  if (choice.rehearsed) {
    std::printf("rehearsed: %s took %.2f s on the scratch copy, about %.2f s on the real tables\n",
                choice.rehearsed->phase.c_str(), choice.rehearsed->seconds,
                choice.rehearsed->extrapolated_seconds);
  } else {
    std::printf("rehearsed: no rehearsal recorded (`tandem rehearse FILE` times one)\n");
  }
  PrintSteps("rollback", choice.steps);
  std::printf("\n(dry run: nothing changed)\n");
}

void PrintHistory(const std::vector<core::MigrationRecord>& history, bool as_json) {
  if (as_json) {
    for (const auto& r : history) PrintLine(RecordJson(r));
    return;
  }
  if (history.empty()) std::printf("no migrations yet\n");
  for (const auto& r : history) {
    std::printf("%-4lld %-32s %-12s started %s by %s%s\n", r.id, r.name.c_str(),
                core::PhaseName(r.phase), r.started_at.c_str(), Who(r).c_str(),
                r.completed_at.empty() ? "" : (", completed " + r.completed_at).c_str());
  }
}

std::string ErrorJson(const Status& status, int exit_code) {
  json out = {{"error", status.message()}, {"exit_code", exit_code}};
  if (!status.native_code().empty()) out["sqlstate"] = status.native_code();
  return out.dump();
}

void PrintError(const Status& status, int exit_code, bool as_json) {
  if (as_json) {
    std::printf("%s\n", ErrorJson(status, exit_code).c_str());
    return;
  }
  std::fprintf(stderr, "tandem: error: %s\n", status.message().c_str());
}

}  // namespace tandem::cli
