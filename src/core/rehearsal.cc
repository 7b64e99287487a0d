#include "core/rehearsal.h"

#include <nlohmann/json.hpp>

#include "core/governance_store.h"

namespace tandem::core {

double Rehearsal::RollbackSeconds() const {
  double total = 0;
  for (const auto& p : phases) {
    if (p.phase == "switch back" || p.phase == "rollback") total += p.extrapolated_seconds;
  }
  return total;
}

double Rehearsal::TotalSeconds() const {
  double total = 0;
  for (const auto& p : phases) total += p.extrapolated_seconds;
  return total;
}

std::string Rehearsal::ToJson() const {
  nlohmann::json phases_json = nlohmann::json::array();
  for (const auto& p : phases) {
    phases_json.push_back({{"phase", p.phase},
                           {"seconds", p.seconds},
                           {"extrapolated_seconds", p.extrapolated_seconds}});
  }
  return nlohmann::json{
      {"passed", passed},
      {"failure", failure.empty() ? nlohmann::json(nullptr) : nlohmann::json(failure)},
      {"rows_copied", rows_copied},
      {"rows_real", rows_real},
      {"rollback_seconds", RollbackSeconds()},
      {"phases", phases_json},
      {"copy_notes", copy_notes}}
      .dump();
}

Result<Rehearsal> Rehearsal::FromJson(const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("phases") || !j["phases"].is_array()) {
    return Status::Internal("a rehearsal record in tandem's state is not a rehearsal: " +
                            json.substr(0, 80));
  }
  Rehearsal r;
  r.passed = j.value("passed", false);
  if (j.contains("failure") && j["failure"].is_string()) r.failure = j["failure"];
  r.rows_copied = j.value("rows_copied", 0LL);
  r.rows_real = j.value("rows_real", 0LL);
  for (const auto& note : j.value("copy_notes", nlohmann::json::array())) {
    if (note.is_string()) r.copy_notes.push_back(note.get<std::string>());
  }
  for (const auto& p : j["phases"]) {
    if (!p.is_object()) continue;
    r.phases.push_back(
        {p.value("phase", ""), p.value("seconds", 0.0), p.value("extrapolated_seconds", 0.0)});
  }
  return r;
}

Result<std::optional<Rehearsal>> LastRehearsal(backend::Connection& conn, backend::Engine engine,
                                               const std::string& state_schema,
                                               const std::string& schema, const std::string& name) {
  GovernanceStore store(conn, engine, state_schema);
  TANDEM_ASSIGN_OR_RETURN(std::vector<GovernanceRecord> rows,
                          store.Select(schema, name, "rehearsal"));
  if (rows.empty()) return std::optional<Rehearsal>();
  TANDEM_ASSIGN_OR_RETURN(Rehearsal r, Rehearsal::FromJson(rows.back().detail));
  r.checksum = rows.back().checksum;
  r.at = rows.back().at;
  return std::optional<Rehearsal>(r);
}

}  // namespace tandem::core
