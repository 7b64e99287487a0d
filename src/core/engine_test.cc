#include "core/engine.h"

#include <gtest/gtest.h>

namespace tandem::core {
namespace {

TEST(EngineTest, TheFactoryChoosesByTheDatabasesEngine) {
  EXPECT_STREQ(MakeEngine(backend::Engine::kPostgres)->name(), "PostgreSQL");
  EXPECT_STREQ(MakeEngine(backend::Engine::kSqlite)->name(), "SQLite");
}

TEST(EngineTest, ASqliteFileIsOneSchema) {
  EXPECT_EQ(MakeEngine(backend::Engine::kSqlite)->MigratedSchema("public"), "main");
  EXPECT_EQ(MakeEngine(backend::Engine::kPostgres)->MigratedSchema("billing"), "billing");
}

TEST(EngineTest, SqliteCannotSampleOrRepairYet) {
  EngineCapabilities sqlite = MakeEngine(backend::Engine::kSqlite)->capabilities();
  EXPECT_FALSE(sqlite.verify_sampling);
  EXPECT_FALSE(sqlite.verify_repair);
  EngineCapabilities postgres = MakeEngine(backend::Engine::kPostgres)->capabilities();
  EXPECT_TRUE(postgres.verify_sampling);
  EXPECT_TRUE(postgres.verify_repair);
}

TEST(EngineTest, SqliteChunksAreShorter) {
  EXPECT_LT(MakeEngine(backend::Engine::kSqlite)->DefaultChunkTime(),
            MakeEngine(backend::Engine::kPostgres)->DefaultChunkTime());
}

TEST(EngineTest, SqliteRefusesThrottlesThatMeasureAServerNamingThem) {
  plan::ThrottleSettings flags;
  flags.max_lock_waiters = 3;
  plan::ThrottleSettings file;
  file.max_replica_lag = Millis(500);
  backfill::ThrottleConfig config;
  config.max_lock_waiters = 3;
  Status status = MakeEngine(backend::Engine::kSqlite)->FitThrottle(flags, file, config);
  EXPECT_EQ(status.kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(status.message().find("max_replica_lag, max_lock_waiters"), std::string::npos)
      << status.message();
}

TEST(EngineTest, SqliteTurnsOffTheDefaultReplicaLagAndPostgresKeepsIt) {
  backfill::ThrottleConfig sqlite;
  ASSERT_TRUE(MakeEngine(backend::Engine::kSqlite)->FitThrottle({}, {}, sqlite).ok());
  EXPECT_EQ(sqlite.max_replica_lag, Millis(0));
  backfill::ThrottleConfig postgres;
  ASSERT_TRUE(MakeEngine(backend::Engine::kPostgres)->FitThrottle({}, {}, postgres).ok());
  EXPECT_EQ(postgres.max_replica_lag, backfill::kDefaultMaxReplicaLag);
}

TEST(EngineTest, EachEngineNamesItsStateTables) {
  EXPECT_EQ(MakeEngine(backend::Engine::kPostgres)->MakeStateSql("tandem")->Table("events"),
            "\"tandem\".\"events\"");
  EXPECT_EQ(MakeEngine(backend::Engine::kSqlite)->MakeStateSql("tandem")->Table("events"),
            "\"tandem_events\"");
}

}  // namespace
}  // namespace tandem::core
