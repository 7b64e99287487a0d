#include "lint/sql_rules.h"

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "lint/pg_parse.h"
#include "lint/sql_walk.h"

namespace tandem::lint {
namespace {

using nlohmann::json;

// Transaction statements: what they do to the open transaction.
void CheckTransaction(const json& node, SqlWalk& walk) {
  std::string kind = node.value("kind", "");
  if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
    if (walk.InTransaction()) {
      walk.Report(kRuleTransactionNesting,
                  walk.explicit_begin_offset >= 0
                      ? "BEGIN inside the transaction an earlier BEGIN opened; "
                        "PostgreSQL only warns and keeps one transaction"
                      : "BEGIN inside the transaction the migration already runs in; remove it");
    }
    if (walk.explicit_begin_offset < 0) walk.explicit_begin_offset = walk.statement_offset;
    walk.StartTransaction();
  } else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK") {
    if (walk.explicit_begin_offset < 0 && walk.context.in_transaction) {
      walk.Report(kRuleTransactionNesting,
                  "COMMIT/ROLLBACK ends the transaction the migration runs in; the statements "
                  "after it run outside any transaction");
    }
    walk.explicit_begin_offset = -1;
    walk.StartTransaction();
  }
}

void CheckSet(const json& node, SqlWalk& walk) {
  std::string name = ToLower(node.value("name", ""));
  if (name == "lock_timeout") walk.lock_timeout_set = true;
  if (name == "statement_timeout") walk.statement_timeout_set = true;
}

void CheckCreateIndex(const json& node, SqlWalk& walk) {
  const json& relation = node.at("relation");
  bool concurrent = node.value("concurrent", false);
  if (concurrent && walk.InTransaction()) {
    walk.Report(kRuleConcurrentInTransaction,
                "CREATE INDEX CONCURRENTLY inside a transaction fails; run it on its own");
  }
  if (walk.CreatedHere(relation)) return;
  walk.Locks("CREATE INDEX");
  if (!concurrent) {
    walk.Report(kRuleIndexNotConcurrent, "CREATE INDEX on \"" + RelationText(relation) +
                                             "\" blocks its writes until built; use CREATE "
                                             "INDEX CONCURRENTLY");
  }
  if (!node.value("if_not_exists", false) && !walk.InTransaction()) {
    walk.Report(kRuleRobustStatements, "CREATE INDEX without IF NOT EXISTS fails when re-run");
  }
}

void CheckDrop(const json& node, SqlWalk& walk) {
  std::string type = node.value("removeType", "");
  bool concurrent = node.value("concurrent", false);
  if (type == "OBJECT_INDEX" && concurrent && walk.InTransaction()) {
    walk.Report(kRuleConcurrentInTransaction,
                "DROP INDEX CONCURRENTLY inside a transaction fails; run it on its own");
  }
  if (type == "OBJECT_INDEX" && !concurrent) {
    walk.Report(kRuleDropIndexNotConcurrent,
                "DROP INDEX takes ACCESS EXCLUSIVE on the table; use DROP INDEX CONCURRENTLY");
  }
  if (!node.value("missing_ok", false) && !walk.InTransaction()) {
    walk.Report(kRuleRobustStatements, "DROP without IF EXISTS fails when re-run");
  }
  walk.Locks("DROP");
  if (type != "OBJECT_TABLE" && type != "OBJECT_VIEW" && type != "OBJECT_MATVIEW") return;
  for (const auto& object : node.value("objects", json::array())) {
    const json& names = object.at("List").at("items");
    std::string schema = names.size() > 1 ? names[names.size() - 2]["String"]["sval"] : "";
    std::string table = names.back()["String"]["sval"];
    walk.Ask(LiveQuestion::Kind::kChangesTable, schema, table, "", "drops \"" + table + "\"");
  }
}

void CheckRename(const json& node, SqlWalk& walk) {
  std::string type = node.value("renameType", "");
  if (!node.contains("relation")) {
    if (type != "OBJECT_SCHEMA" && type != "OBJECT_TYPE" && type != "OBJECT_DOMAIN") return;
    walk.Report(kRuleRenameObject, "renames an object the running application may use");
    return;
  }
  const json& relation = node["relation"];
  if (walk.CreatedHere(relation)) return;
  walk.Locks("ALTER ... RENAME");
  std::string table = RelationText(relation);
  if (type == "OBJECT_COLUMN") {
    std::string column = node.value("subname", "");
    walk.Report(kRuleRenameColumn, "renames column \"" + column + "\" of \"" + table +
                                       "\": the running application's queries naming it fail");
    walk.Ask(LiveQuestion::Kind::kChangesColumn, relation.value("schemaname", ""),
             relation.value("relname", ""), column, "renames column \"" + column + "\"");
  } else if (type == "OBJECT_TABLE" || type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" ||
             type == "OBJECT_SEQUENCE" || type == "OBJECT_FOREIGN_TABLE") {
    walk.Report(kRuleRenameObject,
                "renames \"" + table + "\": the running application's queries naming it fail");
    walk.Ask(LiveQuestion::Kind::kChangesTable, relation.value("schemaname", ""),
             relation.value("relname", ""), "", "renames \"" + table + "\"");
  }
}

