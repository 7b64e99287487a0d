// ALTER TABLE's rules, the column type rules and the walk's bookkeeping.
#include <algorithm>
#include <map>
#include <set>

#include "common/strings.h"
#include "lint/pg_parse.h"
#include "lint/sql_walk.h"

namespace tandem::lint {
namespace {

using nlohmann::json;

std::string LastName(const json& type_name) {
  const json& names = type_name.at("names");
  return names.empty() ? "" : names.back()["String"].value("sval", "");
}

long LocationOf(const json& node) { return node.value("location", -1L); }

bool IsSerial(const std::string& type) {
  static const std::set<std::string> kSerials = {"serial",      "serial4", "serial2",
                                                 "smallserial", "serial8", "bigserial"};
  return kSerials.count(type) > 0;
}

// The column of `CHECK (col IS NOT NULL)`, or "".
std::string NotNullCheckColumn(const json& constraint) {
  const json& test = constraint.value("raw_expr", json::object());
  if (!test.contains("NullTest") || test["NullTest"].value("nulltesttype", "") != "IS_NOT_NULL") {
    return "";
  }
  const json& fields = test["NullTest"]["arg"].value("ColumnRef", json::object());
  const json& names = fields.value("fields", json::array());
  if (names.size() != 1 || !names[0].contains("String")) return "";
  return names[0]["String"].value("sval", "");
}

struct ColumnConstraints {
  bool not_null = false;
  const json* default_expr = nullptr;
  bool stored_generated = false;
  bool identity = false;
  bool unique_or_key = false;
  bool references = false;
  bool check = false;
};

ColumnConstraints ConstraintsOf(const json& column_def) {
  ColumnConstraints out;
  if (!column_def.contains("constraints")) return out;
  // By reference: default_expr points into column_def.
  for (const auto& c : column_def["constraints"]) {
    const json& constraint = c.at("Constraint");
    std::string type = constraint.value("contype", "");
    out.not_null = out.not_null || type == "CONSTR_NOTNULL" || type == "CONSTR_PRIMARY";
    if (type == "CONSTR_DEFAULT") out.default_expr = &constraint.at("raw_expr");
    out.stored_generated = out.stored_generated || type == "CONSTR_GENERATED";
    out.identity = out.identity || type == "CONSTR_IDENTITY";
    out.unique_or_key = out.unique_or_key || type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE";
    out.references = out.references || type == "CONSTR_FOREIGN";
    out.check = out.check || type == "CONSTR_CHECK";
  }
  return out;
}

void CheckAddColumnOnSqlite(const ColumnConstraints& c, const std::string& name, SqlWalk& walk) {
  bool constant_default = c.default_expr != nullptr && !CallsAnything(*c.default_expr);
  if (c.not_null && !constant_default) {
    walk.Report(kRuleNotNullWithoutDefault,
                "SQLite refuses ADD COLUMN \"" + name +
                    "\" NOT NULL without a constant default; add it nullable, or with a default");
  }
  if ((c.default_expr != nullptr && !constant_default) || c.stored_generated) {
    walk.Report(kRuleVolatileDefault,
                "SQLite refuses ADD COLUMN \"" + name +
                    "\" with a default that is not constant (or a STORED generated column)");
  }
}

void CheckAddColumn(const json& def, const json& relation, bool created, SqlWalk& walk) {
  CheckColumnType(def, walk);
  std::string name = def.value("colname", "");
  walk.Ask(LiveQuestion::Kind::kAddsColumns, relation.value("schemaname", ""),
           relation.value("relname", ""), name, "adds column \"" + name + "\"", 1);
  if (created) return;
  ColumnConstraints c = ConstraintsOf(def);
  if (walk.context.sqlite) return CheckAddColumnOnSqlite(c, name, walk);
  bool serial = IsSerial(LastName(def.at("typeName")));
  bool filled = c.default_expr != nullptr || c.stored_generated || c.identity || serial;
  if (c.not_null && !filled) {
    walk.Report(kRuleNotNullWithoutDefault,
                "ADD COLUMN \"" + name +
                    "\" NOT NULL without a default fails on a table with rows and breaks the "
                    "running application's INSERTs; add it nullable, backfill, then set NOT NULL",
                LocationOf(def));
  }
  bool rewrites = c.stored_generated || c.identity || serial ||
                  (c.default_expr != nullptr && !IsNonVolatileTree(*c.default_expr));
  if (rewrites) {
    walk.Report(kRuleVolatileDefault,
                "ADD COLUMN \"" + name +
                    "\" with a volatile default (or serial, identity, STORED generated) rewrites "
                    "\"" +
                    RelationText(relation) + "\" under ACCESS EXCLUSIVE",
                LocationOf(def));
    walk.Ask(LiveQuestion::Kind::kRewrites, relation.value("schemaname", ""),
             relation.value("relname", ""), "", "adds column \"" + name + "\" with a rewrite");
  }
  if (c.unique_or_key) {
    walk.Report(kRuleUniqueWithoutIndex, "ADD COLUMN \"" + name +
                                             "\" UNIQUE/PRIMARY KEY builds its index under "
                                             "ACCESS EXCLUSIVE; create the index CONCURRENTLY "
                                             "and add the constraint USING INDEX");
  }
  if (c.references || c.check) {
    walk.Report(kRuleConstraintNotValid,
                "ADD COLUMN \"" + name +
                    "\" with REFERENCES/CHECK validates at once under the lock; add the "
                    "constraint NOT VALID afterwards, then VALIDATE it");
  }
}

void CheckAddConstraint(const json& constraint, const json& relation, bool created, SqlWalk& walk) {
  std::string type = constraint.value("contype", "");
  std::string name = constraint.value("conname", "");
  std::string table = relation.value("relname", "");
  long at = LocationOf(constraint);
  if (type == "CONSTR_CHECK" || type == "CONSTR_FOREIGN") {
    std::string column = type == "CONSTR_CHECK" ? NotNullCheckColumn(constraint) : "";
    if (constraint.value("skip_validation", false)) {
      walk.not_valid_in_transaction.insert(name);
      if (!column.empty()) walk.not_null_checks[name] = table + "." + column;
      return;
    }
    if (!column.empty()) walk.proven_not_null.insert(table + "." + column);
    if (created) return;
    walk.Report(kRuleConstraintNotValid,
                std::string(type == "CONSTR_CHECK" ? "CHECK" : "FOREIGN KEY") + " constraint " +
                    (name.empty() ? "" : "\"" + name + "\" ") + "on \"" + RelationText(relation) +
                    "\" is validated under the lock; add it NOT VALID, then VALIDATE "
                    "CONSTRAINT in a later transaction",
                at);
    walk.Ask(LiveQuestion::Kind::kRewrites, relation.value("schemaname", ""), table, "",
             "validates a constraint by scanning");
  } else if ((type == "CONSTR_UNIQUE" || type == "CONSTR_PRIMARY") && !created &&
             !constraint.contains("indexname")) {
    walk.Report(kRuleUniqueWithoutIndex,
                std::string(type == "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY") +
                    " constraint builds its index under ACCESS EXCLUSIVE on \"" +
                    RelationText(relation) +
                    "\"; CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX",
                at);
  }
}

void CheckValidate(const std::string& name, SqlWalk& walk) {
  if (walk.not_valid_in_transaction.count(name) > 0) {
    walk.Report(kRuleValidatedInSameStep,
                "VALIDATE CONSTRAINT \"" + name +
                    "\" runs in the transaction that added it NOT VALID, which still holds the "
                    "stronger lock; commit in between");
  }
  auto check = walk.not_null_checks.find(name);
  if (check != walk.not_null_checks.end()) walk.proven_not_null.insert(check->second);
}

void CheckSqliteAlter(const std::string& subtype, SqlWalk& walk) {
  static const std::map<std::string, std::string> kUnsupported = {
      {"AT_AlterColumnType", "ALTER COLUMN ... TYPE"},
      {"AT_SetNotNull", "SET NOT NULL"},
      {"AT_DropNotNull", "DROP NOT NULL"},
      {"AT_ColumnDefault", "SET/DROP DEFAULT"},
      {"AT_AddConstraint", "ADD CONSTRAINT"},
      {"AT_DropConstraint", "DROP CONSTRAINT"}};
  auto it = kUnsupported.find(subtype);
  if (it == kUnsupported.end()) return;
  walk.Report(kRuleSqliteAlter, "SQLite has no ALTER TABLE ... " + it->second +
                                    "; the statement fails (a tandem migration rebuilds the "
                                    "table instead)");
}

void CheckAlterCommand(const json& c, const json& relation, bool created, SqlWalk& walk) {
  std::string subtype = c.value("subtype", "");
  std::string schema = relation.value("schemaname", "");
  std::string table = relation.value("relname", "");
  std::string column = c.value("name", "");
  if (subtype == "AT_AddColumn")
    return CheckAddColumn(c.at("def").at("ColumnDef"), relation, created, walk);
  if (subtype == "AT_DropColumn") {
    walk.Ask(LiveQuestion::Kind::kChangesColumn, schema, table, column,
             "drops column \"" + column + "\"");
    return;
  }
  if (walk.context.sqlite) return CheckSqliteAlter(subtype, walk);
  if (subtype == "AT_ValidateConstraint") return CheckValidate(column, walk);
  if (subtype == "AT_AddConstraint") {
    return CheckAddConstraint(c.at("def").at("Constraint"), relation, created, walk);
  }
  if (subtype == "AT_DetachPartition") {
    bool concurrent = c.at("def").at("PartitionCmd").value("concurrent", false);
    if (!concurrent) {
      walk.Report(kRuleDetachNotConcurrent, "DETACH PARTITION takes ACCESS EXCLUSIVE on \"" +
                                                RelationText(relation) +
                                                "\"; use DETACH PARTITION ... CONCURRENTLY");
    } else if (walk.InTransaction()) {
      walk.Report(kRuleConcurrentInTransaction,
                  "DETACH PARTITION CONCURRENTLY inside a transaction fails");
    }
    return;
  }
  if (created) return;
  if (subtype == "AT_AlterColumnType") {
    walk.Report(kRuleTypeChange, "changing the type of column \"" + column + "\" of \"" +
                                     RelationText(relation) +
                                     "\" rewrites it under ACCESS EXCLUSIVE (unless binary-"
                                     "coercible) and breaks the running application's use of it");
    walk.Ask(LiveQuestion::Kind::kRewrites, schema, table, column,
             "changes the type of column \"" + column + "\"");
    walk.Ask(LiveQuestion::Kind::kChangesColumn, schema, table, column,
             "changes the type of column \"" + column + "\"");
  } else if (subtype == "AT_SetNotNull" && walk.proven_not_null.count(table + "." + column) == 0) {
    walk.Report(kRuleSetNotNull, "SET NOT NULL on \"" + column +
                                     "\" scans the table under ACCESS EXCLUSIVE; validate a "
                                     "CHECK (" +
                                     column + " IS NOT NULL) first");
    walk.Ask(LiveQuestion::Kind::kRewrites, schema, table, column,
             "sets column \"" + column + "\" NOT NULL by scanning");
  } else if (subtype == "AT_DropNotNull") {
    walk.Report(kRuleDropNotNull, "DROP NOT NULL on \"" + column +
                                      "\": the running application may not expect NULLs");
  }
}

}  // namespace

std::string RelationText(const json& relation) {
  std::string name = relation.value("relname", "");
  if (!relation.contains("schemaname")) return name;
  return relation["schemaname"].get<std::string>() + "." + name;
}

size_t StatementStart(std::string_view sql, size_t location) {
  size_t i = location;
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i]))) {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (sql.substr(i, 2) == "/*") {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return std::min(i, sql.size());
}

void CheckColumnType(const json& column_def, SqlWalk& walk) {
  const json& type = column_def.at("typeName");
  std::string name = LastName(type);
  std::string column = column_def.value("colname", "");
  long at = LocationOf(type);
  static const std::set<std::string> kNarrowIntegers = {"int4", "int2", "int", "integer",
                                                        "smallint"};
  if (kNarrowIntegers.count(name) > 0 || name == "serial" || name == "serial4" ||
      name == "serial2" || name == "smallserial") {
    walk.Report(kRulePreferBigint,
                "column \"" + column + "\" is a 32/16-bit integer (" + name + "); use bigint", at);
  }
  if (IsSerial(name)) {
    walk.Report(
        kRulePreferIdentity,
        "column \"" + column + "\" is " + name + "; use bigint GENERATED BY DEFAULT AS IDENTITY",
        at);
  }
  if (name == "varchar" && type.contains("typmods")) {
    walk.Report(kRulePreferText, "column \"" + column + "\" is varchar(n); use text with a CHECK",
                at);
  }
  if (name == "bpchar" || name == "char") {
    walk.Report(kRuleNoChar, "column \"" + column + "\" is char(n); use text", at);
  }
  if (name == "timestamp") {
    walk.Report(kRulePreferTimestamptz,
                "column \"" + column + "\" is timestamp without time zone; use timestamptz", at);
  }
}

void CheckAlterTable(const json& alter, SqlWalk& walk) {
  if (alter.value("objtype", "") != "OBJECT_TABLE") return;
  const json& relation = alter.at("relation");
  bool created = walk.CreatedHere(relation);
  if (!created) walk.Locks("ALTER TABLE");
  for (const auto& cmd : alter.value("cmds", json::array())) {
    CheckAlterCommand(cmd.at("AlterTableCmd"), relation, created, walk);
  }
}

SqlWalk::SqlWalk(std::string_view sql, const SqlContext& context) : sql(sql), context(context) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '\n') line_starts_.push_back(i + 1);
  }
}

