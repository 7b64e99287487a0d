#include "core/report.h"

#include <cctype>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "common/fixed_point.h"
#include "common/strings.h"
#include "core/event_totals.h"

namespace tandem::core {
namespace {

using nlohmann::json;

struct PhaseSpan {
  std::string phase;
  std::string start;
  std::string end;
  double duration_s = 0;
};

// A backfill run's chunk durations in milliseconds, as recorded.
struct ChunkFigures {
  std::optional<double> p99_ms;
  std::optional<double> mean_ms;
  std::optional<double> max_ms;
};

constexpr char kChunkP99[] = "; chunk p99 ";
constexpr char kChunkMean[] = " ms, mean ";
constexpr char kChunkMax[] = " ms, max ";

// ChunkFiguresText's figures back from an event's detail; unset ones
// where the backfill recorded none (an older tandem, no chunk timed).
ChunkFigures ParseChunkFigures(const std::string& detail) {
  ChunkFigures f;
  auto number_after = [&](const char* label,
                          size_t from) -> std::pair<std::optional<double>, size_t> {
    size_t at = detail.find(label, from);
    if (at == std::string::npos) return {std::nullopt, from};
    const char* start = detail.c_str() + at + std::char_traits<char>::length(label);
    char* end = nullptr;
    double value = std::strtod(start, &end);
    if (end == start) return {std::nullopt, from};
    return {value, static_cast<size_t>(end - detail.c_str())};
  };
  auto [p99, after_p99] = number_after(kChunkP99, 0);
  if (!p99) return f;
  auto [mean, after_mean] = number_after(kChunkMean, after_p99);
  auto [max, after_max] = number_after(kChunkMax, after_mean);
  (void)after_max;
  f.p99_ms = p99;
  f.mean_ms = mean;
  f.max_ms = max;
  return f;
}

struct BackfillTable {
  std::string table;
  long long rows = 0;
  int chunks = 0;
  double seconds = 0;
  ChunkFigures chunk;
};

// The parts of the record a report shows, computed once for both forms.
struct Summary {
  std::vector<PhaseSpan> phases;
  std::vector<BackfillTable> backfill;
  std::map<std::string, double> throttle_s;  // by reason
  std::vector<const RecordedEvent*> gates;
  std::vector<const RecordedEvent*> notes;
  std::vector<const RecordedEvent*> forced;
  int retries = 0;
};

long long LeadingNumber(const std::string& text) { return std::strtoll(text.c_str(), nullptr, 10); }

Summary Summarize(const MigrationArchive& a) {
  Summary s;
  std::map<std::string, size_t> open;  // phase -> index in s.phases
  for (const auto& recorded : a.events) {
    const Event& e = recorded.event;
    if (e.kind == "phase" && EndsWith(e.description, " started")) {
      open[e.phase] = s.phases.size();
      s.phases.push_back({e.phase, recorded.at, "", 0});
    } else if (e.kind == "phase" && EndsWith(e.description, " finished") && open.count(e.phase)) {
      PhaseSpan& span = s.phases[open[e.phase]];
      span.end = recorded.at;
      span.duration_s = e.duration_ms / 1000;
      open.erase(e.phase);
    } else if (e.kind == "switch" || (e.kind == "verify" && e.phase == "verify")) {
      s.phases.push_back({e.phase, recorded.at, recorded.at, e.duration_ms / 1000});
    } else if (e.kind == "backfill" && e.outcome == "ok") {
      s.backfill.push_back({e.description.substr(e.description.find(' ') + 1),
                            LeadingNumber(e.detail), e.attempts, e.duration_ms / 1000,
                            ParseChunkFigures(e.detail)});
      s.phases.push_back({"backfill", recorded.at, recorded.at, e.duration_ms / 1000});
    } else if (e.kind == "throttle" && e.outcome == "ok") {
      s.throttle_s[ThrottleReasonKind(e.detail)] += e.duration_ms / 1000;
    } else if (e.kind == "gate") {
      s.gates.push_back(&recorded);
    } else if (e.kind == "note") {
      s.notes.push_back(&recorded);
    } else if (e.kind == "forced") {
      s.forced.push_back(&recorded);
    } else if (e.kind == "retry") {
      ++s.retries;
    }
  }
  return s;
}

double RowsPerSecond(const BackfillTable& t) { return t.seconds > 0 ? t.rows / t.seconds : 0; }

json Optional(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

std::string ChunkLine(const BackfillTable& t) {
  const ChunkFigures& f = t.chunk;
  if (!f.p99_ms) return "chunk p99: not recorded";
  return "chunk p99 " + FormatFixed(*f.p99_ms, 1) + " ms" +
         (f.mean_ms ? ", mean " + FormatFixed(*f.mean_ms, 1) + " ms" : "") +
         (f.max_ms ? ", max " + FormatFixed(*f.max_ms, 1) + " ms" : "");
}

std::string NoteText(const RecordedEvent& e) {
  json detail = json::parse(e.event.detail, nullptr, false);
  std::string by = detail.is_object() ? detail.value("by", "") : "";
  return e.event.description + (by.empty() ? "" : " (" + by + ")");
}

std::string Outcome(const MigrationRecord& r) {
  if (!r.completed_at.empty()) return "completed " + r.completed_at;
  if (!r.rolled_back_at.empty()) return "rolled back " + r.rolled_back_at;
  return std::string("in progress (phase ") + PhaseName(r.phase) + ")";
}

// What tandem measured that a retrospective should weigh.
std::vector<std::string> Measured(const MigrationArchive& a, const Summary& s) {
  std::vector<std::string> out;
  for (const auto& t : s.backfill) {
    out.push_back("backfill of " + t.table + ": " + std::to_string(t.rows) + " rows in " +
                  FormatFixed(t.seconds, 1) + "s (" + FormatFixed(RowsPerSecond(t), 0) +
                  " rows/s)");
  }
  for (const auto& [reason, seconds] : s.throttle_s) {
    out.push_back("throttled " + FormatFixed(seconds, 1) + "s by " + reason);
  }
  if (s.retries > 0) out.push_back(std::to_string(s.retries) + " DDL retries on lock timeouts");
  int failed = 0;
  for (const auto& v : a.verify_runs) failed += v.passed ? 0 : 1;
  if (failed > 0) out.push_back(std::to_string(failed) + " failed verification passes");
  for (const auto* f : s.forced) out.push_back(f->event.description + ": " + f->event.detail);
  if (a.rehearsal) {
    out.push_back(
        "rehearsed rollback " + FormatFixed(a.rehearsal->RollbackSeconds(), 1) + "s" +
        (a.rehearsal->passed ? "" : " (the rehearsal failed: " + a.rehearsal->failure + ")"));
  } else {
    out.push_back("no rollback rehearsal recorded");
  }
  return out;
}

}  // namespace

std::string ChunkFiguresText(const backfill::Progress& p) {
  if (!p.chunk_p99 || !p.chunk_max || !p.chunk_mean_ms) return "";
  return kChunkP99 + std::to_string(p.chunk_p99->count()) + kChunkMean +
         FormatFixed(*p.chunk_mean_ms, 1) + kChunkMax + std::to_string(p.chunk_max->count()) +
         " ms";
}

std::string ReportToMarkdown(const MigrationArchive& a) {
  const MigrationRecord& r = a.record;
  Summary s = Summarize(a);
  std::string md = "# Migration report: " + r.name + "\n\n";
  md += "- schema: " + r.schema + "\n- file checksum: " + r.checksum.substr(0, 12) +
        "\n- started: " + r.started_at + " by " + (r.os_user.empty() ? r.db_user : r.os_user) +
        "\n- outcome: " + Outcome(r) + "\n\n";
  md += "## Phases\n\n| phase | start | end | duration (s) |\n|---|---|---|---|\n";
  for (const auto& p : s.phases) {
    md += "| " + p.phase + " | " + p.start + " | " + (p.end.empty() ? "(unfinished)" : p.end) +
          " | " + FormatFixed(p.duration_s, 3) + " |\n";
  }
  md += "\n## Backfill\n\n";
  if (s.backfill.empty()) md += "No table needed a backfill.\n";
  for (const auto& t : s.backfill) {
    md += "- " + t.table + ": " + std::to_string(t.rows) + " rows, " +
          FormatFixed(RowsPerSecond(t), 0) + " rows/s, " + std::to_string(t.chunks) + " chunks, " +
          ChunkLine(t) + "\n";
  }
  md += "- throttle time by reason: ";
  if (s.throttle_s.empty()) md += "none";
  for (const auto& [reason, seconds] : s.throttle_s)
    md += reason + " " + FormatFixed(seconds, 1) + "s; ";
  md += "\n\n## Verification\n\n";
  if (a.verify_runs.empty()) md += "No verification pass recorded.\n";
  for (const auto& v : a.verify_runs) {
    md += "- " + v.at + ": " + (v.passed ? "passed" : "FAILED") + ", parity " +
          FormatFixed(v.parity_percent, 4) + "%, flags " + std::to_string(v.flags) +
          (v.full ? "" : " (partial)") + "\n";
  }
  md += "\n## Gate decisions\n\n";
  if (s.gates.empty()) md += "None recorded.\n";
  for (const auto* g : s.gates) {
    md += "- " + g->at + " " + g->event.description + ": " + g->event.outcome + "\n";
  }
  for (const auto* f : s.forced) md += "- " + f->at + " " + f->event.description + "\n";
  md += "\n## Sign-offs\n\n";
  if (a.signoffs.empty()) md += "None recorded.\n";
  for (const auto& so : a.signoffs) {
    md += "- " + so.category + ": " + so.by + " at " + so.at + (so.stale ? " (stale)" : "") +
          (so.note.empty() ? "" : ": " + so.note) + "\n";
  }
  md += "\n## Notes\n\n";
  if (s.notes.empty()) md += "None.\n";
  for (const auto* n : s.notes) md += "- " + n->at + " " + NoteText(*n) + "\n";
  md += "\n## Retrospective\n\nWhat tandem measured:\n\n";
  for (const auto& line : Measured(a, s)) md += "- " + line + "\n";
  md +=
      "\nFor the people who ran it to fill in:\n\n"
      "- What assumptions were wrong: ____\n"
      "- What monitoring was missing: ____\n"
      "- What to automate next time: ____\n"
      "- What coordination worked: ____\n";
  return md;
}

std::string ReportToJson(const MigrationArchive& a) {
  const MigrationRecord& r = a.record;
  Summary s = Summarize(a);
  json phases = json::array();
  for (const auto& p : s.phases) {
    phases.push_back({{"phase", p.phase},
                      {"start", p.start},
                      {"end", p.end.empty() ? json(nullptr) : json(p.end)},
                      {"duration_s", p.duration_s}});
  }
  json backfill = json::array();
  for (const auto& t : s.backfill) {
    backfill.push_back({{"table", t.table},
                        {"rows", t.rows},
                        {"rows_per_second", RowsPerSecond(t)},
                        {"chunks", t.chunks},
                        {"seconds", t.seconds},
                        {"chunk_p99_ms", Optional(t.chunk.p99_ms)},
                        {"chunk_mean_ms", Optional(t.chunk.mean_ms)},
                        {"chunk_max_ms", Optional(t.chunk.max_ms)}});
  }
  json verification = json::array();
  for (const auto& v : a.verify_runs) {
    verification.push_back({{"at", v.at},
                            {"passed", v.passed},
                            {"full", v.full},
                            {"parity_percent", v.parity_percent},
                            {"flags", v.flags}});
  }
  json gates = json::array();
  for (const auto* g : s.gates) {
    gates.push_back({{"at", g->at}, {"gate", g->event.description}, {"outcome", g->event.outcome}});
  }
  json signoffs = json::array();
  for (const auto& so : a.signoffs) {
    signoffs.push_back({{"category", so.category},
                        {"by", so.by},
                        {"at", so.at},
                        {"stale", so.stale},
                        {"note", so.note}});
  }
  json notes = json::array();
  for (const auto* n : s.notes) notes.push_back({{"at", n->at}, {"text", NoteText(*n)}});
  json throttle = json::object();
  for (const auto& [reason, seconds] : s.throttle_s) throttle[reason] = seconds;
  return json{{"migration", r.name},
              {"schema", r.schema},
              {"checksum", r.checksum},
              {"outcome", Outcome(r)},
              {"phases", phases},
              {"backfill", backfill},
              {"throttle_seconds_by_reason", throttle},
              {"verification", verification},
              {"gates", gates},
              {"signoffs", signoffs},
              {"notes", notes},
              {"retrospective",
               {{"measured", Measured(a, s)},
                {"wrong_assumptions", nullptr},
                {"missing_monitoring", nullptr},
                {"to_automate", nullptr},
                {"coordination_that_worked", nullptr}}}}
      .dump();
}

}  // namespace tandem::core