void CheckRowChanges(const std::string& kind, const json& node, SqlWalk& walk) {
  if (kind == "TruncateStmt") {
    walk.Locks("TRUNCATE");
    if (node.value("behavior", "") == "DROP_CASCADE") {
      walk.Report(kRuleTruncateCascade,
                  "TRUNCATE ... CASCADE also empties every table referencing it");
    }
    return;
  }
  if (node.contains("whereClause")) return;
  std::string verb = kind == "DeleteStmt" ? "DELETE" : "UPDATE";
  walk.Report(kRuleNoWhere, verb + " without WHERE changes every row of \"" +
                                RelationText(node.at("relation")) + "\"");
}

bool HasOption(const json& node, const char* key, const std::string& name) {
  for (const auto& option : node.value(key, json::array())) {
    if (option.contains("DefElem") && option["DefElem"].value("defname", "") == name) return true;
  }
  return false;
}

void CheckMaintenance(const std::string& kind, const json& node, SqlWalk& walk) {
  if (kind == "ReindexStmt") {
    bool concurrent = HasOption(node, "params", "concurrently");
    if (concurrent && walk.InTransaction()) {
      walk.Report(kRuleConcurrentInTransaction,
                  "REINDEX CONCURRENTLY inside a transaction fails; run it on its own");
    }
    if (!concurrent) {
      walk.Locks("REINDEX");
      walk.Report(kRuleReindexNotConcurrent, "REINDEX blocks writes; use REINDEX CONCURRENTLY");
    }
  } else if (kind == "VacuumStmt" && HasOption(node, "options", "full")) {
    walk.Locks("VACUUM FULL");
    walk.Report(kRuleRewriteCommand,
                "VACUUM FULL rewrites the table under ACCESS EXCLUSIVE; use pg_repack or VACUUM");
  } else if (kind == "ClusterStmt") {
    walk.Locks("CLUSTER");
    walk.Report(kRuleRewriteCommand,
                "CLUSTER rewrites the table under ACCESS EXCLUSIVE; use pg_repack");
  } else if (kind == "CreateDomainStmt" && !node.value("constraints", json::array()).empty()) {
    for (const auto& c : node["constraints"]) {
      if (c.at("Constraint").value("contype", "") != "CONSTR_CHECK") continue;
      walk.Report(kRuleDomainConstraint,
                  "a CHECK on a domain; put it on the table's column, where it can be NOT VALID");
      return;
    }
  } else if (kind == "AlterDomainStmt" && node.value("subtype", "") == "C") {
    walk.Report(kRuleDomainConstraint,
                "ALTER DOMAIN ... ADD CONSTRAINT checks every column of the domain at once");
  } else if (kind == "DropdbStmt") {
    walk.Report(kRuleDropsObject, "drops a database");
  }
}

void CheckCreateTable(const json& node, SqlWalk& walk) {
  const json& relation = node.at("relation");
  walk.created_tables.insert(relation.value("relname", ""));
  if (!node.value("if_not_exists", false) && !walk.InTransaction()) {
    walk.Report(kRuleRobustStatements, "CREATE TABLE without IF NOT EXISTS fails when re-run");
  }
  if (!relation.contains("schemaname")) {
    walk.Report(kRuleTableSchema, "table \"" + RelationText(relation) + "\" without its schema");
  }
  for (const auto& element : node.value("tableElts", json::array())) {
    if (element.contains("ColumnDef")) CheckColumnType(element["ColumnDef"], walk);
  }
}

// PostgreSQL's NAMEDATALEN - 1: longer identifiers are cut to this many bytes.
constexpr size_t kMaxIdentifierBytes = 63;

size_t SkipQuoted(std::string_view sql, size_t i, char quote) {
  for (++i; i < sql.size(); ++i) {
    if (sql[i] != quote) continue;
    if (i + 1 < sql.size() && sql[i + 1] == quote) {
      ++i;
      continue;
    }
    return i + 1;
  }
  return sql.size();
}

bool IsIdentifierByte(char c, bool first) {
  auto byte = static_cast<unsigned char>(c);
  return std::isalpha(byte) || c == '_' || byte >= 0x80 ||
         (!first && (std::isdigit(byte) || c == '$'));
}

