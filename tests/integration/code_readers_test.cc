// `readers --scan DIR` and `complete --scan DIR` on a real server: code
// that still names a column complete renames is a hidden reader (file:line
// and the line); code written for the new version is not, and complete
// goes through once the old name is gone from the code.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kRenameName[] = R"y(operations:
  - rename_column:
      table: customers
      from: name
      to: full_name
)y";

class CodeReadersPgTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(
        "CREATE TABLE customers (id bigint PRIMARY KEY, name text);"
        "INSERT INTO customers VALUES (1, 'a');");
    code_ = TempDir() + "/pg_app_" + db_name_;
    std::filesystem::remove_all(code_);
    std::filesystem::create_directories(code_);
    // The new version's code, and a model whose `name` belongs to another table.
    Write("customer.py", "class Customer(Model):\n    full_name = Column(Text)\n");
    Write("product.py", "class Product(Model):\n    name = Column(Text)\n");
    auto started = Tandem({"start", WriteMigration("rename_name.yaml", kRenameName)});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }

  void Write(const std::string& name, const std::string& content) {
    std::ofstream(code_ + "/" + name) << content;
  }

  std::string code_;
};

TEST_F(CodeReadersPgTest, OldColumnNameInCodeBlocksCompleteUntilItIsGone) {
  auto clean = Tandem({"readers", "--scan", code_});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;

  Write("report.sql", "SELECT id,\n       name\nFROM customers;\n");
  auto found = Tandem({"--json", "readers", "--scan", code_});
  EXPECT_EQ(found.exit_code, 1) << found.out << found.err;
  EXPECT_NE(found.out.find("\"kind\":\"code\""), std::string::npos) << found.out;
  EXPECT_NE(found.out.find(code_ + "/report.sql:2"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("which complete renames to full_name"), std::string::npos) << found.out;
  EXPECT_EQ(found.out.find("product.py"), std::string::npos) << found.out;

  auto refused = Tandem({"complete", "--scan", code_});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                   "'customers' AND table_schema = 'public' AND column_name = 'name'"),
            "1");

  Write("report.sql", "SELECT id, full_name FROM customers;\n");
  auto completed = Tandem({"complete", "--scan", code_});
  EXPECT_EQ(completed.exit_code, 0) << completed.out << completed.err;
}

}  // namespace
}  // namespace tandem::testing
