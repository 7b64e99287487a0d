// The catalog of `tandem lint`'s rules: a stable code, a short name, the
// default severity, the engines it applies to, and a short doc for
// `tandem lint --explain CODE`. Codes never change meaning once released;
// a retired rule keeps its number unused.
//
// The hundreds group rules by what goes wrong:
//   TD1xx  data that no rollback brings back
//   TD2xx  limits and facts of the live database (most need --url)
//   TD3xx  locks that block the application, or long scans and rewrites
//   TD4xx  changes that break the running (old) version of the application
//   TD5xx  schema choices that cost a risky migration later
//   TD6xx  transactions
//   TD7xx  SQLite only
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lint/raw_sql.h"

namespace tandem::lint {

inline constexpr char kRuleNoWhere[] = "TD104";
inline constexpr char kRuleTruncateCascade[] = "TD105";
inline constexpr char kRuleLongRewrite[] = "TD202";
inline constexpr char kRuleReadByView[] = "TD203";
inline constexpr char kRuleIdentifierTooLong[] = "TD204";
inline constexpr char kRuleNotNullWithoutDefault[] = "TD301";
inline constexpr char kRuleVolatileDefault[] = "TD302";
inline constexpr char kRuleTypeChange[] = "TD303";
inline constexpr char kRuleIndexNotConcurrent[] = "TD304";
inline constexpr char kRuleDropIndexNotConcurrent[] = "TD305";
inline constexpr char kRuleConstraintNotValid[] = "TD306";
inline constexpr char kRuleUniqueWithoutIndex[] = "TD307";
inline constexpr char kRuleValidatedInSameStep[] = "TD308";
inline constexpr char kRuleSetNotNull[] = "TD309";
inline constexpr char kRuleTimeouts[] = "TD310";
inline constexpr char kRuleConcurrentInTransaction[] = "TD311";
inline constexpr char kRuleReindexNotConcurrent[] = "TD312";
inline constexpr char kRuleDetachNotConcurrent[] = "TD313";
inline constexpr char kRuleRewriteCommand[] = "TD314";
inline constexpr char kRuleDomainConstraint[] = "TD315";
inline constexpr char kRuleRenameColumn[] = "TD401";
inline constexpr char kRuleRenameObject[] = "TD402";
inline constexpr char kRuleDropNotNull[] = "TD403";
inline constexpr char kRulePreferBigint[] = "TD501";
inline constexpr char kRulePreferIdentity[] = "TD502";
inline constexpr char kRulePreferText[] = "TD503";
inline constexpr char kRuleNoChar[] = "TD504";
inline constexpr char kRulePreferTimestamptz[] = "TD505";
inline constexpr char kRuleRobustStatements[] = "TD506";
inline constexpr char kRuleTableSchema[] = "TD507";
inline constexpr char kRuleTransactionNesting[] = "TD601";
inline constexpr char kRuleUncommitted[] = "TD602";
inline constexpr char kRuleSqliteAlter[] = "TD701";

enum class Severity { kInfo, kWarning, kError };

const char* SeverityName(Severity severity);  // "info", "warning", "error"
// "info", "warning" or "error" to a Severity; false for anything else.
bool ParseSeverity(std::string_view text, Severity* severity);

struct Rule {
  const char* code;  // "TD304"
  const char* name;  // "index-without-concurrently"
  Severity severity;
  bool on_by_default;
  bool postgres;        // applies to PostgreSQL migrations
  bool sqlite;          // applies to SQLite migrations
  bool needs_url;       // checked only with --url
  const char* summary;  // one line
  const char* doc;      // a few paragraphs: why, what to do, what tandem does itself
};

// Every rule, by code.
const std::vector<Rule>& AllRules();
// The rule of `code` (case-insensitive), or nullptr.
const Rule* FindRule(std::string_view code);

}  // namespace tandem::lint
