// tandem's command line: global options, a table of subcommands, and one
// mapping from results to exit codes (cli/exit_codes.h).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "backends/backend.h"
#include "cli/authoring_commands.h"
#include "cli/command_errors.h"
#include "cli/diff_command.h"
#include "cli/dry_run_command.h"
#include "cli/exit_codes.h"
#include "cli/flag_command.h"
#include "cli/global_options.h"
#include "cli/governance_command.h"
#include "cli/lint_command.h"
#include "cli/output.h"
#include "cli/readers_command.h"
#include "cli/serve_command.h"
#include "cli/throttle_flags.h"
#include "common/duration.h"
#include "common/log.h"
#include "core/runner.h"
#include "hooks/hook_call.h"
#include "reader/migration_directory.h"
#include "reader/reader.h"
#include "verify/postgres/verifier.h"
#include "verify/report.h"

namespace tandem::cli {
namespace {

// Set by SIGINT/SIGTERM: long-running commands stop at the next safe point
// (the backfill after its current chunk, verify --watch between passes).
std::atomic<bool> interrupted{false};

void StopOnSignals() {
  std::signal(SIGINT, [](int) { interrupted = true; });
  std::signal(SIGTERM, [](int) { interrupted = true; });
  // Output is a report, not the work: a closed pipe (`tandem start f | head`)
  // must not end a backfill halfway. Writes to it then fail quietly.
  std::signal(SIGPIPE, SIG_IGN);
}

struct CommandOptions {
  std::string file;
  std::string dir;
  bool complete = false;
  bool skip_backfill = false;
  bool allow_irreversible = false;
  int batch_size = 0;
  std::string target_chunk_time;  // empty: the file's, else the engine's
  int concurrency = 0;            // 0: the file's, else 2
  long long vacuum_every = -1;    // -1: the file's, else automatic
  std::string reconnect_window;   // empty: the file's, else 60s
  ThrottleFlags throttle;
  // verify
  int show = 10;
  int workers = 3;
  long long chunk_blocks = 4096;
  std::string sample;
  std::string watch;
  bool repair = false;
  bool one_query = false;
  // switch
  bool back = false;
  // start, backfill, switch: serve the command center meanwhile
  std::string listen;
  // start, backfill, switch, complete, migrate
  bool dry_run = false;
  // --dry-run or --dry-run=false was given: the settings' run.dry_run yields.
  bool dry_run_given = false;
  // switch
  std::string observe;
  bool no_auto_back = false;
  // complete
  bool force = false;
  std::string reason;
  std::string scan_dir;  // readers, complete
  // start, switch, complete
  std::string approval;
  // start, backfill, verify, switch, complete, rollback, migrate
  std::string max_runtime;
  // signoff, approve, note
  std::string by;
  std::string category;
  std::string note;
  std::vector<std::string> text;
  std::string name;    // report
  long long rows = 0;  // rehearse: 0 copies every row
  ServeFlags serve;
};

Result<core::RunnerOptions> MakeRunnerOptions(const GlobalOptions& global,
                                              const CommandOptions& command) {
  core::RunnerOptions options;
  options.schema = global.schema;
  options.state_schema = global.state_schema;
  TANDEM_ASSIGN_OR_RETURN(options.lock_policy.lock_timeout, ParseDuration(global.lock_timeout));
  TANDEM_ASSIGN_OR_RETURN(options.lock_policy.deadline, ParseDuration(global.lock_deadline));
  if (options.lock_policy.lock_timeout.count() == 0) {
    return Status::InvalidInput(
        "--lock-timeout must be above 0: a DDL statement must never wait "
        "in the lock queue without limit");
  }
  if (command.batch_size > 0) options.batch_size = command.batch_size;
  if (!command.target_chunk_time.empty()) {
    TANDEM_ASSIGN_OR_RETURN(options.target_chunk_time, ParseDuration(command.target_chunk_time));
    if (options.target_chunk_time->count() <= 0) {
      return Status::InvalidInput("--target-chunk-time must be above 0, e.g. 200ms");
    }
  }
  if (command.concurrency > 0) options.concurrency = command.concurrency;
  if (command.vacuum_every >= 0) options.vacuum_every = command.vacuum_every;
  options.allow_irreversible = command.allow_irreversible;
  if (!command.reconnect_window.empty()) {
    TANDEM_ASSIGN_OR_RETURN(options.reconnect_window, ParseDuration(command.reconnect_window));
    if (options.reconnect_window->count() <= 0) {
      return Status::InvalidInput("--reconnect-window must be above 0, e.g. 60s");
    }
  }
  TANDEM_ASSIGN_OR_RETURN(options.throttle, ParseThrottleFlags(command.throttle));
  if (!command.max_runtime.empty()) {
    TANDEM_ASSIGN_OR_RETURN(options.max_runtime, ParseDuration(command.max_runtime));
    if (options.max_runtime->count() <= 0) {
      return Status::InvalidInput("--max-runtime must be above 0, e.g. 6h");
    }
  }
  options.lock_timeout_given = global.lock_timeout_given;
  options.lock_deadline_given = global.lock_deadline_given;
  TANDEM_ASSIGN_OR_RETURN(options.config, LoadSharedConfig(global.config));
  options.hooks.command = global.hook_command;
  options.hooks.url = global.hook_url;
  if (!global.hook_url.empty()) {
    TANDEM_RETURN_IF_ERROR(hooks::CheckHookUrl(global.hook_url).WithContext("--hook-url"));
  }
  options.connect_replica = ReplicaSessions();
  options.stop_requested = &interrupted;
  return options;
}

Result<double> ParsePercent(const std::string& text) {
  std::string number = text;
  if (!number.empty() && number.back() == '%') number.pop_back();
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (number.empty() || *end != '\0' || value <= 0 || value > 100) {
    return Status::InvalidInput(
        "--sample takes a percentage above 0 and at most 100, e.g. 1% "
        "(got \"" +
        text + "\")");
  }
  return value;
}

void PrintPass(const verify::Report& report, bool json) {
  if (json) {
    std::printf("%s\n", verify::ReportToJson(report).c_str());
  } else {
    std::printf("%s", verify::ReportToText(report).c_str());
  }
  std::fflush(stdout);
}

// verify, once or every --watch interval until interrupted. Exit 0 when
// every check is clean, 1 when one fails or the backfill has not finished,
// 3 when a scan could not finish.
Status RunVerify(core::Runner& runner, const GlobalOptions& global, const CommandOptions& options) {
  core::VerifyOptions verify_options;
  verify_options.scan.show = options.show;
  verify_options.scan.workers = options.workers;
  verify_options.scan.chunk_blocks = options.chunk_blocks;
  verify_options.scan.one_query = options.one_query;
  verify_options.repair = options.repair;
  if (!options.sample.empty()) {
    TANDEM_ASSIGN_OR_RETURN(verify_options.scan.sample_percent, ParsePercent(options.sample));
  }
  std::optional<Millis> every;
  if (!options.watch.empty()) {
    TANDEM_ASSIGN_OR_RETURN(every, ParseDuration(options.watch));
  }
  verify::Report last;
  long long previous_mismatches = -1;
  do {
    TANDEM_ASSIGN_OR_RETURN(verify::Pass pass, runner.Verify(verify_options));
    last = pass.report;
    PrintPass(last, global.json);
    long long mismatches = 0;
    for (const auto& p : last.parity) mismatches += p.mismatches;
    if (every && !global.json && previous_mismatches >= 0) {
      long long delta = mismatches - previous_mismatches;
      std::printf("  trend: %+lld mismatching values since the previous pass\n", delta);
    }
    previous_mismatches = mismatches;
    verify::FollowUp(pass, verify_options.scan);
    verify_options.repair = false;
    for (long long waited = 0; every && !interrupted && waited < every->count(); waited += 100) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  } while (every && !interrupted);
  if (!last.scan_complete) {
    return Status::Error(ErrorKind::kDatabase,
                         "verification could not finish: " + last.incomplete_reason);
  }
  if (verify::WaitsForBackfill(last.flags)) {
    return Status::Refused("backfill not finished: " + std::to_string(last.not_backfilled) +
                           " rows not reached; run `tandem backfill`, then `tandem verify`");
  }
  if (!last.passed())
    return Status::Refused("verification failed (flags " + std::to_string(last.flags) + ")");
  return Status::Ok();
}

// The commands that change something and so take --dry-run.
bool TakesDryRun(const std::string& command) {
  return command == "start" || command == "backfill" || command == "switch" ||
         command == "complete" || command == "migrate";
}

// For those: --dry-run as given, else `run.dry_run` of the migration files
// given (start, migrate), else of the config file.
bool DryRunWanted(const std::string& command, const CommandOptions& options,
                  const plan::Settings& config, const std::optional<plan::Migration>& migration,
                  const std::vector<plan::Migration>& migrations) {
  if (!TakesDryRun(command)) return false;
  if (options.dry_run_given) return options.dry_run;
  if (migration && migration->settings.dry_run) return *migration->settings.dry_run;
  for (const auto& m : migrations) {
    if (m.settings.dry_run.value_or(false)) return true;
  }
  return config.dry_run.value_or(false);
}

Status RunSwitch(core::Runner& runner, const CommandOptions& options) {
  core::SwitchOptions switch_options{.back = options.back,
                                     .approval = options.approval,
                                     .observe = std::nullopt,
                                     .no_auto_back = options.no_auto_back};
  if (!options.observe.empty()) {
    TANDEM_ASSIGN_OR_RETURN(switch_options.observe, ParseDuration(options.observe));
    if (switch_options.observe->count() <= 0) {
      return Status::InvalidInput("--observe must be above 0, e.g. 30m");
    }
    if (options.back) {
      return Status::InvalidInput(
          "--observe watches the new version after a switch; it does "
          "not go with --back");
    }
  }
  return runner.Switch(switch_options);
}

// Runs one subcommand against the database; returns its status.
Status Dispatch(const std::string& command, const GlobalOptions& global,
                const CommandOptions& options) {
  TANDEM_ASSIGN_OR_RETURN(core::RunnerOptions runner_options, MakeRunnerOptions(global, options));
  std::optional<plan::Migration> migration;
  if (!options.file.empty()) {
    TANDEM_ASSIGN_OR_RETURN(migration, reader::ReadMigrationFile(options.file));
  }
  std::vector<plan::Migration> migrations;
  if (command == "migrate") {
    TANDEM_ASSIGN_OR_RETURN(migrations, reader::ReadMigrationDirectory(options.dir));
  }
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Database> database,
                          backend::OpenDatabase(ResolveUrl(global.url)));
  auto reporter = MakeReporter(global.json);
  core::Runner runner(*database, runner_options, *reporter);
  // --listen: the command center serves while the command runs.
  std::unique_ptr<BackgroundServe> serving;
  if (!options.listen.empty()) {
    ServeFlags serve_flags = options.serve;
    serve_flags.listen = options.listen;
    TANDEM_ASSIGN_OR_RETURN(serving, BackgroundServe::Start(*database, ResolveUrl(global.url),
                                                            runner_options, serve_flags));
  }
  if (command == "init") {
    TANDEM_RETURN_IF_ERROR(runner.Init());
    if (!global.json) std::printf("state schema \"%s\" is ready\n", global.state_schema.c_str());
    return Status::Ok();
  }
  if (command == "plan") {
    TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, runner.Plan(*migration));
    PrintPlan(plan, global.json);
    return options.allow_irreversible ? Status::Ok() : plan::RefuseIrreversible(plan);
  }
  if (DryRunWanted(command, options, runner_options.config, migration, migrations)) {
    DryRunRequest request{command,
                          migration ? &*migration : nullptr,
                          &migrations,
                          {options.complete, options.skip_backfill},
                          {options.back}};
    return RunDryRun(runner, request, global.json);
  }
  if (command == "start") {
    return runner.Start(*migration, {options.complete, options.skip_backfill, options.approval});
  }
  if (command == "backfill") return runner.Backfill();
  if (command == "switch") return RunSwitch(runner, options);
  if (command == "complete") {
    if (options.force && options.reason.empty()) {
      return Status::InvalidInput(
          "--force needs --reason TEXT: why completing past a failed verification, hidden "
          "readers or a missing clean observation window is right; it is recorded with your "
          "name");
    }
    return runner.Complete({options.force, options.reason, options.scan_dir, options.approval});
  }
  if (command == "gates") return RunGates(runner, global.json);
  if (command == "rehearse") {
    core::RehearseOptions rehearse;
    if (options.rows > 0) rehearse.rows = options.rows;
    rehearse.by = options.by.empty() ? DefaultPerson() : options.by;
    return RunRehearse(runner, *migration, rehearse, global.json);
  }
  if (command == "runbook") {
    TANDEM_ASSIGN_OR_RETURN(std::string runbook, runner.Runbook(*migration, options.file));
    std::printf("%s", runbook.c_str());
    return Status::Ok();
  }
  if (command == "report") {
    TANDEM_ASSIGN_OR_RETURN(core::MigrationArchive archive, runner.Archive(options.name));
    std::printf("%s\n", global.json ? core::ReportToJson(archive).c_str()
                                    : core::ReportToMarkdown(archive).c_str());
    return Status::Ok();
  }
  if (command == "signoff") {
    return RunSignoff(
        runner, {options.category, options.by, options.note, migration ? &*migration : nullptr},
        global.json);
  }
  if (command == "approve") return RunApprove(runner, *migration, options.by, global.json);
  if (command == "note") {
    std::string text;
    for (const auto& word : options.text) text += (text.empty() ? "" : " ") + word;
    return RunNote(runner, text, options.by.empty() ? DefaultPerson() : options.by, global.json);
  }
  if (command == "verify") return RunVerify(runner, global, options);
  if (command == "readers") return RunReaders(runner, global.json, options.scan_dir);
  if (command == "pause") return runner.SetPaused(true);
  if (command == "resume") return runner.SetPaused(false);
  if (command == "rollback") {
    if (!options.dry_run) return runner.Rollback();
    TANDEM_ASSIGN_OR_RETURN(core::RollbackChoice choice, runner.PreviewRollback());
    PrintRollbackChoice(choice, global.json);
    return Status::Ok();
  }
  if (command == "migrate") return runner.Migrate(migrations, options.complete);
  if (command == "status") {
    TANDEM_ASSIGN_OR_RETURN(core::StatusReport report, runner.GetStatus());
    PrintStatus(report, global.json);
    if (report.contradictions.empty()) return Status::Ok();
    return Status::Refused(
        "tandem's records contradict the database; the status above says how to clear it");
  }
  if (command == "serve") {
    return RunServe(*database, ResolveUrl(global.url), runner_options, options.serve, interrupted);
  }
  if (command == "history") {
    TANDEM_ASSIGN_OR_RETURN(auto history, runner.History());
    PrintHistory(history, global.json);
    return Status::Ok();
  }
  return Status::Internal("unknown command " + command);
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{
      "tandem: zero-downtime schema migrations with expand/contract.\n"
      "Migration files use pgroll's YAML/JSON operation format."};
  app.footer(std::string("\nDatabase URL: --url, else $TANDEM_URL, else $DATABASE_URL, else\n"
                         "libpq's environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGSERVICE)\n"
                         "as psql uses it.\n\n") +
             kExitCodesHelp);
  app.set_version_flag("--version", std::string("tandem ") + TANDEM_VERSION,
                       "print tandem's version and exit");
  GlobalOptions global;
  CommandOptions options;
  app.add_option(
      "--url", global.url,
      "sqlite:PATH, sqlite:///abs/path, file: URI, postgres://, postgresql:// or a libpq "
      "key=value string (default: $TANDEM_URL, then $DATABASE_URL, then libpq's PG* "
      "environment)");
  app.add_option("--schema", global.schema, "schema to migrate")->capture_default_str();
  app.add_option("--state-schema", global.state_schema, "schema where tandem keeps its state")
      ->capture_default_str();
  CLI::Option* lock_timeout =
      app.add_option(
             "--lock-timeout", global.lock_timeout,
             "longest a DDL statement waits in the lock queue per attempt (e.g. 500ms); given, it "
             "wins over the settings' lock.timeout")
          ->capture_default_str();
  CLI::Option* lock_deadline =
      app.add_option(
             "--lock-deadline", global.lock_deadline,
             "give up retrying a DDL statement after this long (e.g. 10m); given, it wins over "
             "the settings' lock.deadline")
          ->capture_default_str();
  app.add_option("--config", global.config,
                 "the shared settings file (default: ./tandem.yaml when it exists); its sections "
                 "are a migration file's, which override it")
      ->type_name("FILE");
  app.add_option("--hook-command", global.hook_command,
                 "run this shell command on every recorded event, the event as JSON on its stdin "
                 "(over the files' hooks.command)")
      ->type_name("CMD");
  app.add_option("--hook-url", global.hook_url,
                 "POST every recorded event as JSON to this http:// URL (over the files' "
                 "hooks.url)")
      ->type_name("URL");
  app.add_flag("--json", global.json, "machine-readable output (one JSON object per line)");
  app.add_flag("-v,--verbose", global.verbosity, "more logging (repeat for more)");
  app.add_option("--log-format", global.log_format,
                 "log lines on stderr: text (a UTC time, the level, the message) or json (one "
                 "object per line: time, level, message)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand

  struct Command {
    const char* name;
    const char* help;
  };
  const Command commands[] = {
      {"init", "create tandem's state schema"},
      {"plan",
       "validate FILE against the live schema and print each phase's SQL and locks; "
       "changes nothing"},
      {"start",
       "expand: run the additive DDL, install dual-write triggers and the version "
       "schema, then backfill"},
      {"backfill", "run or resume the backfill of the migration in progress"},
      {"verify",
       "check that the new columns hold what up/down say, plus null drift and the "
       "file's invariants; records the result"},
      {"switch",
       "point the live schema (<schema>_live, PostgreSQL) at the new version in one short step, "
       "dual-write staying on; refused until the backfill has finished and a passing "
       "verification is recorded. With --observe (or the file's `switch:` section) it then "
       "watches the signals for a window against a baseline taken just before, ramps the "
       "file's flag, and on a breach flips back and exits 1. --back points it at the old "
       "version again, losing nothing"},
      {"readers",
       "list the objects of the database (views, functions, triggers, policies, generated "
       "columns, indexes, constraints, publications, live sessions whose current or last "
       "statement uses the old shape, statements pg_stat_statements counted (blocking when run "
       "since the switch); on SQLite views and triggers) that still "
       "use what complete drops or renames, and with --scan DIR the lines of code that still name "
       "them; exit 1 when there is any"},
      {"complete",
       "contract: refuse while hidden readers remain (see `readers`), verify (unless a passing "
       "verification is recorded), refuse without a clean observation window once switched "
       "(or when the file has a `switch:` section), validate, switch to the new schema, drop "
       "the old one; from active it switches and contracts in one go, from switched it "
       "contracts"},
      {"pause", "pause the running backfill (from any process); it waits between chunks"},
      {"resume", "resume a paused backfill"},
      {"rollback",
       "the fastest safe step back for the phase, said and recorded: switched, flip back to the "
       "old version (nothing dropped); expand/backfill, pause the backfill, record where "
       "parity stood, and undo everything start did; after complete, refused (exit 1: the old "
       "version is gone). --dry-run prints the action and its steps, changing nothing"},
      {"status",
       "show the migration in progress, its backfill progress per table (from any process), "
       "the newest version schema, which version the live schema shows, and the observation "
       "window: its time left and each signal against its threshold"},
      {"history", "list every migration of the schema"},
      {"gates",
       "show the readiness gate of each transition (expand -> backfill, backfill -> switch, "
       "switch -> contract) with the evidence of each condition, and the scorecard of the five "
       "sign-off categories; exit 1 while a gate is closed"},
      {"signoff",
       "sign off a scorecard category (compatibility, data_quality, observability, "
       "reversibility, stakeholder_alignment) of the migration in progress, recording who, when "
       "and the evidence seen; a sign-off goes stale when what the plan runs or a setting of the "
       "file changes (not on an edit of comments or spacing)"},
      {"approve",
       "approve FILE on this database: plans it, records who approved that plan (its checksum: "
       "an edit of comments or spacing keeps the approval, any change of what runs or of a setting "
       "voids it) and "
       "prints a token that start, switch and complete take as --approval (required by "
       "governance: require_approval or run.require_approval)"},
      {"note", "add a note to the newest migration's record (shown by its report)"},
      {"rehearse",
       "rehearse FILE's rollback: run start, backfill, verify, switch, switch back and rollback on "
       "a scratch copy (SQLite: an online backup of the file; PostgreSQL: a scratch schema with "
       "the affected tables' structure and rows, or --rows N of each), time each phase, "
       "extrapolate to the real row counts, remove the copy (also on failure) and record the "
       "result as the migration's reversibility evidence"},
      {"runbook",
       "print a Markdown runbook for FILE: the commands in order with the output to expect, "
       "stop conditions and rollback triggers, the fastest safe rollback per phase with its "
       "rehearsed time, validation queries, the observation window and the owners; only reads"},
      {"report",
       "print a migration's record (the newest, or NAME's) as Markdown, or JSON with --json: "
       "phases with start, end and duration, backfill rows and rows/s, throttle time by reason, "
       "verification passes, gate decisions, sign-offs, notes and a retrospective to fill in; "
       "kept in the state schema after complete or rollback"},
      {"migrate", "start (and complete) every pending migration in DIR, in file-name order"},
      {"serve",
       "serve the command center page, /metrics (Prometheus) and the JSON API (/api/v1/: "
       "status, history, events, readers, gates, flags; pause, resume, throttle, switch, "
       "flags, signoff with the control token) over HTTP until Ctrl-C"},
  };
  std::vector<CLI::Option*> dry_run_flags;
  CLI::Option* metrics_prefix = nullptr;
  for (const auto& command : commands) {
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    std::string name = command.name;
    if (name == "plan" || name == "start" || name == "approve" || name == "runbook" ||
        name == "rehearse") {
      sub->add_option("FILE", options.file, "migration file (.yaml, .yml or .json)")->required();
    }
    if (name == "migrate")
      sub->add_option("DIR", options.dir, "directory of migrations")->required();
    if (name == "start" || name == "migrate") {
      sub->add_flag("--complete", options.complete, "complete right after start (and backfill)");
    }
    if (name == "plan" || name == "start" || name == "migrate") {
      sub->add_flag("--allow-irreversible", options.allow_irreversible,
                    "run raw SQL that rollback cannot undo (rules TD101-TD103: it drops, "
                    "truncates, deletes or updates); refused without it");
    }
    if (name == "start") {
      sub->add_flag("--skip-backfill", options.skip_backfill,
                    "expand only; run `tandem backfill` later");
    }
    if (name == "verify") {
      sub->add_option("--show", options.show, "example keys per failing check")
          ->capture_default_str();
      sub->add_option("--workers", options.workers, "connections scanning at once")
          ->check(CLI::Range(1, 16))
          ->capture_default_str();
      sub->add_option("--chunk-blocks", options.chunk_blocks,
                      "heap blocks (8 KiB) per scanned chunk; each chunk is one short query")
          ->check(CLI::Range(1LL, 1LL << 31))
          ->capture_default_str();
      sub->add_flag("--one-query", options.one_query,
                    "count each table in one query PostgreSQL runs in parallel, chunks only "
                    "where it finds a problem: faster, but it holds its lock and snapshot for "
                    "the whole table and is throttled only between tables");
      sub->add_option("--sample", options.sample,
                      "check a random sample (e.g. 1%) instead of every row; the confidence is "
                      "stated");
      sub->add_option("--watch", options.watch,
                      "re-check every interval (e.g. 30s) until interrupted, looking only at rows "
                      "written since the previous pass and those it found mismatching");
      sub->add_flag("--repair", options.repair,
                    "re-sync exactly the mismatching rows, then verify again");
    }
    if (name == "start" || name == "switch" || name == "complete") {
      sub->add_option("--approval", options.approval,
                      "the token `tandem approve` printed for this file on this database");
    }
    if (name == "start" || name == "backfill" || name == "verify" || name == "switch" ||
        name == "complete" || name == "migrate") {
      // Not on rollback: a rollback runs to its end whatever the limit says.
      sub->add_option("--max-runtime", options.max_runtime,
                      "the whole migration's time limit, counted from its recorded start (over "
                      "run.max_runtime): once passed, a running backfill, verification, "
                      "observation window or SQLite online rebuild stops resumably (exit 3, "
                      "recorded); run again with a longer one to go on. The backfill's own "
                      "per-run limit is --backfill-max-runtime")
          ->type_name("D");
    }
    if (name == "signoff") {
      sub->add_option("CATEGORY", options.category,
                      "compatibility, data_quality, observability, reversibility or "
                      "stakeholder_alignment")
          ->required();
      sub->add_option("FILE", options.file,
                      "sign this migration file's plan before it is started (for a policy's "
                      "`signoffs: {start: [...]}`); without it, the migration in progress");
      sub->add_option("--note", options.note, "what the signer wants on record");
    }
    if (name == "signoff" || name == "approve") {
      sub->add_option("--by", options.by, "who signs (recorded)")->required();
    }
    if (name == "rehearse") {
      sub->add_option("--rows", options.rows,
                      "copy at most N rows of each affected table (default: all)")
          ->check(CLI::PositiveNumber);
      sub->add_option("--by", options.by, "who rehearses (default: $USER)");
    }
    if (name == "report") {
      sub->add_option("NAME", options.name, "the migration (default: the newest)");
    }
    if (name == "note") {
      sub->add_option("TEXT", options.text, "the note")->required();
      sub->add_option("--by", options.by, "who writes it (default: $USER)");
    }
    if (name == "switch") {
      sub->add_flag("--back", options.back,
                    "point the live schema at the old version again (dual-write stays on)");
      sub->add_option("--observe", options.observe,
                      "watch the signals this long after the switch (e.g. 30m; over the file's "
                      "`switch: {observe: ...}`): a baseline is measured first (a tenth of the "
                      "window, 1s to 10s), then the database's rollback and deadlock rates, lock "
                      "waits, statement times (pg_stat_statements) and the file's probes; a clean "
                      "window is recorded, and complete needs one");
      sub->add_flag("--no-auto-back", options.no_auto_back,
                    "on a breach, stay on the new version (exit 1) instead of flipping back");
    }
    if (name == "rollback") {
      sub->add_flag("--dry-run", options.dry_run,
                    "print what rollback would do in the current phase and the steps (SQL, "
                    "locks) it would run; changes nothing");
    }
    if (TakesDryRun(name)) {
      dry_run_flags.push_back(
          sub->add_flag("--dry-run", options.dry_run,
                        "print the steps and SQL this would run, with their locks, and change "
                        "nothing: no lock taken, no state tables created (--dry-run=false "
                        "overrides run.dry_run of the settings)"));
    }
    if (name == "serve") {
      AddServeFlags(sub, options.serve);
      metrics_prefix = sub->get_option("--metrics-prefix");
    }
    if (name == "start" || name == "backfill" || name == "switch") {
      sub->add_option("--listen", options.listen,
                      "serve the command center, /metrics and the API on HOST:PORT (e.g. "
                      "127.0.0.1:9477) while this command runs");
    }
    if (name == "verify" || name == "complete") {
      AddThrottleFlags(sub, &options.throttle);  // the scans obey the backfill's throttle
    }
    if (name == "readers" || name == "complete") {
      sub->add_option("--scan", options.scan_dir,
                      "also search the application code under DIR for the old column and table "
                      "names (as SQL identifiers and ORM names: first_name, firstName, User), "
                      "each found line a reader named file:line")
          ->type_name("DIR");
    }
    if (name == "complete") {
      sub->add_flag("--force", options.force,
                    "complete even if verification fails, hidden readers remain or no clean "
                    "observation window is recorded");
      sub->add_option("--reason", options.reason, "why --force is right (recorded)");
    }
    if (name == "complete" || name == "rollback") {
      sub->add_option("--batch-size", options.batch_size,
                      "SQLite: fixed rows per chunk of the online table rebuild's copy and of "
                      "emptying the old table (default: sized to --target-chunk-time)")
          ->check(CLI::PositiveNumber);
      sub->add_option("--target-chunk-time", options.target_chunk_time,
                      "SQLite: how long one chunk of the online table rebuild may hold the "
                      "write lock (default: 10ms; the application's writers wait for about "
                      "one chunk)");
    }
    if (name == "start" || name == "backfill" || name == "migrate") {
      sub->add_option("--batch-size", options.batch_size,
                      "fixed rows per backfill chunk (default: sized to --target-chunk-time)")
          ->check(CLI::PositiveNumber);
      sub->add_option(
          "--target-chunk-time", options.target_chunk_time,
          "how long one backfill chunk should take; chunks grow (at most 1.5x per "
          "chunk) and shrink to it (default: 200ms on PostgreSQL, where chunks aim "
          "at 20ms during the first 10s, and for 10s after an application session "
          "waited on rows a chunk held; a target given here or in the file holds "
          "from the first chunk; 10ms on SQLite, where every writer waits for a chunk; there a "
          "chunk stores computed rows until its time is up, which may be up to 2x "
          "later or earlier to let a waiting writer in)");
      sub->add_option("--concurrency", options.concurrency,
                      "backfill workers, each with its own connection, on disjoint key ranges; "
                      "fewer work while throttled (on SQLite: readers that compute `up` ahead "
                      "of its one writer) (default: 2)")
          ->check(CLI::Range(1, 64));
      sub->add_option("--vacuum-every", options.vacuum_every,
                      "VACUUM the table after every N rows backfilled so dead row versions are "
                      "reused; 0 never (default: every tenth of the rows for tables of 1 GB or "
                      "more, else never). ANALYZE runs when the backfill finishes; with vacuuming "
                      "on, each index that grew past 1.5x its size at the start is then rebuilt "
                      "with REINDEX CONCURRENTLY")
          ->check(CLI::NonNegativeNumber);
      sub->add_option("--reconnect-window", options.reconnect_window,
                      "how long the backfill keeps reconnecting after it lost the database (a "
                      "crash, a restart) before it stops, resumably, with exit 3 (default: 60s)");
      AddThrottleFlags(sub, &options.throttle);
    }
  }
  DiffFlags diff_flags;
  CLI::App* diff = AddDiffSubcommand(app, diff_flags);
  FlagArguments flag_arguments;
  CLI::App* flag = AddFlagSubcommand(app, flag_arguments);
  LintFlags lint_flags;
  CLI::App* lint = AddLintSubcommand(app, lint_flags);
  AuthoringArguments authoring;
  AddAuthoringSubcommands(app, authoring);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --help-all, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (!app.get_subcommands().empty() || e.get_name() != "RequiredError") {
      app.exit(e);
      return kExitInvalid;
    }
    PrintError(NoCommandError(app), kExitInvalid, global.json);  // not "A subcommand is required"
    return kExitInvalid;
  }
  InitLogging(global.verbosity, global.json,
              global.log_format == "json" ? LogFormat::kJson : LogFormat::kText);
  StopOnSignals();
  global.lock_timeout_given = lock_timeout->count() > 0;
  global.lock_deadline_given = lock_deadline->count() > 0;
  for (const CLI::Option* given : dry_run_flags) options.dry_run_given |= given->count() > 0;
  if (std::optional<Status> done = RunAuthoringSubcommand(app, global, authoring)) {
    int code = ExitCodeFor(*done);
    if (!done->ok()) PrintError(*done, code, global.json);
    return code;
  }
  std::string command = app.get_subcommands().front()->get_name();
  if (command == "serve" && metrics_prefix != nullptr && metrics_prefix->count() == 0) {
    auto config = LoadSharedConfig(global.config);
    if (config.ok() && config->metrics_prefix)
      options.serve.metrics_prefix = *config->metrics_prefix;
  }
  if (diff->parsed() || lint->parsed()) {
    int code = kExitSuccess;
    Status status = diff->parsed() ? RunDiffSubcommand(global, diff_flags, &code)
                                   : RunLintSubcommand(global, lint_flags, &code);
    if (!status.ok()) {
      code = ExitCodeFor(status);
      PrintError(status, code, global.json);
    }
    return code;
  }
  Status status = flag->parsed() ? RunFlagSubcommand(*flag, global, flag_arguments)
                                 : Dispatch(command, global, options);
  int code = ExitCodeFor(status);
  if (!status.ok()) PrintError(status, code, global.json);
  return code;
}

}  // namespace tandem::cli

int main(int argc, char** argv) { return tandem::cli::Main(argc, argv); }
