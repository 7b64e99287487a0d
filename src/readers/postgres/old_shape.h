// Whether one SQL statement an application ran uses the old shape: a table
// complete drops or renames, a column of it (named, or through `*`), or a
// view of the old version's schema. Read with the PostgreSQL parser; shared
// by the live sessions' statements (session_readers.h) and the statements
// the server counted (statement_readers.h).
#pragma once

#include <string>

#include "plan/plan.h"

namespace tandem::readers::postgres {

// What of the old shape `sql` uses, in words ("column public.users.age,
// which complete drops"); "" when nothing, or when `sql` does not parse
// (cut short, or not SQL).
std::string OldShapeUse(const std::string& sql, const plan::Plan& plan);

}  // namespace tandem::readers::postgres
