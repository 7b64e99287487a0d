// The table most backfill tests work on: 60,000 rows whose text `code`
// becomes an integer, with `up` and `down` casting between the two.
#pragma once

#include <string>

#include "integration/pg_fixture.h"
#include "support/migration_yaml.h"

namespace tandem::testing {

inline constexpr char kItems[] = R"sql(
CREATE TABLE items (id bigserial PRIMARY KEY, code text NOT NULL);
INSERT INTO items (code) SELECT (i % 1000)::text FROM generate_series(1, 60000) i;
)sql";

inline const std::string kCodeToInteger =
    ChangeTypeMigration("items", "code", "integer", "CAST(code AS integer)", "CAST(code AS text)");

// The items table with the code migration started and its backfill not run
// yet: what the tests of a backfill under way start from.
class ItemsMigrationTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(kItems);
    ASSERT_EQ(Tandem({"start", "--skip-backfill", WriteMigration("02_code.yaml", kCodeToInteger)})
                  .exit_code,
              0);
  }
};

}  // namespace tandem::testing
