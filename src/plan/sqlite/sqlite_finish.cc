// The parts of a SQLite plan that depend on every operation: the dual-write
// triggers, the new version's views, the contract switch and the rollback.
#include "common/strings.h"
#include "plan/sqlite/sqlite_planner_internal.h"
#include "plan/sqlite/sqlite_triggers.h"

namespace tandem::plan::sqlite {

std::string DualWriteStepName(const std::string& table) {
  return "install dual-write triggers on " + table;
}

void SqlitePlanner::FinishTriggers() {
  for (auto& [table, sync] : syncs_) {
    Step marker;
    marker.description = "add column " + std::string(kWrittenByColumn) + " to " + table +
                         " (which version last wrote each row; metadata only)";
    marker.statements = {"ALTER TABLE " + QuoteIdent(table) + " ADD COLUMN " +
                         QuoteIdent(kWrittenByColumn) + " TEXT"};
    marker.tables = {table};
    marker.lock = LockLevel::kExclusive;
    plan_.expand.push_back(marker);
    added_columns_[table].insert(kWrittenByColumn);
    plan_.syncs.push_back(sync);
    Step install;
    install.description = DualWriteStepName(table);
    std::vector<std::string> old_columns;
    if (const CatalogTable* original = catalog_.FindTable(table)) {
      for (const auto& c : original->columns) old_columns.push_back(c.name);
    }
    install.statements = UsesTableItself(table) ? CreateInPlaceTriggerSql(sync, old_columns)
                                                : CreateBaseTriggerSql(sync, old_columns);
    install.tables = {table};
    install.lock = LockLevel::kExclusive;
    plan_.expand.push_back(install);
  }
}

std::map<std::string, std::string> SqlitePlanner::DefaultsOf(const VirtualTable& table) const {
  std::map<std::string, std::string> defaults;
  const CatalogTable* original = catalog_.FindTable(table.physical);
  for (const auto& c : table.columns) {
    const CatalogColumn* column = original ? original->FindColumn(c.physical) : nullptr;
    auto shape = shapes_.find(table.physical + "." + c.physical);
    if (shape != shapes_.end() && shape->second.default_value.present) {
      if (shape->second.default_value.IsSet()) {
        defaults[c.physical] = shape->second.default_value.value;
      }
    } else if (column && !column->default_expr.empty()) {
      defaults[c.physical] = column->default_expr;
    }
  }
  return defaults;
}

// SQLite gives a statement on a view nothing of what its INSTEAD OF trigger
// did: drivers read the new row's id and the change count from the
// connection, which the trigger's own INSERT leaves as they were.
void SqlitePlanner::WarnAboutInsertIds(const std::vector<std::string>& views) {
  std::string what = views.size() == 1 ? views[0] + " is a view (the new version)"
                                       : "the new version's tables are views (" + views[0] +
                                             " and " + std::to_string(views.size() - 1) + " more)";
  plan_.warnings.push_back(
      what +
      ": an INSERT through it reports no row id, now and after complete (the views stay). "
      "sqlite3_last_insert_rowid() keeps the id of the connection's previous insert, "
      "sqlite3_changes() is 0 and INSERT ... RETURNING gives NULL. An application that needs "
      "the new row's id should read the id back by a unique key (SELECT id FROM the view WHERE "
      "<unique column> = ?), or insert into the table itself once complete has run");
}

void SqlitePlanner::FinishViews() {
  Step create;
  std::vector<std::string> names;
  for (const auto& [name, table] : virtual_schema_.tables()) {
    View view{name, table.physical, {}, AccessOf(name, table.physical)};
    ViewWrites writes;
    writes.view = SqliteViewName(name, plan_.version_schema);
    writes.name = name;
    writes.table = table.physical;
    writes.key = table.key_columns;
    // Where the new version writes the table itself, the table's own
    // triggers tell the versions apart, for writes through the view too.
    auto sync = syncs_.find(table.physical);
    if (sync != syncs_.end() && !UsesTableItself(table.physical)) writes.sync = &sync->second;
    writes.defaults = DefaultsOf(table);
    for (const auto& c : created_constraints_) {
      if (c.table == table.physical) writes.guards.emplace_back(c.message, c.violation);
    }
    for (const auto& c : table.columns) {
      view.columns.push_back({c.name, c.physical});
      writes.columns.emplace_back(c.name, c.physical);
      auto shape = shapes_.find(table.physical + "." + c.physical);
      if (shape != shapes_.end() && shape->second.not_null) writes.required.insert(c.physical);
    }
    if (writes.key.empty()) {
      plan_.warnings.push_back("table " + name +
                               " has no primary key: its view accepts inserts only (updates and "
                               "deletes through the new version need a key)");
    }
    plan_.views.push_back(view);
    if (!UsesTableItself(table.physical)) names.push_back(writes.view);
    for (auto& s : CreateViewSql(writes)) create.statements.push_back(s);
  }
  if (!names.empty()) WarnAboutInsertIds(names);
  create.description = "create the new version's views (<table>__" + plan_.version_schema +
                       ") for " + std::to_string(plan_.views.size()) + " tables";
  create.lock = LockLevel::kNone;
  plan_.expand.push_back(create);
}

std::vector<std::string> SqlitePlanner::RenameStatements(const VirtualTable& table) const {
  std::vector<std::string> sql;
  std::string name = QuoteIdent(table.physical);
  std::set<std::string> sources;
  for (const auto& c : table.columns) {
    if (c.physical != c.name) sources.insert(c.physical);
  }
  // Through a temporary name where a target is still another column's name.
  for (const auto& c : table.columns) {
    if (c.physical == c.name || sources.count(c.name) == 0) continue;
    sql.push_back("ALTER TABLE " + name + " RENAME COLUMN " + QuoteIdent(c.physical) + " TO " +
                  QuoteIdent("_tandem_tmp_" + c.name));
  }
  for (const auto& c : table.columns) {
    if (c.physical == c.name) continue;
    std::string from = sources.count(c.name) ? "_tandem_tmp_" + c.name : c.physical;
    sql.push_back("ALTER TABLE " + name + " RENAME COLUMN " + QuoteIdent(from) + " TO " +
                  QuoteIdent(c.name));
  }
  return sql;
}

void SqlitePlanner::FinishComplete() {
  Step contract;
  contract.lock = LockLevel::kExclusive;
  std::vector<std::string>& sql = contract.statements;
  for (const auto& sync : plan_.syncs) {
    for (auto& s : DropBaseTriggerSql(sync)) sql.push_back(s);
  }
  std::vector<std::string> versions = options_.previous_version_schemas;
  versions.push_back(plan_.version_schema);
  std::set<std::string> names;
  for (const auto& [name, table] : catalog_.tables) names.insert(name);
  for (const auto& [name, table] : virtual_schema_.tables()) names.insert(name);
  for (const auto& version : versions) {
    for (const auto& name : names) {
      sql.push_back("DROP VIEW IF EXISTS " + QuoteIdent(SqliteViewName(name, version)));
    }
  }
  for (const auto& index : dropped_indexes_)
    sql.push_back("DROP INDEX IF EXISTS " + QuoteIdent(index));
  for (const auto& dropped : virtual_schema_.dropped_tables()) {
    sql.push_back("DROP TABLE " + QuoteIdent(dropped));
    contract.tables.push_back(dropped);
  }
  std::vector<std::string> rebuilt;
  std::vector<Step> drains;
  for (const auto& [name, table] : virtual_schema_.tables()) {
    contract.tables.push_back(table.physical);
    if (rebuild_.count(table.physical) > 0 && created_tables_.count(table.physical) == 0) {
      OnlineRebuild rebuild = RebuildOnline(table);
      plan_.complete.push_back(std::move(rebuild.copy));
      for (auto& s : rebuild.swap) sql.push_back(s);
      drains.push_back(std::move(rebuild.drain));
      rebuilt.push_back(rebuild.summary);
      contract.check_foreign_keys = true;
    } else {
      for (auto& s : RenameStatements(table)) sql.push_back(s);
    }
  }
  for (const auto& [name, table] : virtual_schema_.tables()) {
    if (table.physical == name) continue;
    sql.push_back("ALTER TABLE " + QuoteIdent(table.physical) + " RENAME TO " + QuoteIdent(name));
  }
  // The new version's views stay, now over the final columns, so an
  // application on them keeps working until the next migration completes.
  for (const auto& [name, table] : virtual_schema_.tables()) {
    ViewWrites writes;
    writes.view = SqliteViewName(name, plan_.version_schema);
    writes.name = name;
    writes.table = name;
    std::map<std::string, std::string> defaults = DefaultsOf(table);
    for (const auto& c : table.columns) {
      writes.columns.emplace_back(c.name, c.name);
      auto d = defaults.find(c.physical);
      if (d != defaults.end()) writes.defaults[c.name] = d->second;
    }
    for (const auto& key : table.key_columns) {
      for (const auto& c : table.columns) {
        if (c.physical == key) writes.key.push_back(c.name);
      }
    }
    for (auto& s : CreateViewSql(writes)) sql.push_back(s);
  }
  contract.description =
      "switch: drop the old version and dual-write, give columns their final "
      "names and shape, recreate the version views";
  if (!rebuilt.empty()) contract.description += "; " + Join(rebuilt, "; ");
  contract.kind = StepKind::kSwitch;
  plan_.complete.push_back(contract);
  for (auto& drain : drains) plan_.complete.push_back(std::move(drain));
}

void SqlitePlanner::FinishRollback() {
  Step stop;
  stop.description = "drop dual-write triggers and the version views";
  for (const auto& sync : plan_.syncs) {
    for (auto& s : DropBaseTriggerSql(sync)) stop.statements.push_back(s);
    stop.tables.push_back(sync.table);
  }
  for (const auto& view : plan_.views) {
    stop.statements.push_back("DROP VIEW IF EXISTS " +
                              QuoteIdent(SqliteViewName(view.name, plan_.version_schema)));
  }
  // A complete stopped before its switch may have begun a table rebuild:
  // its triggers go here, its table in short chunks after.
  std::vector<Step> drains;
  for (const auto& step : plan_.complete) {
    if (step.kind != StepKind::kCopyRows) continue;
    RebuildNames names = RebuildNamesOf(step.copy->source);
    for (const auto& t : names.triggers)
      stop.statements.push_back("DROP TRIGGER IF EXISTS " + QuoteIdent(t));
    Step drain;
    drain.kind = StepKind::kDrainTable;
    drain.description = "drop " + names.target + " if a stopped complete left it";
    drain.tables = {names.target};
    drain.lock = LockLevel::kExclusive;
    drain.copy = DrainOf(names.target);
    drains.push_back(std::move(drain));
  }
  stop.lock = LockLevel::kExclusive;
  plan_.rollback.push_back(stop);
  for (auto& drain : drains) plan_.rollback.push_back(std::move(drain));
  for (auto it = created_indexes_.rbegin(); it != created_indexes_.rend(); ++it) {
    Step drop;
    drop.description = "drop index " + it->name + " built by this migration";
    drop.statements = {"DROP INDEX IF EXISTS " + QuoteIdent(it->name)};
    drop.tables = {it->table};
    drop.lock = LockLevel::kExclusive;
    plan_.rollback.push_back(drop);
  }
  for (auto it = raw_down_.rbegin(); it != raw_down_.rend(); ++it) {
    Step down;
    down.description = "undo the migration's SQL";
    down.statements = {*it};
    down.lock = LockLevel::kExclusive;
    plan_.rollback.push_back(down);
  }
  for (const auto& table : created_tables_) {
    Step drop;
    drop.description = "drop table " + table + " created by this migration";
    drop.statements = {"DROP TABLE IF EXISTS " + QuoteIdent(table)};
    drop.lock = LockLevel::kExclusive;
    plan_.rollback.push_back(drop);
  }
  for (const auto& [table, columns] : added_columns_) {
    if (created_tables_.count(table) > 0 || columns.empty()) continue;
    // Online, as complete rebuilds: SQLite's DROP COLUMN rewrites the
    // table in one transaction.
    if (std::optional<OnlineRebuild> rebuild = RebuildAsBefore(table)) {
      plan_.rollback.push_back(std::move(rebuild->copy));
      Step swap;
      swap.description = rebuild->summary;
      swap.statements = std::move(rebuild->swap);
      swap.tables = {table};
      swap.lock = LockLevel::kExclusive;
      swap.check_foreign_keys = true;  // runs with enforcement off, as a rename must
      plan_.rollback.push_back(std::move(swap));
      plan_.rollback.push_back(std::move(rebuild->drain));
      continue;
    }
    const CatalogTable* original = catalog_.FindTable(table);
    long long rows = original ? original->estimated_rows : 0;
    Step drop;
    drop.description = "drop the columns added to " + table + " (SQLite rewrites ~" +
                       std::to_string(rows) + " rows; blocks writers for about " +
                       std::to_string(1 + rows / kRebuildRowsPerSecond) + " s)";
    for (const auto& c : columns) {
      drop.statements.push_back("ALTER TABLE " + QuoteIdent(table) + " DROP COLUMN " +
                                QuoteIdent(c));
    }
    drop.tables = {table};
    drop.lock = LockLevel::kExclusive;
    plan_.rollback.push_back(drop);
  }
}

}  // namespace tandem::plan::sqlite
