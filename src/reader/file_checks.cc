#include "reader/file_checks.h"

#include <map>
#include <string>
#include <utility>
#include <variant>

namespace tandem::reader {
namespace {

// Where one use of a name was, to point back at it from a clash.
struct Use {
  plan::SourcePos pos;
  std::string path;
};

// One operation being visited: its key path prefix and field positions.
struct OpContext {
  std::string path;  // "operations[3].create_index"
  const plan::Positions& at;

  Use Field(const std::string& field) const { return {at.At(field), path + "." + field}; }
};

bool CreatesIndex(const std::string& constraint_type) {
  return constraint_type == "unique" || constraint_type == "primary_key" ||
         constraint_type == "exclude";
}

// The names the file has created so far. PostgreSQL keeps index names (and
// so the names of constraints backed by an index) unique per schema, and
// constraint names unique per table.
class NameRegistry {
 public:
  explicit NameRegistry(ErrorSink* errors) : errors_(errors) {}

  void Visit(const plan::Operation& op, size_t index) {
    OpContext ctx{"operations[" + std::to_string(index) + "]." + op.kind, op.at};
    std::visit([&](const auto& body) { On(body, ctx); }, op.body);
  }

 private:
  void On(const plan::CreateTable& op, const OpContext& ctx) {
    AddTable(op.name, ctx.Field("name"));
    for (size_t i = 0; i < op.columns.size(); ++i) {
      AddColumnConstraints(op.name, op.columns[i],
                           ctx.path + ".columns[" + std::to_string(i) + "]");
    }
    for (size_t i = 0; i < op.constraints.size(); ++i) {
      const plan::ConstraintDef& c = op.constraints[i];
      std::string path = ctx.path + ".constraints[" + std::to_string(i) + "].name";
      AddConstraint(op.name, c.name, {c.at.At("name"), path}, CreatesIndex(c.type));
    }
  }
  void On(const plan::AddColumn& op, const OpContext& ctx) {
    AddColumnConstraints(op.table, op.column, ctx.path + ".column");
  }
  void On(const plan::AlterColumn& op, const OpContext& ctx) {
    if (op.check) AddConstraint(op.table, op.check->name, ctx.Field("check.name"), false);
    if (op.unique) AddConstraint(op.table, op.unique->name, ctx.Field("unique.name"), true);
    if (op.references) {
      AddConstraint(op.table, op.references->name, ctx.Field("references.name"), false);
    }
  }
  void On(const plan::CreateIndex& op, const OpContext& ctx) {
    AddIndex(op.name, ctx.Field("name"));
  }
  void On(const plan::CreateConstraint& op, const OpContext& ctx) {
    AddConstraint(op.table, op.constraint.name, ctx.Field("name"),
                  CreatesIndex(op.constraint.type));
  }
  void On(const plan::DropIndex& op, const OpContext&) { indexes_.erase(op.name); }
  void On(const plan::DropConstraint& op, const OpContext&) { Forget(op.table, op.name); }
  void On(const plan::DropMultiColumnConstraint& op, const OpContext&) {
    Forget(op.table, op.name);
  }
  void On(const plan::RenameConstraint& op, const OpContext& ctx) {
    Forget(op.table, op.from);
    AddConstraint(op.table, op.to, ctx.Field("to"), false);
  }
  void On(const plan::DropTable& op, const OpContext&) {
    tables_.erase(op.name);
    std::erase_if(constraints_, [&](const auto& entry) { return entry.first.first == op.name; });
  }
  template <typename Other>
  void On(const Other&, const OpContext&) {}

  void AddColumnConstraints(const std::string& table, const plan::ColumnDef& column,
                            const std::string& path) {
    if (column.check) {
      AddConstraint(table, column.check->name, {column.check->at.At("name"), path + ".check.name"},
                    false);
    }
    if (column.references && !column.references->name.empty()) {
      AddConstraint(table, column.references->name,
                    {column.references->at.At("name"), path + ".references.name"}, false);
    }
  }

  void AddTable(const std::string& name, const Use& use) {
    auto [it, inserted] = tables_.emplace(name, use);
    if (inserted) return;
    Clash(use, "table \"" + name + "\" is created twice in this file (first at " +
                   Where(it->second) + "); remove one create_table or give it another name");
  }

  void AddIndex(const std::string& name, const Use& use) {
    auto [it, inserted] = indexes_.emplace(name, use);
    if (inserted) return;
    Clash(use, "index name \"" + name + "\" is already used in this file (at " + Where(it->second) +
                   "); indexes, and constraints backed by one, share one namespace per "
                   "schema, so choose another name");
  }

  void AddConstraint(const std::string& table, const std::string& name, const Use& use,
                     bool creates_index) {
    if (name.empty()) return;
    auto [it, inserted] = constraints_.emplace(std::make_pair(table, name), use);
    if (!inserted) {
      Clash(use, "constraint \"" + name + "\" is defined twice on table \"" + table +
                     "\" in this file (first at " + Where(it->second) + "); choose another name");
    }
    if (creates_index) AddIndex(name, use);
  }

  void Forget(const std::string& table, const std::string& name) {
    constraints_.erase({table, name});
    indexes_.erase(name);
  }

  static std::string Where(const Use& use) {
    return use.path + ", line " + std::to_string(use.pos.line);
  }

  void Clash(const Use& use, const std::string& problem) {
    errors_->Report(use.pos, use.path, problem);
  }

  ErrorSink* errors_;
  std::map<std::string, Use> tables_;
  std::map<std::string, Use> indexes_;
  std::map<std::pair<std::string, std::string>, Use> constraints_;
};

}  // namespace

void CheckAcrossOperations(const plan::Migration& migration, ErrorSink* errors) {
  NameRegistry names(errors);
  for (size_t i = 0; i < migration.operations.size() && !errors->failed(); ++i) {
    names.Visit(migration.operations[i], i);
  }
}

}  // namespace tandem::reader
