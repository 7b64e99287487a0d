// The readiness gates through the real binary, written once and run on
// both engines: each gate refusing and passing, a stale sign-off after the
// file changed, approval tokens, a freeze refusing complete and the
// compatibility probes. Each starts from a `users` table (id, name) with a
// nullable name and no migration yet; `exec` runs SQL on the test's
// database, `events_table` names tandem's event log there.
#pragma once

#include <functional>
#include <string>

namespace tandem::testing {

using ExecSql = std::function<void(const std::string&)>;

void ExpectSwitchGateNeedsSignoff(const std::string& url);
// An observe event stands for the observation window of `tandem switch`.
void ExpectContractGateNeedsCleanObservation(const std::string& url, const ExecSql& exec,
                                             const std::string& events_table);
void ExpectSignoffStaleAfterFileChange(const std::string& url);
// A rehearsal holds for the plan it rehearsed, not for the file's bytes.
void ExpectRehearsalBoundToThePlan(const std::string& url);
// `other_url`: a second database, also with the users table.
void ExpectApprovalBoundToFileAndDatabase(const std::string& url, const std::string& other_url);
// `rollback` runs to its end whatever run.max_runtime says.
void ExpectRollbackIgnoresTheTimeLimit(const std::string& url);
// run.require_approval (not only governance's) makes start, switch and
// complete ask for --approval.
void ExpectRunRequireApproval(const std::string& url);
// A policy naming sign-offs for start: start refuses, changing nothing,
// until the file is signed (`tandem signoff CATEGORY --by NAME FILE`), and
// again for another plan.
void ExpectStartSignoffPolicy(const std::string& url);
void ExpectFreezeRefusesComplete(const std::string& url);
void ExpectCompatibilityProbesGateTheBackfill(const std::string& url);
// The runbook before and after a rehearsal, then a governed migration run
// to the end and its report (Markdown and JSON) checked for its sections
// and figures; the users table has `rows` rows.
void ExpectRunbookAndReport(const std::string& url, const ExecSql& exec,
                            const std::string& events_table, long long rows);

// Returns the first column of the first row of `sql` on the test's database.
using ScalarSql = std::function<std::string(const std::string&)>;

// run.max_runtime (the whole migration's limit, from its recorded start)
// stops the backfill, a verification pass and the observation window's
// baseline resumably (exit 3, an event of kind max_runtime), and
// --max-runtime over it lets each go on. With `chunked_complete` (SQLite's
// online rebuild) complete's chunked copy stops too and resumes.
void ExpectMaxRuntimeStopsResumably(const std::string& url, const ScalarSql& scalar,
                                    const std::string& events_table, bool chunked_complete);

}  // namespace tandem::testing
