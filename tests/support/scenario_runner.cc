#include "support/scenario_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>

#include "common/strings.h"
#include "support/command.h"
#include "support/scenario_rows.h"

namespace tandem::testing::scenario {
namespace {

constexpr char kScenarioDir[] = "/tests/scenarios";
constexpr char kDefaultExtension[] = ".yaml";

std::string FirstDifference(const std::string& before, const std::string& after) {
  std::vector<std::string> a = Split(before, '\n');
  std::vector<std::string> b = Split(after, '\n');
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    std::string left = i < a.size() ? a[i] : "(end)";
    std::string right = i < b.size() ? b[i] : "(end)";
    if (left != right) return "  was: " + left + "\n  now: " + right + "\n";
  }
  return "";
}

// The migration's name as tandem reads it: the file name without extension.
std::string MigrationName(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

// The last migration of a folder, in the order `migrate` applies them.
std::string LastMigrationIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names.empty() ? "" : MigrationName(names.back());
}

// False when none of the file's records runs on `engine`.
bool RunsOn(const std::string& path, const std::string& engine) {
  Result<std::vector<Record>> records = ReadScenario(path);
  if (!records.ok()) return true;
  return std::any_of(records->begin(), records->end(),
                     [&](const Record& record) { return record.RunsOn(engine); });
}

}  // namespace

