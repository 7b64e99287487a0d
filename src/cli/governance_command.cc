#include "cli/governance_command.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/rfc3339.h"
#include "gates/gates.h"

namespace tandem::cli {
namespace {

void PrintJson(nlohmann::json line) {
  line["time"] = NowRfc3339();
  std::printf("%s\n", line.dump().c_str());
}

// The gate the migration meets next: the first one still closed.
const gates::Gate* FirstClosed(const std::vector<gates::Gate>& gates) {
  for (const auto& gate : gates) {
    if (!gate.passed()) return &gate;
  }
  return nullptr;
}

}  // namespace

std::string DefaultPerson() {
  const char* user = std::getenv("USER");
  return user != nullptr ? user : "";
}

Status RunGates(core::Runner& runner, bool json) {
  TANDEM_ASSIGN_OR_RETURN(core::GatesView view, runner.Gates());
  if (json) {
    std::printf("%s\n", gates::GatesToJson(view.migration, view.gates, view.scorecard).c_str());
  } else {
    std::printf("migration \"%s\"\n%s", view.migration.c_str(),
                gates::GatesToText(view.gates, view.scorecard).c_str());
  }
  std::fflush(stdout);
  // Which gate is "next" depends on the phase; exit 1 only tells a script
  // that some gate is still closed.
  if (const gates::Gate* closed = FirstClosed(view.gates)) {
    return Status::Refused("the gate " + closed->name + " is closed (`tandem " + closed->command +
                           "` would refuse); the conditions above say what is missing");
  }
  return Status::Ok();
}

Status RunSignoff(core::Runner& runner, const core::SignoffOptions& options, bool json) {
  if (options.by.empty()) {
    return Status::InvalidInput("signoff needs --by NAME: who signs is recorded with the sign-off");
  }
  TANDEM_RETURN_IF_ERROR(runner.Signoff(options));
  if (json) {
    PrintJson({{"event", "signoff"}, {"category", options.category}, {"by", options.by}});
  } else {
    std::printf("%s signed off by %s\n", options.category.c_str(), options.by.c_str());
  }
  return Status::Ok();
}

Status RunApprove(core::Runner& runner, const plan::Migration& migration, const std::string& by,
                  bool json) {
  if (by.empty()) {
    return Status::InvalidInput("approve needs --by NAME: who approves is recorded");
  }
  TANDEM_ASSIGN_OR_RETURN(std::string token, runner.Approve(migration, by));
  if (json) {
    PrintJson({{"event", "approval"},
               {"migration", migration.name},
               {"by", by},
               {"token", token},
               {"checksum", migration.checksum}});
  } else {
    std::printf("%s\n", token.c_str());
    std::fprintf(stderr,
                 "approved \"%s\" (checksum %s) by %s; pass the token above as --approval to "
                 "start, switch and complete\n",
                 migration.name.c_str(), migration.checksum.substr(0, 12).c_str(), by.c_str());
  }
  return Status::Ok();
}

Status RunNote(core::Runner& runner, const std::string& text, const std::string& by, bool json) {
  TANDEM_RETURN_IF_ERROR(runner.Note(text, by));
  if (json) {
    PrintJson({{"event", "note"}, {"text", text}, {"by", by}});
  } else {
    std::printf("noted\n");
  }
  return Status::Ok();
}

Status RunRehearse(core::Runner& runner, const plan::Migration& migration,
                   const core::RehearseOptions& options, bool json) {
  TANDEM_ASSIGN_OR_RETURN(core::Rehearsal rehearsal, runner.Rehearse(migration, options));
  if (json) {
    nlohmann::json line = nlohmann::json::parse(rehearsal.ToJson());
    line["event"] = "rehearsal";
    line["migration"] = migration.name;
    PrintJson(line);
    return Status::Ok();
  }
  std::printf("rehearsal of \"%s\" on %lld of %lld rows: passed\n", migration.name.c_str(),
              rehearsal.rows_copied, rehearsal.rows_real);
  std::printf("  %-12s %12s %16s\n", "phase", "measured", "real tables");
  for (const auto& p : rehearsal.phases) {
    std::printf("  %-12s %11.3fs %15.3fs\n", p.phase.c_str(), p.seconds, p.extrapolated_seconds);
  }
  std::printf("rollback from switched (switch back + rollback): %.3fs on the real tables\n",
              rehearsal.RollbackSeconds());
  for (const auto& note : rehearsal.copy_notes) std::printf("copy: %s\n", note.c_str());
  return Status::Ok();
}

}  // namespace tandem::cli
