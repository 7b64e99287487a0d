// The bad-input corpus (tests/bad_input/cases.tsv) through the real CLI and a
// real server: every malformed or schema-inconsistent file is refused by
// `plan` and by `start` with exit code 2 and the documented message, within
// seconds and bounded memory, and the database is left exactly as it was.
#include <gtest/gtest.h>

#include <fstream>

#include "common/strings.h"
#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

// The live schema the "plan" cases are written against (schema/README.md).
constexpr char kCorpusSchema[] = R"sql(
CREATE TABLE users (id serial PRIMARY KEY, name text, email text NOT NULL,
                    CONSTRAINT users_name_check CHECK (name <> ''));
CREATE TABLE items (sku text, qty integer);
CREATE INDEX users_email_idx ON users (email);
INSERT INTO users (name, email) VALUES ('a', 'a@example.com'), ('b', 'b@example.com');
)sql";

// A refusal takes milliseconds; a parser that loops is killed at this bound.
constexpr RunLimits kRefusalLimits{.seconds = 5, .memory_mb = 1024};

struct CorpusCase {
  std::string file;
  std::string expected;
  std::string stage;
};

std::vector<CorpusCase> LoadCases() {
  std::ifstream in(std::string(TANDEM_SOURCE_DIR) + "/tests/bad_input/cases.tsv");
  std::vector<CorpusCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto fields = Split(line, '\t');
    if (fields.size() < 2) continue;
    cases.push_back({fields[0], fields[1], fields.size() > 2 ? fields[2] : ""});
  }
  return cases;
}

void PrintTo(const CorpusCase& c, std::ostream* os) { *os << c.file; }

class BadInputCliTest : public PgTest, public ::testing::WithParamInterface<CorpusCase> {};

TEST_P(BadInputCliTest, RefusedWithExitCode2AndNothingChanges) {
  const CorpusCase& c = GetParam();
  Exec(kCorpusSchema);
  std::string before = SchemaDump(url_);
  std::string path = std::string(TANDEM_SOURCE_DIR) + "/tests/bad_input/" + c.file;
  for (const char* command : {"plan", "start"}) {
    CommandResult result = RunTandemWithin(url_, {command, path}, kRefusalLimits);
    EXPECT_EQ(result.exit_code, 2) << command << " (137: killed after " << kRefusalLimits.seconds
                                   << " s, 134: out of memory): " << result.out << result.err;
    EXPECT_NE(result.err.find(c.expected), std::string::npos)
        << command << " said: " << result.err << "\nexpected to contain: " << c.expected;
    EXPECT_EQ(result.err.find("terminate called"), std::string::npos) << result.err;
  }
  EXPECT_EQ(SchemaDump(url_), before);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users"), "2");
  // Not even tandem's own state schema is created for a bad file.
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'tandem'"), "0");
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadInputCliTest, ::testing::ValuesIn(LoadCases()),
                         [](const auto& info) {
                           std::string name = info.param.file;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(BadInputCorpus, HasAtLeastThirtyFilesAndSchemaCases) {
  auto cases = LoadCases();
  EXPECT_GE(cases.size(), 30u);
  int schema_cases = 0;
  for (const auto& c : cases) schema_cases += c.stage == "plan";
  EXPECT_GE(schema_cases, 10);
}

}  // namespace
}  // namespace tandem::testing
