// What every test fixture on a real database does before a test: make the
// test's own database (a PostgreSQL database, a SQLite file), then let the
// suite fill it, unless making it already failed.
#pragma once

#include <gtest/gtest.h>

namespace tandem::testing {

class DatabaseTest : public ::testing::Test {
 protected:
  // Final: a suite fills its database in SetUpDatabase, so that no fixture
  // forgets to stop after a failed CreateDatabase.
  void SetUp() final {
    CreateDatabase();
    if (!HasFatalFailure()) SetUpDatabase();
  }
  // Makes the test's database; a fatal failure skips the test.
  virtual void CreateDatabase() = 0;
  // What a suite needs in the fresh database before each test (tables,
  // rows, a migration started); a fatal failure here skips the test.
  virtual void SetUpDatabase() {}
};

}  // namespace tandem::testing
