// The constraints and indexes of a column that a migration replaces with a
// shadow copy. Left on the original, they would go at complete with it; so
// they are recreated on the copy during expand under temporary names (the
// new version is held to them from then on) and take their own names back
// in the contract switch, once the originals are gone.
#include <algorithm>

#include "common/strings.h"
#include "lint/pg_parse.h"
#include "plan/planner_internal.h"
#include "plan/sql_clauses.h"

namespace tandem::plan {
namespace {

constexpr char kCopyPrefix[] = "_tandem_";

std::string CopyName(const std::string& name) {
  std::string copy = kCopyPrefix + name;
  if (copy.size() > 63) copy.resize(63);
  return copy;
}

std::string WithoutSuffix(std::string text, const std::string& suffix) {
  if (EndsWith(text, suffix)) text.resize(text.size() - suffix.size());
  return text;
}

// `statement`, run only while constraint `name` of `table` exists.
std::string IfConstraintExists(const std::string& table, const std::string& name,
                               const std::string& statement) {
  return "DO $tandem$ BEGIN IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = " +
         QuoteLiteral(table) + "::regclass AND conname = " + QuoteLiteral(name) + ") THEN " +
         statement + "; END IF; END $tandem$";
}

bool Covers(const std::vector<std::string>& columns,
            const std::map<std::string, std::string>& shadows) {
  return std::any_of(columns.begin(), columns.end(),
                     [&](const std::string& c) { return shadows.count(c) > 0; });
}

}  // namespace

void Planner::FinishCarryOver() {
  for (const auto& entry : shadows_) {
    const std::string& physical = entry.first;
    const std::map<std::string, std::string>& shadows = entry.second;
    const CatalogTable* original = catalog_.FindTable(physical);
    const VirtualTable* table = nullptr;
    for (const auto& [name, t] : virtual_schema_.tables()) {
      if (t.physical == physical) table = &t;
    }
    if (original == nullptr || table == nullptr) continue;  // the table is dropped
    // Columns the new version still has, by their physical names.
    std::set<std::string> kept;
    for (const auto& c : table->columns) kept.insert(c.physical);
    const std::set<std::string>& dropped = dropped_on_purpose_[physical];
    lint::ColumnResolver rename = [&](const std::string& column) -> std::optional<std::string> {
      auto it = shadows.find(column);
      if (it == shadows.end()) return std::nullopt;
      return QuoteIdent(it->second);
    };
    auto still_there = [&](const std::string& column) {
      auto it = shadows.find(column);
      return kept.count(it == shadows.end() ? column : it->second) > 0;
    };
    std::set<std::string> handled;  // indexes that back a constraint
    for (const auto& constraint : original->constraints) {
      handled.insert(constraint.name);
      if (constraint.type == 'p' || dropped.count(constraint.name) > 0 ||
          StartsWith(constraint.name, kCopyPrefix) || !Covers(constraint.columns, shadows)) {
        continue;
      }
      bool whole = std::all_of(constraint.columns.begin(), constraint.columns.end(), still_there);
      Status carried = whole ? CarryConstraintOver(*table, *original, constraint, rename)
                             : Status::Refused("a column of it is dropped");
      if (!carried.ok()) {
        plan_.warnings.push_back("constraint " + constraint.name + " of " + table->name +
                                 " goes away at complete with the columns it covers (" +
                                 carried.message() + ")");
      }
    }
    // An invalid index (what a failed concurrent build leaves) holds
    // nothing; it is not copied.
    for (const auto& index : original->indexes) {
      if (index.primary || !index.valid || handled.count(index.name) > 0 ||
          dropped.count(index.name) > 0 || StartsWith(index.name, kCopyPrefix)) {
        continue;
      }
      bool whole = std::all_of(index.columns.begin(), index.columns.end(),
                               [&](const std::string& c) { return c.empty() || still_there(c); });
      if (whole) {
        CarryIndexOver(*table, index, rename);
      } else if (Covers(index.columns, shadows)) {
        plan_.warnings.push_back("index " + index.name + " of " + table->name +
                                 " goes away at complete with the columns it covers (a column "
                                 "of it is dropped)");
      }
    }
  }
}

Status Planner::CarryConstraintOver(const VirtualTable& table, const CatalogTable& original,
                                    const CatalogConstraint& constraint,
                                    const lint::ColumnResolver& rename) {
  std::string copy = CopyName(constraint.name);
  std::string definition = WithoutSuffix(constraint.definition, " NOT VALID");
  std::vector<std::string> columns;
  for (const auto& c : constraint.columns) columns.push_back(rename(c).value_or(QuoteIdent(c)));
  if (constraint.type == 'u') {
    for (const auto& index : original.indexes) {
      if (index.name != constraint.name) continue;
      index_constraints_.push_back({table.physical, copy, constraint.name, false});
      AddIndexCopy(table, copy, index.definition, rename);
      return Status::Ok();
    }
    return Status::Refused("its index was not found");
  }
  std::string sql;
  LockLevel lock = LockLevel::kAccessExclusive;
  if (constraint.type == 'c' && StartsWith(definition, "CHECK ")) {
    std::string tail = EndsWith(definition, " NO INHERIT") ? " NO INHERIT" : "";
    definition = WithoutSuffix(definition, tail).substr(6);
    auto check = lint::RewriteColumnRefs(definition, rename);
    if (!check.ok()) return check.status();
    sql = "CHECK " + *check + tail;
  } else if (constraint.type == 'f' && definition.find(" REFERENCES ") != std::string::npos) {
    sql = "FOREIGN KEY (" + Join(columns, ", ") + ")" +
          definition.substr(definition.find(" REFERENCES "));
    lock = LockLevel::kShareRowExclusive;
  } else {
    return Status::Refused("tandem cannot recreate this kind of constraint on a new column");
  }
  AddNotValidConstraint(table, copy, sql, lock, {table.physical});
  // A check may not apply to a column's new type (length() of an integer):
  // as in pgroll, it is then left out rather than failing start.
  bool may_not_fit = constraint.type == 'c' && TypeChanged(table, original, constraint.columns);
  if (may_not_fit) {
    std::string& add = constraint_steps_.back().statements.back();
    add = "DO $tandem$ BEGIN " + add +
          "; EXCEPTION WHEN undefined_function OR datatype_mismatch THEN NULL; END $tandem$";
    std::string& validate = validate_steps_.back().statements.back();
    validate = IfConstraintExists(Qualified(table), copy, validate);
    plan_.warnings.push_back("constraint " + constraint.name + " of " + table.name +
                             " is kept under the new type only if it applies to it; otherwise "
                             "it is left out (as in pgroll)");
  }
  // A constraint the original never validated is not validated now either:
  // rows it would refuse may be there on purpose.
  if (!constraint.validated) validate_steps_.pop_back();
  RenameCopyAtComplete(table, copy, constraint.name, false, may_not_fit);
  return Status::Ok();
}

bool Planner::TypeChanged(const VirtualTable& table, const CatalogTable& original,
                          const std::vector<std::string>& columns) const {
  const auto& shadows = shadows_.at(table.physical);
  for (const auto& name : columns) {
    auto shadow = shadows.find(name);
    const CatalogColumn* before = original.FindColumn(name);
    if (shadow == shadows.end() || before == nullptr) continue;
    for (const auto& c : table.columns) {
      if (c.physical == shadow->second && c.type != before->type) return true;
    }
  }
  return false;
}

void Planner::CarryIndexOver(const VirtualTable& table, const CatalogIndex& index,
                             const lint::ColumnResolver& rename) {
  // Expression and partial indexes list no column for their expressions:
  // whether one reads a shadowed column shows in its definition.
  size_t using_at = index.definition.find(" USING ");
  if (using_at == std::string::npos) return;
  std::string tail = index.definition.substr(using_at);
  if (RenameColumnsInSql(tail, rename) == tail) return;
  std::string copy = CopyName(index.name);
  AddIndexCopy(table, copy, index.definition, rename);
  RenameCopyAtComplete(table, copy, index.name, true);
}

void Planner::AddIndexCopy(const VirtualTable& table, const std::string& name,
                           const std::string& definition, const lint::ColumnResolver& rename) {
  size_t using_at = definition.find(" USING ");
  std::string unique = StartsWith(definition, "CREATE UNIQUE ") ? "UNIQUE " : "";
  Step build =
      TableStep("build index " + name + " on the new columns concurrently",
                "CREATE " + unique + "INDEX CONCURRENTLY " + QuoteIdent(name) + " ON " +
                    Qualified(table) + RenameColumnsInSql(definition.substr(using_at), rename),
                table.physical, LockLevel::kShareUpdateExclusive);
  build.concurrent = true;
  build.index_to_clean = name;
  plan_.expand.push_back(build);
  new_relation_names_.insert(name);
}

void Planner::RenameCopyAtComplete(const VirtualTable& table, const std::string& copy,
                                   const std::string& name, bool is_index, bool may_be_absent) {
  std::string physical_table = table.physical;
  switch_sql_.push_back([this, physical_table, copy, name, is_index, may_be_absent] {
    if (is_index) {
      return "ALTER INDEX " + QualifiedName(options_.schema, copy) + " RENAME TO " +
             QuoteIdent(name);
    }
    std::string table = FinalQualified(physical_table);
    std::string rename = "ALTER TABLE " + table + " RENAME CONSTRAINT " + QuoteIdent(copy) +
                         " TO " + QuoteIdent(name);
    return may_be_absent ? IfConstraintExists(table, copy, rename) : rename;
  });
}

}  // namespace tandem::plan
