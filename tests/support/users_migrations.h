// Migrations of a `users` table with a nullable `name` column, shared by the
// SQLite integration tests and the core's unit tests.
#pragma once

namespace tandem::testing {

// name becomes NOT NULL; NULL names become 'anonymous' (a table rebuild at
// complete).
inline constexpr char kUsersNameNotNull[] = R"y(operations:
  - alter_column:
      table: users
      column: name
      nullable: false
      up: coalesce(name, 'anonymous')
      down: name
)y";

// A nullable nickname column, nothing to backfill.
inline constexpr char kUsersAddNickname[] = R"y(operations:
  - add_column:
      table: users
      column: {name: nickname, type: TEXT, nullable: true}
)y";

}  // namespace tandem::testing
