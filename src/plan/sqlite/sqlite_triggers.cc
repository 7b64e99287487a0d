#include "plan/sqlite/sqlite_triggers.h"

#include <functional>

#include "common/strings.h"
#include "plan/sync_inputs.h"

namespace tandem::plan::sqlite {
namespace {

constexpr char kPending[] = "'N'";  // written through the view, `down` not applied yet
// Written by the in-place up trigger, which marks the row 'o' next: a
// marker the statement did not set tells an application's write apart.
constexpr char kRecomputing[] = "'O'";

std::string Marker(const std::string& row) { return row + "." + QuoteIdent(kWrittenByColumn); }

std::vector<std::string> QuotedAll(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const auto& n : names) quoted.push_back(QuoteIdent(n));
  return quoted;
}

std::string TriggerName(const std::string& kind, const std::string& table) {
  return QuoteIdent("_tandem_" + kind + "_" + table);
}

// `"target" = (expression), ...` of the up columns, then the marker.
std::string UpAssignments(const TableSync& sync, const char* marker = kWrittenByOld) {
  std::vector<std::string> set;
  for (const auto& c : sync.up) set.push_back(QuoteIdent(c.target) + " = (" + c.expression + ")");
  set.push_back(QuoteIdent(kWrittenByColumn) + " = " + marker);
  return Join(set, ", ");
}

// True (SQL) when the row is not in the state the up triggers leave behind.
std::string OutOfSync(const TableSync& sync) {
  std::vector<std::string> any = {Marker("NEW") + " IS NOT " + kWrittenByOld};
  for (const auto& c : sync.up) {
    any.push_back("NEW." + QuoteIdent(c.target) + " IS NOT (" + c.expression + ")");
  }
  return "(" + Join(any, " OR ") + ")";
}

// What a trigger on the view writes for a column (view name, physical).
using ColumnValue = std::function<std::string(const std::string&, const std::string&)>;

// An expression over NEW."physical" (a `down`, a guard) as the view's
// trigger reads it: each column replaced by `value`. Placeholders first, so
// that a name that is another column's physical name is not replaced twice.
std::string ForView(std::string expression, const ViewWrites& view, const ColumnValue& value) {
  for (size_t i = 0; i < view.columns.size(); ++i) {
    expression = ReplaceAll(expression, "NEW." + QuoteIdent(view.columns[i].second),
                            "\x01" + std::to_string(i) + "\x01");
  }
  for (size_t i = 0; i < view.columns.size(); ++i) {
    const auto& [name, physical] = view.columns[i];
    expression = ReplaceAll(expression, "\x01" + std::to_string(i) + "\x01", value(name, physical));
  }
  return expression;
}

// Inside the view's trigger NEW carries the view's names.
std::string NewOfView(const std::string& name, const std::string&) {
  return "NEW." + QuoteIdent(name);
}

std::string ForView(const std::string& expression, const ViewWrites& view) {
  return ForView(expression, view, NewOfView);
}

// What an insert writes: a view has no defaults of its own, so an omitted
// column arrives as NULL and gets the table's default.
std::string InsertValue(const ViewWrites& view, const std::string& name,
                        const std::string& physical) {
  auto d = view.defaults.find(physical);
  return d == view.defaults.end() ? "NEW." + QuoteIdent(name)
                                  : "coalesce(NEW." + QuoteIdent(name) + ", " + d->second + ")";
}

// Refuses a row that breaks a guarded constraint, as SQLite would.
std::string Guards(const ViewWrites& view, const ColumnValue& value) {
  std::string sql;
  for (const auto& [message, violation] : view.guards) {
    sql += "  SELECT RAISE(ABORT, " + QuoteLiteral(message) + ") WHERE " +
           ForView(violation, view, value) + ";\n";
  }
  return sql;
}

std::string ViewName(const ViewWrites& view, const std::string& physical) {
  for (const auto& [name, p] : view.columns) {
    if (p == physical) return name;
  }
  return physical;
}

std::string KeyMatch(const ViewWrites& view, const std::string& row) {
  std::vector<std::string> match;
  for (const auto& k : view.key) {
    match.push_back(QuoteIdent(k) + " = " + row + "." + QuoteIdent(ViewName(view, k)));
  }
  return Join(match, " AND ");
}

// Refuses NULL where the new version declares NOT NULL, with SQLite's own
// message for the column as the user names it (what the table says after
// complete).
std::string RequiredChecks(const ViewWrites& view, const ColumnValue& value) {
  std::string sql;
  for (const auto& [name, physical] : view.columns) {
    if (view.required.count(physical) == 0) continue;
    sql += "  SELECT RAISE(ABORT, " +
           QuoteLiteral("NOT NULL constraint failed: " + view.name + "." + name) + ") WHERE (" +
           value(name, physical) + ") IS NULL;\n";
  }
  return sql;
}

bool IsUpTarget(const ViewWrites& view, const std::string& physical) {
  if (!view.sync) return false;
  for (const auto& c : view.sync->up) {
    if (c.target == physical) return true;
  }
  return false;
}

// What an update through the view leaves in a column: what the statement
// set, or for a new column it left as it was, what the table holds (`up`
// after StoreUp; the view's OLD was read before that). `stored` is the
// SQL of the table's value of a physical column.
ColumnValue UpdateValue(const ViewWrites& view,
                        std::function<std::string(const std::string&)> stored) {
  return [&view, stored](const std::string& name, const std::string& physical) {
    std::string set = "NEW." + QuoteIdent(name);
    if (!IsUpTarget(view, physical)) return set;
    return "CASE WHEN " + set + " IS NOT OLD." + QuoteIdent(name) + " THEN " + set + " ELSE " +
           stored(physical) + " END";
  };
}

// Stores `up` in the new columns of the row if the backfill has not reached
// it. The expressions read NEW."col": the alias `new` of the subquery wins
// over the trigger's NEW.
std::string StoreUp(const ViewWrites& view) {
  if (!view.sync || view.sync->up.empty()) return "";
  std::vector<std::string> targets;
  std::vector<std::string> values;
  for (const auto& c : view.sync->up) {
    targets.push_back(QuoteIdent(c.target));
    values.push_back("(" + c.expression + ")");
  }
  std::string table = QuoteIdent(view.table);
  std::string row = KeyMatch(view, "OLD");
  return "  UPDATE " + table + " SET (" + Join(targets, ", ") + ") = (SELECT " +
         Join(values, ", ") + " FROM " + table + " AS new WHERE " + row + ") WHERE " + row +
         " AND " + QuoteIdent(kWrittenByColumn) + " IS NULL;\n";
}

std::string InsertTrigger(const ViewWrites& view) {
  std::vector<std::string> targets;
  std::vector<std::string> values;
  for (const auto& [name, physical] : view.columns) {
    targets.push_back(QuoteIdent(physical));
    values.push_back(InsertValue(view, name, physical));
  }
  if (view.sync) {
    for (const auto& c : view.sync->down) {
      targets.push_back(QuoteIdent(c.target));
      values.push_back("(" + ForView(c.expression, view) + ")");
    }
    targets.push_back(QuoteIdent(kWrittenByColumn));
    values.push_back(kWrittenByNew);
  }
  ColumnValue value = [&view](const std::string& name, const std::string& physical) {
    return InsertValue(view, name, physical);
  };
  return "CREATE TRIGGER " + QuoteIdent(view.view + "_insert") + " INSTEAD OF INSERT ON " +
         QuoteIdent(view.view) + " BEGIN\n" + RequiredChecks(view, value) + Guards(view, value) +
         "  INSERT INTO " + QuoteIdent(view.table) + " (" + Join(targets, ", ") + ") VALUES (" +
         Join(values, ", ") + ");\nEND";
}

std::string UpdateTrigger(const ViewWrites& view) {
  std::string table = QuoteIdent(view.table);
  std::string row = KeyMatch(view, "OLD");
  ColumnValue checked = UpdateValue(view, [&](const std::string& physical) {
    return "(SELECT " + QuoteIdent(physical) + " FROM " + table + " WHERE " + row + ")";
  });
  // Inside the UPDATE of the row, its columns are the table's values.
  ColumnValue written =
      UpdateValue(view, [](const std::string& physical) { return QuoteIdent(physical); });
  std::string body = StoreUp(view) + RequiredChecks(view, checked) + Guards(view, checked);
  std::vector<std::string> set;
  for (const auto& [name, physical] : view.columns) {
    set.push_back(QuoteIdent(physical) + " = " + written(name, physical));
  }
  if (view.sync) {
    for (const auto& c : view.sync->down) {
      set.push_back(QuoteIdent(c.target) + " = (" + ForView(c.expression, view, written) + ")");
    }
    set.push_back(QuoteIdent(kWrittenByColumn) + " = " + kPending);
  }
  body += "  UPDATE " + table + " SET " + Join(set, ", ") + " WHERE " + row + ";\n";
  if (view.sync) {
    body += "  UPDATE " + table + " SET " + QuoteIdent(kWrittenByColumn) + " = " + kWrittenByNew +
            " WHERE " + KeyMatch(view, "NEW") + ";\n";
  }
  return "CREATE TRIGGER " + QuoteIdent(view.view + "_update") + " INSTEAD OF UPDATE ON " +
         QuoteIdent(view.view) + " BEGIN\n" + body + "END";
}

}  // namespace