// The parse tree holds identifiers already cut to 63 bytes, so the source
// text is scanned for the tokens as written (strings, comments and dollar
// quotes skipped).
void CheckIdentifierLengths(std::string_view sql, SqlWalk& walk) {
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    size_t start = i;
    if (sql.substr(i, 2) == "--" || sql.substr(i, 2) == "/*") {
      i = StatementStart(sql, i);
      if (i == start) ++i;
    } else if (c == '\'') {
      i = SkipQuoted(sql, i, '\'');
    } else if (c == '$' && (i == 0 || !IsIdentifierByte(sql[i - 1], false))) {
      size_t close = sql.find('$', i + 1);
      if (close == std::string_view::npos) return;
      std::string_view tag = sql.substr(i, close - i + 1);
      size_t end = sql.find(tag, close + 1);
      i = end == std::string_view::npos ? sql.size() : end + tag.size();
    } else if (c == '"' || IsIdentifierByte(c, true)) {
      i = c == '"' ? SkipQuoted(sql, i, '"') : i + 1;
      while (c != '"' && i < sql.size() && IsIdentifierByte(sql[i], false)) ++i;
      size_t length = c == '"' ? i - start - 2 : i - start;
      if (length > kMaxIdentifierBytes) {
        walk.Report(kRuleIdentifierTooLong,
                    "identifier " + std::string(sql.substr(start, 20)) + "... is " +
                        std::to_string(length) +
                        " bytes; PostgreSQL cuts it to 63 without an error",
                    static_cast<long>(start));
      }
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < sql.size() && IsIdentifierByte(sql[i], false)) ++i;
    } else {
      ++i;
    }
  }
}

void CheckStatement(const std::string& kind, const json& node, SqlWalk& walk) {
  if (kind == "TransactionStmt") {
    CheckTransaction(node, walk);
  } else if (kind == "VariableSetStmt") {
    CheckSet(node, walk);
  } else if (kind == "CreateStmt") {
    CheckCreateTable(node, walk);
  } else if (kind == "CreateTableAsStmt") {
    walk.created_tables.insert(node.at("into").at("rel").value("relname", ""));
  } else if (kind == "IndexStmt") {
    CheckCreateIndex(node, walk);
  } else if (kind == "DropStmt") {
    CheckDrop(node, walk);
  } else if (kind == "RenameStmt") {
    CheckRename(node, walk);
  } else if (kind == "AlterTableStmt") {
    CheckAlterTable(node, walk);
  } else if (kind == "TruncateStmt" || kind == "DeleteStmt" || kind == "UpdateStmt") {
    CheckRowChanges(kind, node, walk);
  } else {
    CheckMaintenance(kind, node, walk);
  }
}

}  // namespace

void LineAndColumn(std::string_view text, size_t offset, int* line, int* column) {
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++*line;
      *column = 1;
    } else {
      ++*column;
    }
  }
}

Result<SqlLint> LintSql(std::string_view sql, const SqlContext& context, SyntaxError* syntax) {
  TANDEM_ASSIGN_OR_RETURN(json tree, ParseStatements(sql, syntax));
  TANDEM_ASSIGN_OR_RETURN(std::vector<RawStatement> described, DescribeStatements(sql));
  SqlWalk walk(sql, context);
  try {
    const json statements = tree.value("stmts", json::array());
    for (size_t i = 0; i < statements.size(); ++i) {
      const json& s = statements[i];
      walk.statement_offset = StatementStart(sql, s.value("stmt_location", 0));
      if (!walk.InTransaction()) walk.StartTransaction();  // each statement commits alone
      auto body = s.at("stmt").items().begin();
      if (i < described.size() && described[i].effect == Effect::kDestroys) {
        walk.Report(described[i].rule, described[i].what);
      }
      CheckStatement(body.key(), body.value(), walk);
    }
    walk.Finish();
    if (!context.sqlite) CheckIdentifierLengths(sql, walk);
  } catch (const json::exception& e) {
    return Status::Internal(std::string("unexpected parse tree of SQL: ") + e.what());
  }
  return std::move(walk.result);
}

Result<std::vector<Finding>> LintColumnType(std::string_view type, const std::string& column) {
  std::string sql = "CREATE TABLE t (" + QuoteIdent(column) + " " + std::string(type) + ")";
  Result<json> tree = ParseStatements(sql);
  if (!tree.ok()) {
    return Status::InvalidInput("\"" + std::string(type) + "\" is not a type name");
  }
  SqlWalk walk(sql, SqlContext{});
  try {
    const json& element = (*tree)["stmts"][0]["stmt"]["CreateStmt"]["tableElts"][0];
    CheckColumnType(element.at("ColumnDef"), walk);
  } catch (const json::exception& e) {
    return Status::InvalidInput("\"" + std::string(type) + "\" is not a type name");
  }
  return std::move(walk.result.findings);
}

}  // namespace tandem::lint
