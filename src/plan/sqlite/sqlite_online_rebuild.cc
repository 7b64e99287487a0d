// complete's table rebuild without a writer stall. SQLite's documented
// rebuild (sqlite.org/lang_altertable.html, "Making Other Kinds Of Table
// Schema Changes") copies the table in one write transaction; here the
// final table is built beside the live one instead:
//
//   1. copy (a kCopyRows step the engine runs in chunks): one short
//      transaction creates the final table, its indexes under building
//      names, and triggers that copy every write of the live table into
//      it; then the rows are copied in short transactions.
//   2. swap (inside complete's switch transaction): the live table steps
//      aside under a retired name, the final table takes its name, and the
//      indexes trade names (a rename of sqlite_schema rows: SQLite has no
//      ALTER INDEX ... RENAME, and rebuilding an index would block writers
//      as long as the copy did).
//   3. drain (a kDrainTable step): the retired table is emptied in short
//      chunks and dropped; dropping it whole would block writers while
//      SQLite frees every page.
//
// Every transaction leaves a database both versions can use: until the
// swap the live table is untouched and the final one only gains rows.
#include "common/strings.h"
#include "plan/sqlite/sqlite_planner_internal.h"

namespace tandem::plan::sqlite {
namespace {

std::string SqlString(const std::string& text) { return "'" + ReplaceAll(text, "'", "''") + "'"; }

}  // namespace

TableCopy DrainOf(const std::string& table) {
  TableCopy drain;
  drain.source = table;
  return drain;
}

RebuildNames RebuildNamesOf(const std::string& table) {
  RebuildNames names;
  names.target = "_tandem_rebuild_" + table;
  names.retired = "_tandem_retired_" + table;
  names.index_prefix = "_tandem_rebuild_";
  names.retired_index_prefix = "_tandem_retired_";
  for (const char* event : {"insert", "update", "delete"}) {
    names.triggers.push_back("_tandem_rebuild_" + table + "_" + event);
  }
  return names;
}

// The row as the live table holds it now, copied by rowid: whichever of
// the dual-write triggers and these runs first, the last copy reads the
// row after both. A delete before the insert (not INSERT OR REPLACE):
// the application's own ON CONFLICT would override the trigger's.
std::vector<std::string> RebuildTriggerSql(const std::string& table, const RebuildNames& names,
                                           const std::vector<std::string>& targets,
                                           const std::vector<std::string>& sources) {
  std::string live = QuoteIdent(table);
  std::string target = QuoteIdent(names.target);
  std::string copy = "INSERT INTO " + target + " (rowid, " + Join(targets, ", ") +
                     ") SELECT rowid, " + Join(sources, ", ") + " FROM " + live +
                     " WHERE rowid = NEW.rowid;";
  std::string drop_old = "DELETE FROM " + target + " WHERE rowid = OLD.rowid;";
  std::string drop_new = "DELETE FROM " + target + " WHERE rowid = NEW.rowid;";
  auto trigger = [&](const std::string& name, const std::string& event, const std::string& body) {
    return "CREATE TRIGGER IF NOT EXISTS " + QuoteIdent(name) + " AFTER " + event + " ON " + live +
           " BEGIN " + body + " END";
  };
  return {trigger(names.triggers[0], "INSERT", drop_new + " " + copy),
          trigger(names.triggers[1], "UPDATE", drop_old + " " + drop_new + " " + copy),
          trigger(names.triggers[2], "DELETE", drop_old)};
}

namespace {

std::vector<std::string> SwapStatements(const RebuildShape& shape, const RebuildNames& names,
                                        const std::vector<IndexRename>& index_renames) {
  std::vector<std::string> sql;
  for (const auto& trigger : names.triggers) {
    sql.push_back("DROP TRIGGER IF EXISTS " + QuoteIdent(trigger));
  }
  // Legacy mode: the views and triggers of the application that name the
  // table keep naming it, and so reach the final table.
  sql.push_back("PRAGMA legacy_alter_table = ON");
  sql.push_back("ALTER TABLE " + QuoteIdent(shape.table) + " RENAME TO " +
                QuoteIdent(names.retired));
  sql.push_back("ALTER TABLE " + QuoteIdent(names.target) + " RENAME TO " +
                QuoteIdent(shape.table));
  sql.push_back("PRAGMA legacy_alter_table = OFF");
  if (shape.retiring.empty() && index_renames.empty() && shape.table_sql.empty()) return sql;
  // The retired table's indexes give their names up, and the final table's
  // take them: only sqlite_schema's rows change (name and statement), which
  // is what ALTER TABLE RENAME itself does.
  sql.push_back("PRAGMA writable_schema = ON");
  if (!shape.table_sql.empty()) {
    sql.push_back("UPDATE sqlite_schema SET sql = " + SqlString(shape.table_sql) +
                  " WHERE type = 'table' AND name = " + SqlString(shape.table));
  }
  for (const auto& [name, definition] : shape.retiring) {
    std::string retired = names.retired_index_prefix + name;
    auto statement = RetargetIndex(definition, retired, names.retired);
    if (!statement) continue;
    sql.push_back("UPDATE sqlite_schema SET name = " + SqlString(retired) + ", sql = " +
                  SqlString(*statement) + " WHERE type = 'index' AND name = " + SqlString(name));
  }
  for (const auto& rename : index_renames) {
    sql.push_back("UPDATE sqlite_schema SET name = " + SqlString(rename.final_name) +
                  ", sql = " + SqlString(rename.final_sql) +
                  " WHERE type = 'index' AND name = " + SqlString(rename.building));
  }
  // Reloads this connection's copy of the schema; the ALTER TABLEs above
  // moved the schema cookie, so every other connection reloads it too.
  sql.push_back("PRAGMA writable_schema = RESET");
  return sql;
}

}  // namespace

OnlineRebuild BuildOnlineRebuild(const RebuildShape& shape) {
  RebuildNames names = RebuildNamesOf(shape.table);
  TableCopy copy;
  copy.source = shape.table;
  copy.target = names.target;
  copy.prepare.push_back(shape.create);
  std::vector<IndexRename> renames;
  for (const auto& [name, sql] : shape.indexes) {
    std::string building = names.index_prefix + name;
    auto created = RetargetIndex(sql, building, names.target);
    if (!created) continue;  // the catalog's own statement, which tandem always reads
    copy.prepare.push_back(*created);
    renames.push_back({building, name, sql});
  }
  for (auto& s : RebuildTriggerSql(shape.table, names, shape.targets, shape.sources)) {
    copy.prepare.push_back(s);
  }
  // Otherwise the copy of an insert would see the new columns before the
  // dual-write trigger filled them, and a NOT NULL of the final table
  // would refuse it.
  const std::string kCreate = "CREATE TRIGGER ";
  for (const auto& trigger : shape.run_first) {
    size_t end = trigger.find(" AFTER ");
    if (trigger.rfind(kCreate, 0) != 0 || end == std::string::npos) continue;
    copy.prepare.push_back("DROP TRIGGER IF EXISTS " +
                           trigger.substr(kCreate.size(), end - kCreate.size()));
    copy.prepare.push_back(trigger);
  }
  copy.copy = "INSERT INTO " + QuoteIdent(names.target) + " (rowid, " + Join(shape.targets, ", ") +
              ") SELECT rowid, " + Join(shape.sources, ", ") + " FROM " + QuoteIdent(shape.table) +
              " AS live WHERE rowid > $1 AND rowid <= $2 AND NOT EXISTS (SELECT 1 FROM " +
              QuoteIdent(names.target) + " WHERE rowid = live.rowid)";
  OnlineRebuild rebuild;
  rebuild.copy.kind = StepKind::kCopyRows;
  rebuild.copy.tables = {shape.table};
  rebuild.copy.lock = LockLevel::kExclusive;
  rebuild.copy.copy = std::move(copy);
  rebuild.swap = SwapStatements(shape, names, renames);
  rebuild.drain.kind = StepKind::kDrainTable;
  rebuild.drain.description =
      "drop the old rows of " + shape.table + " (" + names.retired + ", emptied in short chunks)";
  rebuild.drain.tables = {names.retired};
  rebuild.drain.lock = LockLevel::kExclusive;
  rebuild.drain.copy = DrainOf(names.retired);
  return rebuild;
}

std::optional<OnlineRebuild> SqlitePlanner::RebuildAsBefore(const std::string& table) {
  const CatalogTable* original = catalog_.FindTable(table);
  const TableSql* table_sql = TableSqlOf(table);
  if (original == nullptr || table_sql == nullptr ||
      ToLower(table_sql->options).find("without") != std::string::npos) {
    return std::nullopt;
  }
  RebuildShape shape;
  shape.table = table;
  shape.rows = original->estimated_rows;
  auto create = RetargetTable(original->definition, RebuildNamesOf(table).target);
  if (!create) return std::nullopt;
  shape.create = *create;
  // The statement exactly as it was, not as the rename rewrites it.
  shape.table_sql = original->definition;
  for (const auto& c : original->columns) {
    shape.targets.push_back(QuoteIdent(c.name));
    shape.sources.push_back(QuoteIdent(c.name));
  }
  for (const auto& index : original->indexes) {
    if (index.definition.empty()) continue;
    shape.indexes.emplace_back(index.name, index.definition);
    shape.retiring.emplace_back(index.name, index.definition);
  }
  OnlineRebuild rebuild = BuildOnlineRebuild(shape);
  rebuild.copy.description = "rebuild " + table + " online without the columns this migration " +
                             "added: fill " + rebuild.copy.copy->target + " beside it (~" +
                             std::to_string(shape.rows) +
                             " rows in short chunks; triggers copy every write meanwhile)";
  rebuild.summary = "swap " + table + " for its rebuilt copy (" + kSwapStall + ")";
  return rebuild;
}

}  // namespace tandem::plan::sqlite
