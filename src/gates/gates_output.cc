// `tandem gates` for people and for machines.
#include <nlohmann/json.hpp>

#include "gates/gates.h"

namespace tandem::gates {
namespace {

std::string SignoffText(const std::optional<SignoffRecord>& s) {
  if (!s) return "not signed";
  return std::string(s->stale ? "STALE sign-off by " : "signed by ") + s->by + " (" + s->at + ")";
}

nlohmann::json SignoffJson(const std::optional<SignoffRecord>& s) {
  if (!s) return nullptr;
  return {{"by", s->by},
          {"at", s->at},
          {"note", s->note},
          {"stale", s->stale},
          {"evidence", s->evidence}};
}

}  // namespace

std::string GatesToText(const std::vector<Gate>& gates, const std::vector<ScorecardRow>& rows) {
  std::string out;
  for (const auto& gate : gates) {
    out += "gate " + gate.name + " (`tandem " + gate.command +
           "`): " + (gate.passed() ? "open" : "closed") + "\n";
    if (gate.conditions.empty()) out += "  (no conditions: the file has no governance: section)\n";
    for (const auto& c : gate.conditions) {
      out += std::string("  [") + (c.met ? "x" : " ") + "] " + c.name + ": " + c.evidence + "\n";
      if (!c.met) out += "      next: " + c.next + "\n";
    }
  }
  out += "scorecard\n";
  for (const auto& row : rows) {
    out += "  " + row.category + ": " + SignoffText(row.signoff) +
           "\n      evidence: " + row.evidence + "\n";
  }
  return out;
}

std::string GatesToJson(const std::string& migration, const std::vector<Gate>& gates,
                        const std::vector<ScorecardRow>& rows) {
  nlohmann::json out = {{"migration", migration}};
  out["gates"] = nlohmann::json::array();
  for (const auto& gate : gates) {
    nlohmann::json conditions = nlohmann::json::array();
    for (const auto& c : gate.conditions) {
      conditions.push_back({{"key", c.key},
                            {"name", c.name},
                            {"met", c.met},
                            {"evidence", c.evidence},
                            {"next", c.met ? nlohmann::json(nullptr) : nlohmann::json(c.next)}});
    }
    out["gates"].push_back({{"name", gate.name},
                            {"command", gate.command},
                            {"open", gate.passed()},
                            {"conditions", conditions}});
  }
  out["scorecard"] = nlohmann::json::array();
  for (const auto& row : rows) {
    out["scorecard"].push_back({{"category", row.category},
                                {"evidence", row.evidence},
                                {"signoff", SignoffJson(row.signoff)}});
  }
  return out.dump();
}

}  // namespace tandem::gates
