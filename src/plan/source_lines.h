// Where a line of a YAML/JSON scalar (a raw `sql` operation's `up`, say) sits
// in its file, so that what is found in the scalar's text is reported at
// the file's own line:column.
#pragma once

#include <string>

#include "plan/migration.h"

namespace tandem::plan {

// The file position of `line` (0-based) and `column` (1-based) of the text
// of the scalar at `pos` in `content`: a block scalar (| or >) starts on the
// line after its indicator, indented; a quoted one (YAML or JSON) writes its
// line breaks as escapes, so all of it is on the line of `pos`.
SourcePos ScalarPosition(const std::string& content, SourcePos pos, int line, int column);

}  // namespace tandem::plan
