#include "integration/pg_fixture.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace tandem::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string ShellQuote(const std::string& s) { return "'" + ReplaceAll(s, "'", "'\\''") + "'"; }

std::string TempDir() {
  static std::string dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "tandem-test-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    return std::string(mkdtemp(buffer.data()));
  }();
  return dir;
}

// Captures stdout of a shell command; sets exit_code.
std::string Capture(const std::string& command, int& exit_code) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    exit_code = -1;
    return out;
  }
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  int status = pclose(pipe);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string WithDatabase(const std::string& url, const std::string& db) {
  return url + " dbname=" + db;
}

}  // namespace

std::string ServerUrl() {
  const char* dir = std::getenv("TANDEM_TEST_PG_DIR");
  if (dir == nullptr) return "";
  return Trim(ReadFile(std::string(dir) + "/url"));
}

CommandResult RunTandem(const std::string& url, const std::vector<std::string>& args) {
  static int counter = 0;
  std::string err_file =
      TempDir() + "/stderr-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  std::string command = "TANDEM_URL=" + ShellQuote(url) + " " + TANDEM_BINARY;
  for (const auto& a : args) command += " " + ShellQuote(a);
  command += " 2>" + ShellQuote(err_file);
  CommandResult result;
  result.out = Capture(command, result.exit_code);
  result.err = ReadFile(err_file);
  std::filesystem::remove(err_file);
  return result;
}

int SpawnTandem(const std::string& url, const std::vector<std::string>& args,
                const std::string& err_path) {
  std::vector<std::string> argv = {TANDEM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    setenv("TANDEM_URL", url.c_str(), 1);
    std::freopen("/dev/null", "w", stdout);
    std::freopen(err_path.empty() ? "/dev/null" : err_path.c_str(), "w", stderr);
    std::vector<char*> raw;
    for (auto& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    execv(raw[0], raw.data());
    _exit(127);
  }
  return pid;
}

int WaitTandem(int pid, bool block) {
  int status = 0;
  pid_t done = waitpid(pid, &status, block ? 0 : WNOHANG);
  if (done == 0) return -2;
  if (done < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string WriteMigration(const std::string& name, const std::string& content) {
  static int counter = 0;
  std::string dir = TempDir() + "/m" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  std::filesystem::create_directories(dir);
  std::string path = dir + "/" + name;
  std::ofstream(path) << content;
  return path;
}

std::string SchemaDump(const std::string& url) {
  int code = 0;
  std::string dump = Capture(
      "pg_dump --schema-only --no-owner --exclude-schema=tandem -d " + ShellQuote(url) + " 2>&1",
      code);
  EXPECT_EQ(code, 0) << dump;
  // pg_dump writes a random key into \restrict and \unrestrict lines; they
  // say nothing about the schema.
  std::string stable;
  for (const auto& line : Split(dump, '\n')) {
    if (StartsWith(line, "\\restrict") || StartsWith(line, "\\unrestrict")) continue;
    stable += line + "\n";
  }
  return stable;
}

void PgTest::SetUp() {
  std::string server = ServerUrl();
  ASSERT_FALSE(server.empty())
      << "TANDEM_TEST_PG_DIR is not set: run integration tests through ctest, which starts "
         "the PostgreSQL test server (fixture \"pg\")";
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  db_name_ = ToLower(std::string("t_") + info->test_suite_name() + "_" + info->name());
  for (char& c : db_name_) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  if (db_name_.size() > 50) db_name_.resize(50);
  db_name_ += "_" + std::to_string(getpid());
  auto admin_db = backend::OpenDatabase(server);
  ASSERT_TRUE(admin_db.ok()) << admin_db.status().message();
  auto admin = (*admin_db)->Connect();
  ASSERT_TRUE(admin.ok()) << admin.status().message();
  ASSERT_TRUE((*admin)->Execute("DROP DATABASE IF EXISTS " + QuoteIdent(db_name_)).ok());
  Status created = (*admin)->Execute("CREATE DATABASE " + QuoteIdent(db_name_));
  ASSERT_TRUE(created.ok()) << created.message();
  url_ = WithDatabase(server, db_name_);
  auto database = backend::OpenDatabase(url_);
  ASSERT_TRUE(database.ok());
  database_ = std::move(*database);
}

void PgTest::TearDown() {
  auto admin_db = backend::OpenDatabase(ServerUrl());
  if (!admin_db.ok()) return;
  auto admin = (*admin_db)->Connect();
  if (!admin.ok()) return;
  (void)(*admin)->Execute("DROP DATABASE IF EXISTS " + QuoteIdent(db_name_) + " WITH (FORCE)");
}

std::unique_ptr<backend::Connection> PgTest::Connect() {
  auto conn = database_->Connect();
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  return conn.ok() ? std::move(*conn) : nullptr;
}

void PgTest::Exec(const std::string& sql) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  Status status = conn->Execute(sql);
  ASSERT_TRUE(status.ok()) << status.message() << "\nin: " << sql;
}

std::string PgTest::Scalar(const std::string& sql) { return ScalarIn("", sql); }

std::string PgTest::ScalarIn(const std::string& schema, const std::string& sql) {
  auto conn = Connect();
  if (conn == nullptr) return "<no connection>";
  if (!schema.empty()) {
    Status set = conn->Execute("SET search_path TO " + QuoteIdent(schema));
    EXPECT_TRUE(set.ok()) << set.message();
  }
  auto result = conn->Query(sql);
  if (!result.ok()) return "<error: " + result.status().message() + ">";
  return result->Scalar().value_or("NULL");
}

}  // namespace tandem::testing
