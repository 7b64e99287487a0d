// The words of the hidden-reader audit, shared by both engines: what a
// retired object is called, what to do about each kind of reader, and the
// readers as a line, a plan warning and complete's refusal.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "plan/plan.h"
#include "readers/types.h"

namespace tandem::readers {

// "column public.users.age, which complete drops" and the like; `schema`
// is the migrated schema (empty on engines without schemas).
std::string RetiredText(const plan::Retired& retired, const std::string& schema);
// "view public_01_init.users of the old version, which complete drops".
std::string OldVersionText(const std::string& relation);
// A view of the new version, which complete drops and creates again (on
// PostgreSQL, taking along what depends on it).
std::string NewVersionText(const std::string& relation);
// What to do about a reader of `kind`, before complete.
std::string ActionFor(const std::string& kind);

// Sorted, each reader once.
std::vector<Reader> Tidy(std::vector<Reader> readers);

// "view public.user_names uses column public.users.name, ...: <action>".
std::string ReaderLine(const Reader& reader);
// A warning of `plan` and `start`: the reader, and that complete refuses.
std::string ReaderWarning(const Reader& reader);
// complete's refusal (kRefused), naming every reader and how to go on.
Status RefuseReaders(const std::string& migration, const std::vector<Reader>& readers);

}  // namespace tandem::readers
