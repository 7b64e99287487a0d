// Application code that still names what `complete` retires: the old
// column and table names in the files of a directory, as SQL identifiers
// and as an ORM's field and model names (first_name, firstName, FirstName;
// users, User). `tandem readers --scan DIR` and `complete --scan DIR`
// report each as file:line with the line. Works the same for every engine.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "plan/plan.h"
#include "readers/types.h"

namespace tandem::readers {

inline constexpr char kCode[] = "code";

// The files under `dir` (recursively; not .git or node_modules, nor
// binary files or files over 1 MiB) whose lines name a dropped or renamed
// column or table of `retired`. A column counts only in a file that also
// names its table (or the table's model name), so that a common column
// name (`name`, `status`) in unrelated code is not reported; a column
// replaced by one of the same name keeps working and is not looked for.
// kInvalidInput when `dir` is not a directory.
Result<std::vector<Reader>> ScanCode(const std::string& dir,
                                     const std::vector<plan::Retired>& retired);

}  // namespace tandem::readers
