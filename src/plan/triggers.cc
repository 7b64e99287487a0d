#include "plan/triggers.h"

#include "common/strings.h"

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

std::string FunctionName(const Plan& plan, const TableSync& sync) {
  return QualifiedName(plan.state_schema, TriggerFunctionName(plan.schema, sync.table));
}

}  // namespace

std::vector<std::string> CreateDualWriteTriggerSql(const Plan& plan, const TableSync& sync) {
  // A session of the new version has the version schema first on its
  // search_path, so it is the current schema (an exact match, unlike a
  // substring test of the search_path text, which would confuse public_v1
  // with public_v12). Every other session (old version, backfill, ad-hoc)
  // is treated as old.
  std::string body = "BEGIN\n";
  body += "  IF current_schema() = " + QuoteLiteral(plan.version_schema) + " THEN\n";
  std::string written_by = "    NEW." + QuoteIdent(kWrittenByColumn) + " := ";
  body += Assignments(sync.down, "    ");
  body += written_by + kWrittenByNew + ";\n";
  body += "  ELSE\n";
  body += Assignments(sync.up, "    ");
  body += written_by + kWrittenByOld + ";\n";
  body += "  END IF;\n";
  body += "  RETURN NEW;\nEND\n";
  std::string tag = DollarTag(body);
  std::string function = FunctionName(plan, sync);
  return {
      "CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS " + tag +
          "\n" + body + tag,
      "CREATE TRIGGER " + QuoteIdent(kTriggerName) + " BEFORE INSERT OR UPDATE ON " +
          QualifiedName(plan.schema, sync.table) + " FOR EACH ROW WHEN (current_setting(" +
          QuoteLiteral(kBackfillSessionSetting) +
          ", true) IS DISTINCT FROM 'on') EXECUTE FUNCTION " + function + "()",
  };
}

std::vector<std::string> DropDualWriteTriggerSql(const Plan& plan, const TableSync& sync) {
  return {
      "DROP TRIGGER IF EXISTS " + QuoteIdent(kTriggerName) + " ON " +
          QualifiedName(plan.schema, sync.table),
      "DROP FUNCTION IF EXISTS " + FunctionName(plan, sync) + "()",
  };
}

}  // namespace tandem::plan
