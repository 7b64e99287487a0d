// The parts of a plan that depend on every operation: dual-write triggers,
// the new version's views, the contract switch and the rollback.
#include "common/strings.h"
#include "plan/planner_internal.h"
#include "plan/triggers.h"

namespace tandem::plan {

std::string Planner::FinalTableName(const std::string& physical) const {
  for (const auto& [name, table] : virtual_schema_.tables()) {
    if (table.physical == physical) return name;
  }
  return physical;
}

std::string Planner::FinalColumnName(const std::string& physical_table,
                                     const std::string& physical_column) const {
  for (const auto& [name, table] : virtual_schema_.tables()) {
    if (table.physical != physical_table) continue;
    for (const auto& c : table.columns) {
      if (c.physical == physical_column) return c.name;
    }
  }
  return physical_column;
}

std::string Planner::FinalQualified(const std::string& physical_table) const {
  return QualifiedName(options_.schema, FinalTableName(physical_table));
}

void Planner::FinishTriggers() {
  for (auto& [table, sync] : syncs_) {
    plan_.expand.push_back(TableStep("add column " + std::string(kWrittenByColumn) + " to " +
                                         table + " (which version last wrote each row)",
                                     "ALTER TABLE " + Qualified(table) + " ADD COLUMN " +
                                         QuoteIdent(kWrittenByColumn) + " \"char\"",
                                     table, LockLevel::kAccessExclusive));
    added_columns_[table][kWrittenByColumn] = LastExpandStep();
    sync.triggers = DualWriteTriggerNames();
    plan_.syncs.push_back(sync);
    Step install;
    install.description = "install dual-write trigger on " + table;
    std::vector<RequiredColumn> required;
    for (const auto& nn : not_nulls_) {
      if (nn.table != table) continue;
      required.push_back({FinalTableName(table), FinalColumnName(table, nn.column), nn.column});
    }
    std::vector<std::string> columns;
    if (const CatalogTable* original = catalog_.FindTable(table)) {
      for (const auto& c : original->columns) columns.push_back(c.name);
    }
    for (const auto& [c, step] : added_columns_[table]) columns.push_back(c);
    install.statements = CreateDualWriteTriggerSql(plan_, sync, required, columns);
    required_columns_[table] = required;
    install.tables = {table};
    install.lock = LockLevel::kShareRowExclusive;
    plan_.expand.push_back(install);
    trigger_steps_[table] = LastExpandStep();
  }
  for (const auto& step : constraint_steps_) plan_.expand.push_back(step);
}

std::string Planner::ViewSql(const View& view, bool replace) const {
  std::vector<std::string> columns;
  for (const auto& c : view.columns) {
    columns.push_back(QuoteIdent(c.physical) + " AS " + QuoteIdent(c.name));
  }
  return std::string(replace ? "CREATE OR REPLACE VIEW " : "CREATE VIEW ") +
         QualifiedName(plan_.version_schema, view.name) + " AS SELECT " + Join(columns, ", ") +
         " FROM " + QualifiedName(options_.schema, view.physical_table);
}

std::vector<std::string> Planner::ViewStatements() const {
  std::vector<std::string> sql = {"CREATE SCHEMA " + QuoteIdent(plan_.version_schema)};
  for (const auto& view : plan_.views) sql.push_back(ViewSql(view, false));
  return sql;
}

// The on-complete SQL runs after the switch recreated the version schema:
// its new tables get views, and tables it added columns to get them in
// theirs (appended, which CREATE OR REPLACE VIEW allows).
Step Planner::OnCompleteViewsStep() {
  std::map<std::string, View> views;
  std::set<std::string> created;
  for (const auto& s : on_complete_relations_) {
    View fresh;
    fresh.name = fresh.physical_table = s.table;
    auto [it, added] = views.try_emplace(s.table, fresh);
    if (added && !s.creates_table) {
      const VirtualTable* table = virtual_schema_.FindTable(s.table);
      if (table == nullptr) {
        views.erase(it);
        continue;
      }
      for (const auto& c : table->columns) it->second.columns.push_back({c.name, c.name});
    }
    if (s.creates_table) created.insert(s.table);
    for (const auto& c : s.columns) it->second.columns.push_back({c.name, c.name});
  }
  Step step;
  step.description =
      "show what the on-complete sql created in version schema " + plan_.version_schema;
  for (const auto& [name, view] : views) {
    step.statements.push_back(ViewSql(view, created.count(name) == 0));
  }
  step.lock = LockLevel::kAccessShare;
  return step;
}

void Planner::FinishViews() {
  for (const auto& [name, table] : virtual_schema_.tables()) {
    View view;
    view.name = name;
    view.physical_table = table.physical;
    for (const auto& c : table.columns) view.columns.push_back({c.name, c.physical});
    plan_.views.push_back(view);
  }
  Step create;
  create.description = "create version schema " + plan_.version_schema + " with " +
                       std::to_string(plan_.views.size()) + " views";
  create.statements = ViewStatements();
  for (const auto& pending : pending_defaults_) {
    std::string view = QualifiedName(plan_.version_schema, FinalTableName(pending.table));
    std::string column = QuoteIdent(FinalColumnName(pending.table, pending.column));
    create.statements.push_back(
        "ALTER VIEW " + view + " ALTER COLUMN " + column +
        (pending.value.is_null ? " SET DEFAULT NULL" : " SET DEFAULT " + pending.value.value));
  }
  create.lock = LockLevel::kAccessShare;
  plan_.expand.push_back(create);
  version_schema_step_ = LastExpandStep();
}

// The contract switch: one transaction in which the old version disappears
// and the physical schema takes the new version's shape.
std::vector<std::string> Planner::ContractStatements() {
  // The live schema's views read the columns and views this drops: they go
  // first, and come back over the final tables at the end.
  std::vector<std::string> sql = DropLiveViewsSql();
  for (const auto& sync : plan_.syncs) {
    for (auto& s : DropDualWriteTriggerSql(plan_, sync)) sql.push_back(s);
  }
  for (const auto& previous : options_.previous_version_schemas) {
    sql.push_back("DROP SCHEMA IF EXISTS " + QuoteIdent(previous) + " CASCADE");
  }
  sql.push_back("DROP SCHEMA IF EXISTS " + QuoteIdent(plan_.version_schema) + " CASCADE");
  for (const auto& dropped : virtual_schema_.dropped_tables()) {
    sql.push_back("DROP TABLE " + Qualified(dropped));
  }
  for (const auto& [name, table] : virtual_schema_.tables()) {
    // Every physical column no view column reads any more goes: replaced
    // originals, dropped columns, the backfill marker.
    std::set<std::string> physical;
    if (const CatalogTable* original = catalog_.FindTable(table.physical)) {
      for (const auto& c : original->columns) physical.insert(c.name);
    }
    for (const auto& [c, step] : added_columns_[table.physical]) physical.insert(c);
    for (const auto& c : table.columns) physical.erase(c.physical);
    for (const auto& c : raw_sql_dropped_columns_[table.physical]) physical.erase(c);
    for (const auto& column : physical) {
      sql.push_back("ALTER TABLE " + Qualified(table) + " DROP COLUMN " + QuoteIdent(column));
    }
    // Renames go through a temporary name when a target name is still taken
    // by another column being renamed (a swap).
    std::vector<const VirtualColumn*> renamed;
    std::set<std::string> sources;
    for (const auto& c : table.columns) {
      if (c.physical != c.name) {
        renamed.push_back(&c);
        sources.insert(c.physical);
      }
    }
    for (const auto* c : renamed) {
      if (sources.count(c->name) == 0) continue;
      sql.push_back("ALTER TABLE " + Qualified(table) + " RENAME COLUMN " +
                    QuoteIdent(c->physical) + " TO " + QuoteIdent("_tandem_tmp_" + c->name));
    }
    for (const auto* c : renamed) {
      std::string from = sources.count(c->name) ? "_tandem_tmp_" + c->name : c->physical;
      sql.push_back("ALTER TABLE " + Qualified(table) + " RENAME COLUMN " + QuoteIdent(from) +
                    " TO " + QuoteIdent(c->name));
    }
    if (table.physical != name) {
      sql.push_back("ALTER TABLE " + Qualified(table) + " RENAME TO " + QuoteIdent(name));
    }
  }
  for (const auto& nn : not_nulls_) {
    std::string table = FinalQualified(nn.table);
    sql.push_back("ALTER TABLE " + table + " ALTER COLUMN " +
                  QuoteIdent(FinalColumnName(nn.table, nn.column)) + " SET NOT NULL");
    sql.push_back("ALTER TABLE " + table + " DROP CONSTRAINT " + QuoteIdent(nn.check_name));
  }
  for (const auto& ic : index_constraints_) {
    sql.push_back("ALTER TABLE " + FinalQualified(ic.table) + " ADD CONSTRAINT " +
                  QuoteIdent(ic.constraint) + (ic.primary_key ? " PRIMARY KEY" : " UNIQUE") +
                  " USING INDEX " + QuoteIdent(ic.index));
  }
  for (const auto& deferred : switch_sql_) sql.push_back(deferred());
  // The new version's views, now over columns that carry their final names.
  std::vector<View> final_views;
  for (const auto& [name, table] : virtual_schema_.tables()) {
    View view;
    view.name = view.physical_table = name;
    for (const auto& c : table.columns) view.columns.push_back({c.name, c.name});
    final_views.push_back(view);
  }
  std::swap(plan_.views, final_views);
  for (auto& s : ViewStatements()) sql.push_back(s);
  std::swap(plan_.views, final_views);
  for (auto& s : PointLiveStep("", FinalLiveViews()).statements) sql.push_back(s);
  return sql;
}

void Planner::FinishComplete() {
  plan_.after_backfill = validate_steps_;
  plan_.complete = validate_steps_;
  Step contract;
  contract.description =
      "switch: drop the old version and dual-write, give columns their "
      "final names, recreate version schema " +
      plan_.version_schema;
  contract.kind = StepKind::kSwitch;
  contract.statements = ContractStatements();
  contract.lock = LockLevel::kAccessExclusive;
  for (const auto& [name, table] : virtual_schema_.tables())
    contract.tables.push_back(table.physical);
  for (const auto& dropped : virtual_schema_.dropped_tables()) contract.tables.push_back(dropped);
  plan_.complete.push_back(contract);
  for (const auto& step : after_switch_steps_) plan_.complete.push_back(step);
  Step views = OnCompleteViewsStep();
  if (!views.statements.empty()) plan_.complete.push_back(views);
}

void Planner::AddRollbackStep(Step undo) {
  undo.undoes_expand_step = LastExpandStep();
  rollback_steps_.push_back(std::move(undo));
}

// Each rollback step drops what one expand step created, so that a start
// that stopped part-way is undone without touching objects it never made.
// The version schema goes first: the new version stops writing before its
// writes stop reaching the old columns.
void Planner::FinishRollback() {
  // The live schema first shows the old version again (if the migration
  // was switched, its views read the version schema that goes next).
  Step old_live = plan_.switch_back.front();
  old_live.description = "point live schema " + plan_.live_schema + " at the old version";
  old_live.undoes_expand_step = live_schema_step_;
  plan_.rollback.push_back(old_live);
  Step drop_version;
  drop_version.description = "drop version schema " + plan_.version_schema;
  drop_version.statements = {"DROP SCHEMA IF EXISTS " + QuoteIdent(plan_.version_schema) +
                             " CASCADE"};
  drop_version.undoes_expand_step = version_schema_step_;
  plan_.rollback.push_back(drop_version);
  for (const auto& sync : plan_.syncs) {
    Step stop_sync;
    stop_sync.description = "drop dual-write trigger on " + sync.table;
    stop_sync.statements = DropDualWriteTriggerSql(plan_, sync);
    stop_sync.tables = {sync.table};
    stop_sync.lock = LockLevel::kAccessExclusive;
    stop_sync.undoes_expand_step = trigger_steps_[sync.table];
    plan_.rollback.push_back(stop_sync);
  }
  for (auto it = rollback_steps_.rbegin(); it != rollback_steps_.rend(); ++it) {
    plan_.rollback.push_back(*it);
  }
  for (const auto& [table, columns] : added_columns_) {
    if (created_tables_.count(table) > 0) continue;
    for (const auto& [column, expand_step] : columns) {
      Step drop = TableStep(
          "drop column " + column + " added to " + table,
          "ALTER TABLE " + Qualified(table) + " DROP COLUMN IF EXISTS " + QuoteIdent(column), table,
          LockLevel::kAccessExclusive);
      drop.undoes_expand_step = expand_step;
      plan_.rollback.push_back(drop);
    }
  }
  // A live schema of an earlier migration stays, over the old version.
  if (!LiveSchemaExisted()) plan_.rollback.push_back(DropLiveSchemaStep());
}

}  // namespace tandem::plan
