#include "backends/postgres/pg_connection.h"

#include <gtest/gtest.h>

namespace tandem::backend::postgres {
namespace {

TEST(MapPgErrorTest, AnErrorWithoutSqlstateIsALostConnectionEvenWhenLibpqSaysOk) {
  // What libpq returns for the next statement after the server crashed.
  Status status = MapPgError("", "server closed the connection unexpectedly", true);
  EXPECT_EQ(status.kind(), ErrorKind::kConnection);
  EXPECT_TRUE(status.retryable());
}

TEST(MapPgErrorTest, ServerErrorsKeepTheirKind) {
  EXPECT_EQ(MapPgError("55P03", "lock timeout", true).kind(), ErrorKind::kLockTimeout);
  EXPECT_EQ(MapPgError("57P01", "terminating connection", true).kind(), ErrorKind::kConnection);
  Status unique = MapPgError("23505", "duplicate key", true);
  EXPECT_EQ(unique.kind(), ErrorKind::kDatabase);
  EXPECT_FALSE(unique.retryable());
  EXPECT_TRUE(MapPgError("40P01", "deadlock detected", true).retryable());
}

}  // namespace
}  // namespace tandem::backend::postgres