std::vector<std::string> CreateBaseTriggerSql(const TableSync& sync,
                                              const std::vector<std::string>& old_columns) {
  std::string table = QuoteIdent(sync.table);
  std::string update =
      "UPDATE " + table + " SET " + UpAssignments(sync) + " WHERE rowid = NEW.rowid";
  std::vector<std::string> sql = {
      "CREATE TRIGGER " + TriggerName("up_insert", sync.table) + " AFTER INSERT ON " + table +
          " WHEN " + Marker("NEW") + " IS NULL BEGIN\n  " + update + ";\nEND",
  };
  // An update of a column `up` and `down` neither read nor set leaves the
  // row as consistent as it was: it need not run `up`.
  std::vector<std::string> inputs = SyncInputs(sync, old_columns);
  if (inputs.empty()) return sql;
  sql.push_back("CREATE TRIGGER " + TriggerName("up_update", sync.table) + " AFTER UPDATE OF " +
                Join(QuotedAll(inputs), ", ") + " ON " + table + " WHEN " + Marker("NEW") +
                " IS NOT " + kPending + " AND " + Marker("OLD") + " IS NOT " + kPending + " AND " +
                OutOfSync(sync) + " BEGIN\n  " + update + ";\nEND");
  return sql;
}

std::vector<std::string> CreateInPlaceTriggerSql(const TableSync& sync,
                                                 const std::vector<std::string>& old_columns) {
  std::string table = QuoteIdent(sync.table);
  std::string row = " WHERE rowid = NEW.rowid";
  std::vector<std::string> targets, left_null, fill, fill_unreached, changed, unchanged;
  for (const auto& c : sync.up) {
    std::string t = QuoteIdent(c.target);
    std::string filled = "coalesce(NEW." + t + ", (" + c.expression + "))";
    targets.push_back(t);
    left_null.push_back("NEW." + t + " IS NULL");
    fill.push_back(t + " = " + filled);
    fill_unreached.push_back(t + " = CASE WHEN " + Marker("OLD") + " IS NULL THEN " + filled +
                             " ELSE NEW." + t + " END");
    changed.push_back("NEW." + t + " IS NOT OLD." + t);
    unchanged.push_back("NEW." + t + " IS OLD." + t);
  }
  std::string marker = QuoteIdent(kWrittenByColumn);
  std::vector<std::string> sql = {
      "CREATE TRIGGER " + TriggerName("up_insert", sync.table) + " AFTER INSERT ON " + table +
          " WHEN " + Marker("NEW") + " IS NULL BEGIN\n  UPDATE " + table + " SET " +
          Join(fill, ", ") + ", " + marker + " = CASE WHEN " + Join(left_null, " AND ") + " THEN " +
          kWrittenByOld + " ELSE " + kWrittenByNew + " END" + row + ";\nEND",
      // The backfill's and these triggers' own writes set the marker, an
      // application never does.
      "CREATE TRIGGER " + TriggerName("new_update", sync.table) + " AFTER UPDATE OF " +
          Join(targets, ", ") + " ON " + table + " WHEN " + Marker("NEW") + " IS " + Marker("OLD") +
          " AND " + Marker("NEW") + " IS NOT " + kWrittenByNew + " AND (" + Join(changed, " OR ") +
          ") BEGIN\n  UPDATE " + table + " SET " + Join(fill_unreached, ", ") + ", " + marker +
          " = " + kWrittenByNew + row + ";\nEND"};
  std::vector<std::string> inputs = SyncInputs(sync, old_columns);
  if (inputs.empty()) return sql;
  sql.push_back("CREATE TRIGGER " + TriggerName("up_update", sync.table) + " AFTER UPDATE OF " +
                Join(QuotedAll(inputs), ", ") + " ON " + table + " WHEN " + Marker("NEW") +
                " IS NOT " + kWrittenByNew + " AND " + Join(unchanged, " AND ") + " AND " +
                OutOfSync(sync) + " BEGIN\n  UPDATE " + table + " SET " +
                UpAssignments(sync, kRecomputing) + row + ";\n  UPDATE " + table + " SET " +
                marker + " = " + kWrittenByOld + row + ";\nEND");
  return sql;
}

