// Runs the bad-input corpus (tests/bad_input/cases.tsv): every migration file
// listed there must be rejected with kInvalidInput and a message containing
// the expected text (file:line:col, key path, the problem's key words).
//
// Manifest lines are FILE<TAB>EXPECTED[<TAB>STAGE<TAB>...]. Blank lines and
// lines starting with '#' are skipped; columns past the third are ignored. A
// row whose STAGE is given and is not "reader" belongs to a later stage (for
// example the planner's schema checks), so the reader alone must not be
// expected to reject it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "common/strings.h"
#include "reader/reader.h"

namespace tandem::reader {
namespace {

constexpr size_t kMinimumReaderCases = 30;

struct BadInputCase {
  std::string file;
  std::string expected;
  std::string stage;  // empty means "reader"
};

std::filesystem::path CorpusDir() {
  return std::filesystem::path(TANDEM_SOURCE_DIR) / "tests" / "bad_input";
}

std::vector<BadInputCase> LoadAllCases() {
  std::vector<BadInputCase> cases;
  std::ifstream in(CorpusDir() / "cases.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Trim(line).empty() || line[0] == '#') continue;
    std::vector<std::string> columns = Split(line, '\t');
    columns.resize(std::max<size_t>(columns.size(), 3));
    cases.push_back({columns[0], columns[1], Trim(columns[2])});
  }
  return cases;
}

std::vector<BadInputCase> ReaderCases() {
  std::vector<BadInputCase> cases;
  for (BadInputCase& c : LoadAllCases()) {
    if (c.stage.empty() || c.stage == "reader") cases.push_back(std::move(c));
  }
  return cases;
}

class BadInputTest : public testing::TestWithParam<BadInputCase> {};

TEST_P(BadInputTest, IsRejectedWithAPreciseMessage) {
  const BadInputCase& c = GetParam();
  ASSERT_FALSE(c.expected.empty()) << c.file << ": the manifest gives no expected text";
  Result<plan::Migration> read = ReadMigrationFile((CorpusDir() / c.file).string());
  ASSERT_FALSE(read.ok()) << c.file << " was accepted";
  EXPECT_EQ(read.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(read.status().message().find(c.expected), std::string::npos)
      << "expected: " << c.expected << "\n     got: " << read.status().message();
}

std::string CaseName(const testing::TestParamInfo<BadInputCase>& info) {
  std::string name;
  for (char ch : info.param.file) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadInputTest, testing::ValuesIn(ReaderCases()), CaseName);

TEST(BadInputManifestTest, ListsEveryFileAndEnoughCases) {
  std::set<std::string> listed;
  for (const BadInputCase& c : LoadAllCases()) {
    EXPECT_TRUE(listed.insert(c.file).second) << c.file << " is listed twice";
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(CorpusDir())) {
    if (!entry.is_regular_file()) continue;
    std::string name = std::filesystem::relative(entry.path(), CorpusDir()).string();
    if (name == "cases.tsv" || entry.path().extension() == ".md") continue;
    EXPECT_TRUE(listed.count(name) > 0) << name << " is not listed in cases.tsv";
  }
  EXPECT_GE(ReaderCases().size(), kMinimumReaderCases);
}

}  // namespace
}  // namespace tandem::reader
