// With no URL given, tandem connects the way psql does: from libpq's
// environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGSERVICE ...).
#include <gtest/gtest.h>

#include <sstream>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

// "env" arguments that clear tandem's own variables and set libpq's from a
// key=value connection string such as the harness gives.
std::string LibpqEnvironment(const std::string& keywords) {
  const std::pair<const char*, const char*> names[] = {
      {"host", "PGHOST"}, {"port", "PGPORT"}, {"user", "PGUSER"}, {"dbname", "PGDATABASE"}};
  std::string env = "env -u TANDEM_URL -u DATABASE_URL";
  std::istringstream words(keywords);
  for (std::string word; words >> word;) {
    auto eq = word.find('=');
    for (const auto& [key, variable] : names) {
      if (word.substr(0, eq) == key)
        env += std::string(" ") + variable + "=" + ShellQuote(word.substr(eq + 1));
    }
  }
  return env;
}

class LibpqEnvironmentTest : public PgTest {};

TEST_F(LibpqEnvironmentTest, NoUrlConnectsThroughPgEnvironmentVariables) {
  ASSERT_EQ(url_.find("://"), std::string::npos) << "the harness gives a key=value string";
  int code = -1;
  std::string out =
      Capture(LibpqEnvironment(url_) + " " + ShellQuote(TANDEM_BINARY) + " init 2>&1", code);
  ASSERT_EQ(code, 0) << out;
  // It reached this test's database, the one PGDATABASE names.
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'tandem'"), "1");
}

TEST_F(LibpqEnvironmentTest, NoUrlAndNoEnvironmentNamesEveryWayToGiveOne) {
  int code = -1;
  std::string out = Capture(
      "env -u TANDEM_URL -u DATABASE_URL -u PGHOST -u PGHOSTADDR -u PGPORT -u PGUSER "
      "-u PGDATABASE -u PGSERVICE " +
          ShellQuote(TANDEM_BINARY) + " status 2>&1",
      code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("--url"), std::string::npos) << out;
  EXPECT_NE(out.find("PGHOST"), std::string::npos) << out;
}

}  // namespace
}  // namespace tandem::testing
