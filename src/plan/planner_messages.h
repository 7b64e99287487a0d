// What every planner (PostgreSQL, SQLite) says the same way: where in the
// file an operation's field is, and the errors about names.
#pragma once

#include <string>

#include "plan/migration.h"
#include "plan/virtual_schema.h"

namespace tandem::plan {

// "FILE:LINE:COL: operations[i].kind.field", for messages.
std::string OperationWhere(const std::string& file, int op_index, const Operation& op,
                           const std::string& field);

// "column "c" does not exist in table "t"; its columns are: ..."
std::string UnknownColumnMessage(const VirtualTable& table, const std::string& column);

// Why `column` of `table` cannot be dropped (it is part of the key), or "".
std::string KeyColumnDropProblem(const VirtualTable& table, const VirtualColumn& column);

// Why `column` cannot be added to `table` (taken, or reserved), or "".
std::string NewColumnNameProblem(const VirtualTable& table, const std::string& column);

}  // namespace tandem::plan