std::vector<std::string> ScenarioFiles(const std::string& engine) {
  std::vector<std::string> files;
  std::string dir = std::string(TANDEM_SOURCE_DIR) + kScenarioDir;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string path = entry.path().string();
    if (entry.path().extension() == ".test" && RunsOn(path, engine)) files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ScenarioTestName(const std::string& path) {
  std::string name = std::filesystem::path(path).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

void ExpectScenarioPasses(ScenarioEngine& engine, const std::string& path,
                          const std::string& work_dir) {
  Result<std::vector<Record>> records = ReadScenario(path);
  if (!records.ok()) {
    ADD_FAILURE() << records.status().message();
    return;
  }
  std::filesystem::remove_all(work_dir);
  for (const auto& failure : ScenarioRunner(engine, work_dir).Run(*records)) {
    ADD_FAILURE() << failure;
  }
  std::filesystem::remove_all(work_dir);
}

ScenarioRunner::ScenarioRunner(ScenarioEngine& engine, std::string work_dir)
    : engine_(engine), work_dir_(std::move(work_dir)) {}

std::vector<std::string> ScenarioRunner::Run(const std::vector<Record>& records) {
  for (const Record& record : records) {
    if (!record.RunsOn(engine_.EngineName())) continue;
    RunRecord(record);
    if (stopped_) break;
  }
  return failures_;
}

void ScenarioRunner::RunRecord(const Record& record) {
  using Handler = void (ScenarioRunner::*)(const Record&);
  static const std::map<RecordKind, Handler> kHandlers = {
      {RecordKind::kStatement, &ScenarioRunner::RunStatement},
      {RecordKind::kQuery, &ScenarioRunner::RunQuery},
      {RecordKind::kConnection, &ScenarioRunner::UseConnection},
      {RecordKind::kMigration, &ScenarioRunner::WriteMigration},
      {RecordKind::kTandem, &ScenarioRunner::RunTandem},
      {RecordKind::kSnapshot, &ScenarioRunner::TakeSnapshot},
  };
  (this->*kHandlers.at(record.kind))(record);
}

void ScenarioRunner::Fail(const Record& record, const std::string& what) {
  failures_.push_back(record.Where() + ": " + what);
}

backend::Connection* ScenarioRunner::Session(const Record& record) {
  auto& session = sessions_[connection_];
  if (session == nullptr) {
    auto opened = engine_.OpenSession();
    if (!opened.ok()) {
      Fail(record, "could not connect: " + opened.status().message());
      return nullptr;
    }
    session = std::move(*opened);
  }
  if (connection_ == "new" && session_version_ != version_) {
    std::string use = engine_.UseVersion(version_);
    Status set = use.empty() ? Status::Ok() : session->Execute(use);
    if (!set.ok()) {
      Fail(record, "could not select the new version \"" + version_ + "\": " + set.message());
      return nullptr;
    }
    session_version_ = version_;
  }
  return session.get();
}

bool ScenarioRunner::ExpandNames(const Record& record, std::string& sql) {
  static const std::regex kName(R"(\{(new|old|state):([A-Za-z_][A-Za-z0-9_]*)\})");
  std::string expanded;
  auto last = sql.cbegin();
  for (std::sregex_iterator it(sql.begin(), sql.end(), kName), end; it != end; ++it) {
    const std::smatch& match = *it;
    bool new_version = match[1] == "new";
    if (new_version && version_.empty()) {
      Fail(record, "{new:" + match[2].str() +
                       "} names the new version before there is one: run `tandem start` or "
                       "write `connection new <version>` first");
      return false;
    }
    expanded.append(last, match[0].first);
    if (match[1] == "state") {
      expanded += engine_.StateTable(match[2]);
    } else {
      expanded += engine_.TableName(match[2], new_version ? version_ : "");
    }
    last = match[0].second;
  }
  expanded.append(last, sql.cend());
  sql = expanded;
  return true;
}

backend::Connection* ScenarioRunner::Prepare(const Record& record, std::string& sql) {
  sql = record.body;
  return ExpandNames(record, sql) ? Session(record) : nullptr;
}

void ScenarioRunner::RunStatement(const Record& record) {
  std::string sql;
  backend::Connection* session = Prepare(record, sql);
  if (session == nullptr) return;
  Status status = session->Execute(sql);
  if (record.mode == "ok") {
    if (!status.ok()) Fail(record, "expected the statement to succeed, got: " + status.message());
    return;
  }
  if (status.ok()) {
    Fail(record, "expected an error containing \"" + record.argument + "\", got success");
  } else if (status.message().find(record.argument) == std::string::npos) {
    Fail(record,
         "expected an error containing \"" + record.argument + "\", got: " + status.message());
  }
}

void ScenarioRunner::RunQuery(const Record& record) {
  std::string sql;
  backend::Connection* session = Prepare(record, sql);
  if (session == nullptr) return;
  auto result = session->Query(sql);
  if (!result.ok()) {
    Fail(record, "expected rows, got an error: " + result.status().message());
    return;
  }
  if (result->columns.size() != record.mode.size()) {
    Fail(record, "expected " + std::to_string(record.mode.size()) + " column(s) (" + record.mode +
                     "), got " + std::to_string(result->columns.size()));
    return;
  }
  std::vector<TextRow> got = ShowRows(record.mode, *result);
  std::vector<TextRow> expected = ExpectedRows(record.expected, record.mode.size());
  if (record.rowsort) {
    std::sort(got.begin(), got.end());
    std::sort(expected.begin(), expected.end());
  }
  if (got != expected) {
    Fail(record, "expected\n" + FormatRows(expected) + "got\n" + FormatRows(got) + "from\n" + sql);
  }
}

void ScenarioRunner::UseConnection(const Record& record) {
  connection_ = record.mode;
  if (!record.argument.empty()) version_ = record.argument;
}

void ScenarioRunner::WriteMigration(const Record& record) {
  std::filesystem::path path = std::filesystem::path(work_dir_) / record.argument;
  if (!path.has_extension()) path += kDefaultExtension;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path);
  out << record.body;
  if (!out) Fail(record, "could not write the migration to " + path.string());
  migrations_[record.argument] = path.string();
}

std::string ScenarioRunner::ArgumentPath(const std::string& arg) const {
  auto declared = migrations_.find(arg);
  if (declared != migrations_.end()) return declared->second;
  for (const auto& [name, path] : migrations_) {
    if (StartsWith(name, arg + "/")) return (std::filesystem::path(work_dir_) / arg).string();
  }
  return arg;
}

void ScenarioRunner::RunTandem(const Record& record) {
  std::vector<std::string> args;
  for (const auto& arg : record.args) args.push_back(ArgumentPath(arg));
  CommandResult result = testing::RunTandem(engine_.Url(), args);
  std::string said = result.out + result.err;
  std::string command = "tandem " + Join(record.args, " ");
  bool ok = result.exit_code == record.exit_code;
  stopped_ = !ok;
  if (!ok) {
    Fail(record, command + ": expected exit code " + std::to_string(record.exit_code) + ", got " +
                     std::to_string(result.exit_code) + "\n" + said);
  }
  for (const auto& text : record.contains) {
    if (said.find(text) == std::string::npos) {
      Fail(record, command + ": expected output containing \"" + text + "\", got\n" + said);
    }
  }
  for (const auto& text : record.excludes) {
    if (said.find(text) != std::string::npos) {
      Fail(record, command + ": expected output without \"" + text + "\", got\n" + said);
    }
  }
  // The new version is the migration this command started.
  bool starts = !args.empty() && (args[0] == "start" || args[0] == "migrate");
  if (ok && starts && args.back() != record.args.back()) {
    std::string target = args.back();
    version_ =
        std::filesystem::is_directory(target) ? LastMigrationIn(target) : MigrationName(target);
  }
}

void ScenarioRunner::TakeSnapshot(const Record& record) {
  std::string now = engine_.Snapshot();
  if (record.mode == "save") {
    snapshots_[record.argument] = {record.Where(), now};
    return;
  }
  auto saved = snapshots_.find(record.argument);
  if (saved == snapshots_.end()) {
    Fail(record, "no snapshot \"" + record.argument + "\" was saved before");
    return;
  }
  const auto& [where, before] = saved->second;
  if (record.mode == "same" && now != before) {
    Fail(record, "expected the schema and data saved at " + where + ", got a difference:\n" +
                     FirstDifference(before, now));
  } else if (record.mode == "differs" && now == before) {
    Fail(record, "expected the schema or data to differ from " + where + ", got the same");
  }
}

}  // namespace tandem::testing::scenario
