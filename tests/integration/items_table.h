// The table most backfill tests work on: 60,000 rows whose text `code`
// becomes an integer, with `up` and `down` casting between the two.
#pragma once

namespace tandem::testing {

inline constexpr char kItems[] = R"sql(
CREATE TABLE items (id bigserial PRIMARY KEY, code text NOT NULL);
INSERT INTO items (code) SELECT (i % 1000)::text FROM generate_series(1, 60000) i;
)sql";

inline constexpr char kCodeToInteger[] = R"y(operations:
  - alter_column:
      table: items
      column: code
      type: integer
      up: CAST(code AS integer)
      down: CAST(code AS text)
)y";

}  // namespace tandem::testing
