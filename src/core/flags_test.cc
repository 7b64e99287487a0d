// Flags on a real SQLite file: set, read back and recorded in the event
// log; refused without a migration in progress; added to a state schema
// made before flags existed; and the SQL an application runs agrees with
// the C++ reference.
#include "core/flags.h"

#include <gtest/gtest.h>

#include "common/flag_decision.h"
#include "common/strings.h"
#include "core/testing/sqlite_runner_fixture.h"

namespace tandem::core::testing {
namespace {

class FlagsTest : public SqliteRunnerTest {
 protected:
  void SetUpDatabase() override {
    flags_ = std::make_unique<Flags>(*database_, "public", "tandem");
  }
  void TearDown() override {
    flags_.reset();  // its session, before the file goes
    SqliteRunnerTest::TearDown();
  }

  // A migration of the file in `phase`, recorded as start records one.
  long long RecordMigration(const std::string& name, Phase phase) {
    Status init = State().Init();
    EXPECT_TRUE(init.ok()) << init.message();
    MigrationRecord record;
    record.schema = "main";
    record.name = name;
    record.version_schema = name;
    record.checksum = "c0ffee";
    record.phase = phase;
    record.plan_json = "{}";
    record.file_content = "operations: []\n";
    auto id = State().Insert(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? *id : 0;
  }

  // The answer of the query `tandem flag sql` prints, for one subject.
  std::string Ask(const std::string& flag, const std::string& subject) {
    // tandem's connection binds by name, as the applications' drivers do.
    std::string query = ReplaceAll(ReplaceAll(flags_->Query(), ":flag", "$1"), ":subject", "$2");
    auto rows = conn_->Query(query, {flag, subject});
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    return rows.ok() ? rows->Scalar().value_or("NULL") : "";
  }

  std::unique_ptr<Flags> flags_;
};

TEST_F(FlagsTest, RefusedWithoutAMigrationInProgressAndCreatesNothing) {
  auto set = flags_->Set("read_new", 1000);
  EXPECT_EQ(set.status().kind(), ErrorKind::kRefused);
  EXPECT_NE(set.status().message().find("no migration is in progress"), std::string::npos)
      << set.status().message();
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tandem%'"), "0");

  RecordMigration("01_done", Phase::kCompleted);
  EXPECT_EQ(flags_->Get(std::nullopt).status().kind(), ErrorKind::kRefused);
}

TEST_F(FlagsTest, SetGetAndEveryChangeInTheEventLog) {
  long long id = RecordMigration("02_name", Phase::kActive);
  ASSERT_TRUE(flags_->Set("read_new", 1000).ok());
  ASSERT_TRUE(flags_->Set("write_new", 10000).ok());
  auto set = flags_->Set("read_new", 50);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->migration.name, "02_name");
  ASSERT_EQ(set->flags.size(), 1u);
  EXPECT_EQ(set->flags[0].basis_points, 50);

  auto all = flags_->Get(std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->flags.size(), 2u);
  EXPECT_EQ(all->flags[0].name, "read_new");
  EXPECT_EQ(all->flags[0].basis_points, 50);
  EXPECT_EQ(all->flags[1].name, "write_new");
  EXPECT_EQ(all->flags[1].basis_points, 10000);
  EXPECT_FALSE(all->flags[1].updated_at.empty());

  auto unset = flags_->Get(std::string("read_old"));
  ASSERT_TRUE(unset.ok()) << unset.status().message();
  ASSERT_EQ(unset->flags.size(), 1u);
  EXPECT_EQ(unset->flags[0].basis_points, 0);
  EXPECT_TRUE(unset->flags[0].updated_at.empty());

  auto history = flags_->History(std::string("read_new"));
  ASSERT_TRUE(history.ok()) << history.status().message();
  ASSERT_EQ(history->flags.size(), 2u);
  EXPECT_EQ(history->flags[0].basis_points, 1000);
  EXPECT_EQ(history->flags[1].basis_points, 50);
  EXPECT_EQ(Scalar("SELECT group_concat(phase || ' ' || description, ', ') FROM tandem_events "
                   "WHERE kind = 'flag' AND migration_id = " +
                   std::to_string(id)),
            "switch read_new 10%, switch write_new 100%, switch read_new 0.5%");
}

TEST_F(FlagsTest, BadNamesAndSharesAreInvalidInput) {
  RecordMigration("02_name", Phase::kActive);
  for (const char* name : {"Read_new", "1read", "read-new", "", "read new"}) {
    EXPECT_EQ(flags_->Set(name, 1000).status().kind(), ErrorKind::kInvalidInput) << name;
  }
  EXPECT_EQ(flags_->Set(std::string(64, 'a'), 1000).status().kind(), ErrorKind::kInvalidInput);
  EXPECT_TRUE(flags_->Set(std::string(63, 'a'), 1000).ok());
  EXPECT_EQ(flags_->Set("read_new", 10001).status().kind(), ErrorKind::kInvalidInput);
  EXPECT_EQ(flags_->Set("read_new", -1).status().kind(), ErrorKind::kInvalidInput);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_events WHERE kind = 'flag'"), "1");
}

TEST_F(FlagsTest, AFlagEventItCannotReadIsRefusedNamingIt) {
  long long id = RecordMigration("02_name", Phase::kActive);
  ASSERT_TRUE(flags_->Set("read_new", 1000).ok());
  Status appended = State().Append(
      id, {.phase = "switch", .kind = "flag", .description = "read_new to ten", .outcome = "ok"});
  ASSERT_TRUE(appended.ok()) << appended.message();
  auto history = flags_->History(std::nullopt);
  EXPECT_EQ(history.status().kind(), ErrorKind::kRefused);
  EXPECT_NE(history.status().message().find("\"read_new to ten\""), std::string::npos)
      << history.status().message();
}

TEST_F(FlagsTest, AStateSchemaFromBeforeFlagsGetsTheTable) {
  RecordMigration("02_name", Phase::kActive);
  Exec("DROP TABLE tandem_flags");  // as a tandem without flags left it
  auto set = flags_->Set("read_new", 1000);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(Scalar("SELECT basis_points FROM tandem_flags"), "1000");
}

TEST_F(FlagsTest, TheQueryAgreesWithTheReference) {
  RecordMigration("02_name", Phase::kActive);
  EXPECT_EQ(Ask("read_new", "user-1"), "0");  // not set: nobody
  ASSERT_TRUE(flags_->Set("read_new", 3000).ok());
  std::vector<std::string> subjects = {"", "Zo\u00eb", "\u65e5\u672c\u8a9e", "\U0001F600 emoji",
                                       std::string(200, 'x')};
  for (int i = 1; i <= 300; ++i) subjects.push_back("user-" + std::to_string(i));
  int in = 0;
  for (const auto& subject : subjects) {
    bool expected = FlagSelects("read_new", subject, 3000);
    in += expected;
    EXPECT_EQ(Ask("read_new", subject), expected ? "1" : "0") << subject;
  }
  EXPECT_GT(in, 0);  // both answers were seen
  EXPECT_LT(in, static_cast<int>(subjects.size()));
  // A finished migration's flags select nobody.
  Exec("UPDATE tandem_migrations SET phase = 'completed'");
  EXPECT_EQ(Ask("read_new", "user-1"), "0");
}

}  // namespace
}  // namespace tandem::core::testing
