// What the body of a function or procedure uses, read with the PostgreSQL
// parser (SQL bodies, BEGIN ATOMIC bodies and PL/pgSQL, whose embedded
// statements and expressions are parsed in turn): the relations it names
// and the column names it refers to. The hidden-reader audit (readers/)
// matches them against what `complete` retires.
//
// Names are compared as PostgreSQL folds them (the parser has already
// lower-cased unquoted ones). SQL built at run time (EXECUTE of a string)
// cannot be read and is not counted. Thread-compatible.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "lint/raw_sql.h"

namespace tandem::lint {

struct BodyReferences {
  std::vector<RelationName> relations;  // every table or view named (FROM, INSERT INTO...)
  // The last name of every column reference (`age`, `u.age`, `NEW.age`),
  // the columns INSERT and UPDATE name, and PL/pgSQL record fields.
  std::set<std::string> columns;
  // Embedded statements or expressions the parser could not read.
  std::vector<std::string> unread;
  // A BEGIN ATOMIC body: the server keeps it parsed, with dependencies on
  // what it uses (so dropping those fails) and following their renames.
  bool parsed_by_server = false;
};

// `definition` is one whole CREATE FUNCTION or CREATE PROCEDURE statement,
// as pg_get_functiondef() gives it. Bodies in languages other than SQL and
// PL/pgSQL give nothing. Errors (kInvalidInput) when the statement itself
// does not parse.
Result<BodyReferences> FunctionBodyReferences(std::string_view definition);

// The same for one or more plain SQL statements.
Result<BodyReferences> StatementReferences(std::string_view sql);

// True when `refs` names relation `name` of `schema`: qualified by it, or
// unqualified (which the search_path may resolve to it).
bool NamesRelation(const BodyReferences& refs, const std::string& schema, const std::string& name);

// True when `refs` names any relation qualified by `schema`.
bool NamesSchema(const BodyReferences& refs, const std::string& schema);

}  // namespace tandem::lint