void SqlWalk::Position(size_t offset, int* line, int* column) const {
  auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  size_t index = static_cast<size_t>(next - line_starts_.begin()) - 1;
  *line = static_cast<int>(index) + 1;
  *column = static_cast<int>(offset - line_starts_[index]) + 1;
}

bool SqlWalk::CreatedHere(const json& relation) const {
  return created_tables.count(relation.value("relname", "")) > 0;
}

void SqlWalk::Report(const std::string& code, const std::string& message, long offset) {
  const Rule* rule = FindRule(code);
  Finding finding;
  finding.code = code;
  finding.severity = rule != nullptr ? rule->severity : Severity::kError;
  finding.message = message;
  Position(offset >= 0 ? static_cast<size_t>(offset) : statement_offset, &finding.line,
           &finding.column);
  result.findings.push_back(std::move(finding));
}

void SqlWalk::Locks(const std::string& what) {
  if (context.timeouts_set || context.sqlite || timeouts_reported) return;
  if (lock_timeout_set && statement_timeout_set) return;
  std::vector<std::string> missing;
  if (!lock_timeout_set) missing.push_back("lock_timeout");
  if (!statement_timeout_set) missing.push_back("statement_timeout");
  Report(kRuleTimeouts, what + " takes a lock with no " + Join(missing, " and ") + " set; SET " +
                            (missing.size() == 1 ? "it" : "them") + " at the top of the migration");
  timeouts_reported = true;
}

void SqlWalk::Ask(LiveQuestion::Kind kind, const std::string& schema, const std::string& table,
                  const std::string& column, const std::string& what, int count) {
  LiveQuestion question{kind, schema, table, column, count, what, 0, 0};
  Position(statement_offset, &question.line, &question.column_number);
  result.questions.push_back(std::move(question));
}

void SqlWalk::Finish() {
  if (explicit_begin_offset < 0) return;
  Report(kRuleUncommitted, "BEGIN without a COMMIT before the end of the migration",
         explicit_begin_offset);
}

}  // namespace tandem::lint
