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
// `other_url`: a second database, also with the users table.
void ExpectApprovalBoundToFileAndDatabase(const std::string& url, const std::string& other_url);
void ExpectFreezeRefusesComplete(const std::string& url);
void ExpectCompatibilityProbesGateTheBackfill(const std::string& url);
// The runbook before and after a rehearsal, then a governed migration run
// to the end and its report (Markdown and JSON) checked for its sections
// and figures; the users table has `rows` rows.
void ExpectRunbookAndReport(const std::string& url, const ExecSql& exec,
                            const std::string& events_table, long long rows);

}  // namespace tandem::testing
