#include "plan/triggers.h"

#include <algorithm>

#include "common/strings.h"
#include "plan/sync_inputs.h"

namespace tandem::plan {
namespace {

std::string Assignments(const std::vector<ColumnSync>& columns, const std::string& indent) {
  std::string body;
  for (const auto& c : columns) {
    body += indent + "NEW." + QuoteIdent(c.target) + " := " + c.expression + ";\n";
  }
  return body;
}

// A dollar-quote tag that does not occur in the body.
std::string DollarTag(const std::string& body) {
  std::string tag = "$tandem$";
  for (int i = 0; body.find(tag) != std::string::npos; ++i) {
    tag = "$tandem" + std::to_string(i) + "$";
  }
  return tag;
}

// A row the backfill has not reached holds no `up` yet. Each new column an
// update through the new version left as it was gets `up` of the row as it
// was before the statement (OLD, under the alias `new` the expressions read),
// so the row is whole before `down` reads it, and counts as the new
// version's from then on. "Left as it was" also covers a column set to the
// value it had, which is what an ORM saving the whole row it read does.
std::string FillUnreachedRow(const TableSync& sync) {
  if (sync.up.empty()) return "";
  std::string body =
      "    IF TG_OP = 'UPDATE' AND OLD." + QuoteIdent(kWrittenByColumn) + " IS NULL THEN\n";
  for (const auto& c : sync.up) {
    std::string target = QuoteIdent(c.target);
    body += "      IF NEW." + target + " IS NOT DISTINCT FROM OLD." + target + " THEN\n";
    body += "        NEW." + target + " := (SELECT (" + c.expression +
            ") FROM (SELECT OLD.*) AS new);\n";
    body += "      END IF;\n";
  }
  return body + "    END IF;\n";
}

// The new version's NULL in a NOT NULL column fails as the column's own
// constraint would (not_null_violation, PostgreSQL's message and fields),
// not as tandem's stand-in check (check_violation): applications and ORMs
// tell errors apart by their SQLSTATE.
std::string RefuseNulls(const Plan& plan, const std::vector<RequiredColumn>& required) {
  std::string body;
  for (const auto& r : required) {
    std::string message = "null value in column " + QuoteIdent(r.column) + " of relation " +
                          QuoteIdent(r.table) + " violates not-null constraint";
    body += "    IF NEW." + QuoteIdent(r.physical) + " IS NULL THEN\n";
    body += "      RAISE EXCEPTION USING ERRCODE = 'not_null_violation', MESSAGE = " +
            QuoteLiteral(message) + ", SCHEMA = " + QuoteLiteral(plan.schema) +
            ", TABLE = " + QuoteLiteral(r.table) + ", COLUMN = " + QuoteLiteral(r.column) + ";\n";
    body += "    END IF;\n";
  }
  return body;
}

// The columns whose update a reached row's trigger fires for: what `up`
// and `down` read, the old columns `down` sets, the new columns (which only
// the new version writes), the columns it refuses NULL in, and the marker,
// which `verify --repair` rewrites to have a row recomputed. An update of
// any other column (by either version) changes nothing the other version
// sees differently, so PostgreSQL skips the trigger without calling the
// function.
std::vector<std::string> WatchedColumns(const TableSync& sync,
                                        const std::vector<RequiredColumn>& required,
                                        const std::vector<std::string>& columns) {
  std::vector<std::string> watched = SyncInputs(sync, columns);
  auto watch = [&watched](const std::string& column) {
    if (std::find(watched.begin(), watched.end(), column) == watched.end()) {
      watched.push_back(column);
    }
  };
  for (const auto& c : sync.up) watch(c.target);
  for (const auto& r : required) watch(r.physical);
  watch(kWrittenByColumn);
  return watched;
}

// One of the row triggers that call the function, with what it fires on.
struct Trigger {
  std::string name;
  std::string events;
  std::string when;  // besides "not the backfill's session"
};

// Every insert; an update of a watched column of a row the backfill has
// reached; any update of a row it has not reached, whose new columns get
// `up` then (the NOT VALID checks that stand in for NOT NULL hold for every
// row an update writes, and the new version's write of such a row makes
// it whole first). The conditions are disjoint, so no write runs the
// function twice.
std::vector<Trigger> Triggers(const std::vector<std::string>& watched) {
  std::string marker = "OLD." + QuoteIdent(kWrittenByColumn);
  std::vector<Trigger> triggers = {
      {std::string(kTriggerName) + "_insert", "INSERT", ""},
      {std::string(kTriggerName) + "_unreached", "UPDATE", marker + " IS NULL AND "},
  };
  std::vector<std::string> quoted;
  for (const auto& c : watched) quoted.push_back(QuoteIdent(c));
  triggers.push_back(
      {kTriggerName, "UPDATE OF " + Join(quoted, ", "), marker + " IS NOT NULL AND "});
  return triggers;
}

std::string FunctionName(const Plan& plan, const TableSync& sync) {
  return QualifiedName(plan.state_schema, TriggerFunctionName(plan.schema, sync.table));
}

}  // namespace

std::vector<std::string> DualWriteTriggerNames() {
  std::vector<std::string> names;
  for (const auto& trigger : Triggers({})) names.push_back(trigger.name);
  return names;
}

std::string DualWriteFunctionSql(const Plan& plan, const TableSync& sync,
                                 const std::vector<RequiredColumn>& required,
                                 const std::vector<std::string>& new_version_schemas) {
  // A session of the new version has the version schema (or the live
  // schema, while switched) first on its search_path, so it is the current
  // schema (an exact match, unlike a substring test of the search_path
  // text, which would confuse public_v1 with public_v12). Every other
  // session (old version, backfill, ad-hoc) is treated as old. In the
  // subquery of FillUnreachedRow, NEW."col" must name the subquery's column
  // rather than the trigger's record: hence use_column (any other clash
  // would be an error without it).
  std::vector<std::string> quoted;
  for (const auto& schema : new_version_schemas) quoted.push_back(QuoteLiteral(schema));
  std::string body = "#variable_conflict use_column\nBEGIN\n";
  body += quoted.size() == 1 ? "  IF current_schema() = " + quoted[0] + " THEN\n"
                             : "  IF current_schema() IN (" + Join(quoted, ", ") + ") THEN\n";
  std::string written_by = "    NEW." + QuoteIdent(kWrittenByColumn) + " := ";
  body += FillUnreachedRow(sync);
  body += RefuseNulls(plan, required);
  body += Assignments(sync.down, "    ");
  body += written_by + kWrittenByNew + ";\n";
  body += "  ELSE\n";
  body += Assignments(sync.up, "    ");
  body += written_by + kWrittenByOld + ";\n";
  body += "  END IF;\n";
  body += "  RETURN NEW;\nEND\n";
  std::string tag = DollarTag(body);
  return "CREATE OR REPLACE FUNCTION " + FunctionName(plan, sync) +
         "() RETURNS trigger LANGUAGE plpgsql AS " + tag + "\n" + body + tag;
}

std::vector<std::string> CreateDualWriteTriggerSql(const Plan& plan, const TableSync& sync,
                                                   const std::vector<RequiredColumn>& required,
                                                   const std::vector<std::string>& columns) {
  std::string function = FunctionName(plan, sync);
  std::vector<std::string> sql = {
      DualWriteFunctionSql(plan, sync, required, {plan.version_schema})};
  for (const auto& t : Triggers(WatchedColumns(sync, required, columns))) {
    sql.push_back("CREATE TRIGGER " + QuoteIdent(t.name) + " BEFORE " + t.events + " ON " +
                  QualifiedName(plan.schema, sync.table) + " FOR EACH ROW WHEN (" + t.when +
                  "current_setting(" + QuoteLiteral(kBackfillSessionSetting) +
                  ", true) IS DISTINCT FROM 'on') EXECUTE FUNCTION " + function + "()");
  }
  return sql;
}

std::vector<std::string> DropDualWriteTriggerSql(const Plan& plan, const TableSync& sync) {
  std::vector<std::string> sql;
  // The triggers by name (the columns they watch do not matter here).
  for (const auto& t : Triggers({""})) {
    sql.push_back("DROP TRIGGER IF EXISTS " + QuoteIdent(t.name) + " ON " +
                  QualifiedName(plan.schema, sync.table));
  }
  sql.push_back("DROP FUNCTION IF EXISTS " + FunctionName(plan, sync) + "()");
  return sql;
}

}  // namespace tandem::plan
