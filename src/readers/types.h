// Hidden readers: objects of the database that still use what `complete`
// retires (plan::Retired: old columns, old tables, the old version's
// schema). Left alone, they make complete's switch fail (a view on a
// dropped column), break after it (a function naming a dropped column), or
// vanish with it (an index that also covered a column that stays). Each
// engine's folder finds them; `readers`, `plan` and complete's gate show
// them (core/).
#pragma once

#include <string>
#include <vector>

namespace tandem::readers {

// The kinds of readers, as messages and --json name them.
inline constexpr char kView[] = "view";
inline constexpr char kMaterializedView[] = "materialized view";
inline constexpr char kFunction[] = "function";
inline constexpr char kProcedure[] = "procedure";
inline constexpr char kTrigger[] = "trigger";
inline constexpr char kPolicy[] = "policy";
inline constexpr char kGeneratedColumn[] = "generated column";
inline constexpr char kIndex[] = "index";
inline constexpr char kConstraint[] = "constraint";
inline constexpr char kPublication[] = "publication";

struct Reader {
  std::string kind;    // one of the kinds above
  std::string name;    // schema-qualified: public.user_names, "t ON public.users"
  std::string uses;    // what of the old shape it uses, and what complete does to it
  std::string action;  // what to do before complete
  // False for a statement the server counted that has not run since the
  // observation window opened (statement_readers.h): shown, never gating.
  bool blocks = true;

  bool operator==(const Reader&) const = default;
  bool operator<(const Reader& other) const;
};

// Statements the server counted that use the old shape, and what the
// search could not see (said once; "" when nothing).
struct StatementAudit {
  std::vector<Reader> readers;
  std::string note;
};

}  // namespace tandem::readers
