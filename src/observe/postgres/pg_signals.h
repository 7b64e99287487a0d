// PostgreSQL's signals for the observation window: the database's
// rolled-back transactions and deadlocks (pg_stat_database), the sessions
// waiting for a lock (pg_stat_activity), and where pg_stat_statements is
// installed, the calls and time of the statements naming a migrated table.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "observe/types.h"

namespace tandem::observe {

// `tables`: the migrated tables, matched as words in pg_stat_statements'
// query text.
std::unique_ptr<EngineSignals> MakePostgresSignals(Connector connect,
                                                   std::vector<std::string> tables);

}  // namespace tandem::observe
