// sql: raw SQL, read with the PostgreSQL parser so that the tables and
// columns it adds reach the new version's views, what it creates is undone
// by rollback even without `down`, and what it destroys is flagged.
#include "common/strings.h"
#include "lint/raw_sql.h"
#include "plan/planner_internal.h"
#include "plan/source_lines.h"

namespace tandem::plan {

bool Planner::InMigratedSchema(const lint::RawStatement& statement) const {
  return !statement.table.empty() &&
         (statement.schema.empty() || statement.schema == options_.schema);
}

// `up` runs before the version schema is created: its new tables and
// columns join the virtual schema, and so the views.
void Planner::AddRawSqlRelations(const std::vector<lint::RawStatement>& statements) {
  for (const auto& s : statements) {
    for (const auto& dropped : s.dropped_tables) {
      if (dropped.schema.empty() || dropped.schema == options_.schema) {
        virtual_schema_.ForgetTable(dropped.name);
        raw_sql_dropped_tables_.insert(dropped.name);
      }
    }
    if (!InMigratedSchema(s) || !s.columns_known) continue;
    if (s.creates_table) {
      VirtualTable table{s.table, s.table, true, {}, {}};
      for (const auto& c : s.columns) {
        table.columns.push_back({c.name, c.name, c.type, !c.not_null});
        if (c.primary_key) table.key_columns.push_back(c.name);
      }
      new_relation_names_.insert(s.table);
      virtual_schema_.AddTable(std::move(table));
      continue;
    }
    VirtualTable* table = virtual_schema_.FindTable(s.table);
    if (table == nullptr || table->physical != s.table) continue;
    for (const auto& dropped : s.dropped_columns) {
      std::erase_if(table->columns, [&](const VirtualColumn& c) { return c.physical == dropped; });
      raw_sql_dropped_columns_[s.table].insert(dropped);
    }
    for (const auto& c : s.columns) {
      if (table->FindColumn(c.name) == nullptr) {
        table->columns.push_back({c.name, c.name, c.type, !c.not_null});
      }
    }
  }
}

void Planner::FlagIrreversible(const Operation& op,
                               const std::vector<lint::RawStatement>& statements) {
  SourcePos up = op.at.At("up");
  for (const auto& s : statements) {
    if (s.effect != lint::Effect::kDestroys) continue;
    std::string where = migration_.file;
    if (up.line > 0)
      where += ":" + std::to_string(ScalarPosition(migration_.content, up, s.line, 1).line);
    where += ": operations[" + std::to_string(op_index_) + "]." + op.kind + ".up";
    plan_.irreversible.push_back({s.rule, where, s.text, s.what});
  }
}

Status Planner::RawSqlOp(const Operation& op, const RawSql& body) {
  auto described = lint::DescribeStatements(body.up);
  if (!described.ok()) return ErrorAt(op, "up", described.status().message());
  for (const auto& s : *described) {
    if (InMigratedSchema(s) && !s.creates_table) {
      raw_sql_columns_[s.table] += static_cast<int>(s.columns.size());
    }
  }
  Step step;
  step.description = body.on_complete ? "run sql (on complete)" : "run sql";
  step.statements.push_back(body.up);
  // tandem cannot see what raw SQL locks: assume the worst in `plan` output.
  step.lock = LockLevel::kAccessExclusive;
  if (body.on_complete) {
    after_switch_steps_.push_back(step);
    for (const auto& s : *described) {
      if (InMigratedSchema(s) && s.columns_known) on_complete_relations_.push_back(s);
    }
    return Status::Ok();
  }
  plan_.expand.push_back(step);
  AddRawSqlRelations(*described);
  FlagIrreversible(op, *described);
  Step undo = step;
  undo.description = "run sql down";
  undo.statements = {body.down};
  if (body.down.empty()) {
    undo.description = "undo sql (derived from what it created)";
    undo.statements = lint::UndoOf(*described);
  }
  if (!undo.statements.empty()) {
    AddRollbackStep(undo);
    return Status::Ok();
  }
  plan_.warnings.push_back("operation " + std::to_string(op_index_) +
                           " runs raw SQL that does more than create objects: tandem cannot "
                           "undo it on rollback without `down`");
  return Status::Ok();
}

}  // namespace tandem::plan
