#include "reader/governance_settings.h"

#include <algorithm>

#include "common/schedule.h"
#include "reader/throttle_settings.h"

namespace tandem::reader {
namespace {

constexpr std::string_view kGovernanceKeys[] = {
    "require_observation", "min_observation", "require_rehearsal", "max_rollback_time",
    "require_approval",    "signoffs",        "compatibility"};
constexpr std::string_view kSignoffTransitions[] = {"start", "switch", "complete"};
constexpr std::string_view kCategories[] = {"compatibility", "data_quality", "observability",
                                            "reversibility", "stakeholder_alignment"};
constexpr std::string_view kCompatibilityKeys[] = {"name", "sql"};
constexpr std::string_view kOwnersKeys[] = {"migration_lead", "application_owner", "data_owner",
                                            "sre_owner",      "channel",           "communication"};
constexpr std::string_view kScheduleKeys[] = {"windows", "freezes", "large_table_rows"};

// `signoffs: {switch: [compatibility, ...], complete: all}`: "all" (or a
// list with it) stands for the five categories.
void ReadSignoffs(const MapReader& section, plan::Governance* governance) {
  // `signoffs: none` (or all): the same for every transition.
  if (section.Value("signoffs").IsScalar()) {
    std::string all = section.String("signoffs");
    if (all == "none") {
      governance->signoffs.clear();
    } else if (all != "all") {
      section.Fail("signoffs",
                   "expected all, none, or a map such as {switch: [data_quality], "
                   "complete: all}, got \"" +
                       all + "\"");
    }
    return;
  }
  std::optional<MapReader> map = section.Map("signoffs", kSignoffTransitions);
  if (!map) return;
  for (std::string_view transition : kSignoffTransitions) {
    if (!map->Has(transition)) continue;
    std::vector<std::string> categories;
    YAML::Node value = map->Value(transition);
    std::vector<std::string> given = value.IsScalar()
                                         ? std::vector<std::string>{map->String(transition)}
                                         : map->StringList(transition);
    for (const auto& category : given) {
      if (category == "all") {
        categories.assign(std::begin(kCategories), std::end(kCategories));
        continue;
      }
      if (category == "none") continue;
      if (std::find(std::begin(kCategories), std::end(kCategories), category) ==
          std::end(kCategories)) {
        map->Fail(transition, "unknown sign-off category \"" + category + "\"" +
                                  DidYouMean(category, kCategories) +
                                  " (categories: " + JoinKeys(kCategories) + ", or all, or none)");
        return;
      }
      categories.push_back(category);
    }
    governance->signoffs[std::string(transition)] = categories;
  }
}

void ReadGovernance(const MapReader& section, plan::Governance* governance) {
  governance->present = true;
  // The safe defaults of a file that asks for governance.
  governance->require_observation = section.Bool("require_observation", true);
  governance->require_rehearsal = section.Bool("require_rehearsal", true);
  governance->require_approval = section.Bool("require_approval", false);
  governance->min_observation = DurationSetting(section, "min_observation", true);
  governance->max_rollback_time = DurationSetting(section, "max_rollback_time", false);
  std::vector<std::string> all(std::begin(kCategories), std::end(kCategories));
  governance->signoffs = {{"switch", all}, {"complete", all}};
  ReadSignoffs(section, governance);
  for (const MapReader& item : section.MapList("compatibility", kCompatibilityKeys)) {
    plan::CompatibilityCheck check;
    check.name = item.Identifier("name", Need::kRequired);
    check.sql = item.Statements("sql", Need::kRequired);
    if (!item.ok()) return;
    governance->compatibility.push_back(std::move(check));
  }
}

void ReadOwners(const MapReader& section, plan::Owners* owners) {
  owners->migration_lead = section.String("migration_lead");
  owners->application_owner = section.String("application_owner");
  owners->data_owner = section.String("data_owner");
  owners->sre_owner = section.String("sre_owner");
  owners->channel = section.String("channel");
  owners->communication = section.String("communication");
}

void ReadSchedule(const MapReader& section, plan::Schedule* schedule) {
  schedule->windows = section.StringList("windows");
  for (const auto& window : schedule->windows) {
    Result<WeeklyWindow> parsed = ParseWeeklyWindow(window);
    if (!parsed.ok()) return section.Fail("windows", parsed.status().message());
  }
  schedule->freezes = section.StringList("freezes");
  for (const auto& freeze : schedule->freezes) {
    Result<Freeze> parsed = ParseFreeze(freeze);
    if (!parsed.ok()) return section.Fail("freezes", parsed.status().message());
  }
  std::optional<int64_t> rows = section.Int("large_table_rows");
  if (rows && *rows < 0) {
    section.Fail("large_table_rows", "expected 0 or more rows, e.g. 1000000");
  } else if (rows) {
    schedule->large_table_rows = *rows;
  }
}

}  // namespace

void ReadGovernanceSections(const MapReader& top, plan::Settings* settings) {
  if (std::optional<MapReader> section = top.Map("governance", kGovernanceKeys)) {
    ReadGovernance(*section, &settings->governance);
  }
  if (std::optional<MapReader> section = top.Map("owners", kOwnersKeys)) {
    ReadOwners(*section, &settings->owners);
  }
  if (std::optional<MapReader> section = top.Map("schedule", kScheduleKeys)) {
    ReadSchedule(*section, &settings->schedule);
  }
}

}  // namespace tandem::reader
