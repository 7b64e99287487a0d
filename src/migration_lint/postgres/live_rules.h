// The rules only the live database answers (TD201-TD203), over the
// questions the SQL and file rules asked (lint::LiveQuestion): is a table
// that a statement rewrites large, does a view read what it drops or
// renames, does the table have column numbers left. Reads the catalog only.
#pragma once

#include <string>
#include <vector>

#include "backends/backend.h"
#include "common/status.h"
#include "lint/sql_rules.h"

namespace tandem::migration_lint {

struct LiveOptions {
  std::string schema = "public";  // of unqualified tables
  long long large_table_bytes = 16LL << 20;
};

// The findings for `questions` of `file`, at their positions. Tables that
// do not exist (yet) give none.
Result<std::vector<lint::Finding>> AnswerQuestions(backend::Connection& conn,
                                                   const std::string& file,
                                                   const std::vector<lint::LiveQuestion>& questions,
                                                   const LiveOptions& options);

}  // namespace tandem::migration_lint