std::vector<std::string> DropBaseTriggerSql(const TableSync& sync) {
  return {"DROP TRIGGER IF EXISTS " + TriggerName("up_insert", sync.table),
          "DROP TRIGGER IF EXISTS " + TriggerName("up_update", sync.table),
          "DROP TRIGGER IF EXISTS " + TriggerName("new_update", sync.table)};
}

std::vector<std::string> CreateViewSql(const ViewWrites& view) {
  std::vector<std::string> columns;
  for (const auto& [name, physical] : view.columns) {
    columns.push_back(QuoteIdent(physical) + " AS " + QuoteIdent(name));
  }
  std::vector<std::string> sql = {"CREATE VIEW " + QuoteIdent(view.view) + " AS SELECT " +
                                      Join(columns, ", ") + " FROM " + QuoteIdent(view.table),
                                  InsertTrigger(view)};
  if (view.key.empty()) return sql;
  sql.push_back(UpdateTrigger(view));
  sql.push_back("CREATE TRIGGER " + QuoteIdent(view.view + "_delete") + " INSTEAD OF DELETE ON " +
                QuoteIdent(view.view) + " BEGIN\n  DELETE FROM " + QuoteIdent(view.table) +
                " WHERE " + KeyMatch(view, "OLD") + ";\nEND");
  return sql;
}

}  // namespace tandem::plan::sqlite
