#include "support/scenario_format.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace tandem::testing::scenario {
namespace {

// Includes nest at most this deep, so a file that includes itself is an
// error rather than a hang.
constexpr int kMaxIncludeDepth = 8;
// An exit code is 0 to 255.
constexpr size_t kMaxExitCodeDigits = 3;
constexpr char kRecordNames[] =
    "statement, query, connection, migration, tandem, snapshot, include, onlyif or skipif";

struct Line {
  int number = 0;
  std::string text;
};

// One block of non-blank lines.
using Block = std::vector<Line>;

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// What follows the first `count` words of `text`, trimmed.
std::string AfterWords(const std::string& text, size_t count) {
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    pos = text.find_first_not_of(" \t", pos);
    if (pos == std::string::npos) return "";
    pos = text.find_first_of(" \t", pos);
    if (pos == std::string::npos) return "";
  }
  return Trim(text.substr(pos));
}

std::string JoinLines(const Block& block, size_t from, size_t to) {
  std::string text;
  for (size_t i = from; i < to; ++i) text += block[i].text + "\n";
  return text;
}

std::vector<Block> Blocks(std::istream& in) {
  std::vector<Block> blocks(1);
  int number = 0;
  for (std::string text; std::getline(in, text);) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (Trim(text).empty()) {
      if (!blocks.back().empty()) blocks.emplace_back();
      continue;
    }
    blocks.back().push_back({number, text});
  }
  if (blocks.back().empty()) blocks.pop_back();
  return blocks;
}

class Reader {
 public:
  Reader(std::string path, int depth) : path_(std::move(path)), depth_(depth) {}

  Result<std::vector<Record>> Read() {
    std::ifstream in(path_);
    if (!in) return Status::InvalidInput(path_ + ": cannot read the scenario file");
    for (const Block& block : Blocks(in)) TANDEM_RETURN_IF_ERROR(ReadBlock(block));
    return std::move(records_);
  }

 private:
  Status Error(int line, const std::string& what) const {
    return Status::InvalidInput(path_ + ":" + std::to_string(line) + ": " + what);
  }

  Status ReadBlock(const Block& block) {
    Record record;
    record.file = path_;
    record.only_on = file_only_on_;
    record.skipped_on = file_skipped_on_;
    size_t i = 0;
    for (; i < block.size(); ++i) {
      const std::string& text = block[i].text;
      if (StartsWith(text, "#")) continue;
      std::vector<std::string> words = Words(text);
      if (words[0] != "onlyif" && words[0] != "skipif") break;
      TANDEM_RETURN_IF_ERROR(ReadCondition(block[i], words, record));
    }
    if (i == block.size()) {
      // Conditions alone apply to every record after them in this file.
      file_only_on_ = record.only_on;
      file_skipped_on_ = record.skipped_on;
      return Status::Ok();
    }
    record.line = block[i].number;
    return ReadRecord(block, i, record);
  }

  Status ReadCondition(const Line& line, const std::vector<std::string>& words,
                       Record& record) const {
    const auto* known =
        std::find(std::begin(kEngines), std::end(kEngines), words.size() == 2 ? words[1] : "");
    if (known == std::end(kEngines)) {
      return Error(line.number, "`" + words[0] + "` names one engine: postgres or sqlite");
    }
    (words[0] == "onlyif" ? record.only_on : record.skipped_on).push_back(words[1]);
    return Status::Ok();
  }

  Status ReadRecord(const Block& block, size_t header, Record& record) {
    const Line& line = block[header];
    std::vector<std::string> words = Words(line.text);
    const std::string& keyword = words[0];
    if (keyword == "statement") return ReadStatement(block, header, words, record);
    if (keyword == "query") return ReadQuery(block, header, words, record);
    if (keyword == "connection") return ReadConnection(block, header, words, record);
    if (keyword == "migration") return ReadMigration(block, header, words, record);
    if (keyword == "tandem") return ReadTandem(block, header, words, record);
    if (keyword == "snapshot") return ReadSnapshot(block, header, words, record);
    if (keyword == "include") return ReadInclude(block, header, words, record);
    return Error(line.number, "unknown record \"" + keyword + "\": expected " + kRecordNames);
  }

  Status ExpectNothingAfter(const Block& block, size_t header, const std::string& what) const {
    if (header + 1 == block.size()) return Status::Ok();
    return Error(block[header + 1].number,
                 what + " is one line: leave a blank line before the next record");
  }

  Status ReadStatement(const Block& block, size_t header, const std::vector<std::string>& words,
                       Record& record) {
    if (words.size() < 2 || (words[1] != "ok" && words[1] != "error") ||
        (words[1] == "ok" && words.size() > 2)) {
      return Error(record.line, "write `statement ok` or `statement error [text it contains]`");
    }
    if (header + 1 == block.size()) return Error(record.line, "the statement has no SQL");
    record.kind = RecordKind::kStatement;
    record.mode = words[1];
    record.argument = AfterWords(block[header].text, 2);
    record.body = JoinLines(block, header + 1, block.size());
    records_.push_back(std::move(record));
    return Status::Ok();
  }

  Status ReadQuery(const Block& block, size_t header, const std::vector<std::string>& words,
                   Record& record) {
    bool types_known = words.size() >= 2 && !words[1].empty() &&
                       words[1].find_first_not_of("ITRB") == std::string::npos;
    if (!types_known || words.size() > 3 || (words.size() == 3 && words[2] != "rowsort")) {
      return Error(record.line,
                   "write `query <types> [rowsort]`, one letter a column: I integer, T text, "
                   "R real, B boolean");
    }
    size_t separator = header + 1;
    while (separator < block.size() && block[separator].text != "----") ++separator;
    if (separator == block.size()) {
      return Error(record.line, "the query has no `----` line before its expected rows");
    }
    if (separator == header + 1) return Error(record.line, "the query has no SQL");
    record.kind = RecordKind::kQuery;
    record.mode = words[1];
    record.rowsort = words.size() == 3;
    record.body = JoinLines(block, header + 1, separator);
    for (size_t i = separator + 1; i < block.size(); ++i) record.expected.push_back(block[i].text);
    records_.push_back(std::move(record));
    return Status::Ok();
  }

  Status ReadConnection(const Block& block, size_t header, const std::vector<std::string>& words,
                        Record& record) {
    bool old_one = words.size() == 2 && words[1] == "old";
    bool new_one = (words.size() == 2 || words.size() == 3) && words[1] == "new";
    if (!old_one && !new_one) {
      return Error(record.line, "write `connection old` or `connection new [version]`");
    }
    record.kind = RecordKind::kConnection;
    record.mode = words[1];
    record.argument = words.size() == 3 ? words[2] : "";
    records_.push_back(std::move(record));
    return ExpectNothingAfter(block, header, "`connection`");
  }

  Status ReadMigration(const Block& block, size_t header, const std::vector<std::string>& words,
                       Record& record) {
    if (words.size() != 2) return Error(record.line, "write `migration <name>`");
    if (header + 1 == block.size()) {
      return Error(record.line, "the migration has no body: its YAML follows on the next lines");
    }
    record.kind = RecordKind::kMigration;
    record.argument = words[1];
    record.body = JoinLines(block, header + 1, block.size());
    records_.push_back(std::move(record));
    return Status::Ok();
  }

  Status ReadTandem(const Block& block, size_t header, const std::vector<std::string>& words,
                    Record& record) {
    if (words.size() < 2) return Error(record.line, "write `tandem <command> [arguments]`");
    if (header + 1 == block.size()) {
      return Error(record.line, "the next line says what tandem must do: `ok` or `error <code>`");
    }
    const Line& expectation = block[header + 1];
    std::vector<std::string> said = Words(expectation.text);
    size_t texts_from = 1;
    if (said[0] == "error") {
      bool code = said.size() >= 2 && said[1].size() <= kMaxExitCodeDigits &&
                  said[1].find_first_not_of("0123456789") == std::string::npos;
      if (!code) return Error(expectation.number, "write `error <exit code> [text]`");
      record.exit_code = std::stoi(said[1]);
      texts_from = 2;
    } else if (said[0] != "ok") {
      return Error(expectation.number, "expected `ok [text]` or `error <exit code> [text]`");
    }
    record.kind = RecordKind::kTandem;
    record.args.assign(words.begin() + 1, words.end());
    std::string text = AfterWords(expectation.text, texts_from);
    if (!text.empty()) record.contains.push_back(text);
    for (size_t i = header + 2; i < block.size(); ++i) {
      const std::string& line = block[i].text;
      if (StartsWith(line, "!")) {
        record.excludes.push_back(line.substr(1));
      } else {
        record.contains.push_back(line);
      }
    }
    records_.push_back(std::move(record));
    return Status::Ok();
  }

  Status ReadSnapshot(const Block& block, size_t header, const std::vector<std::string>& words,
                      Record& record) {
    bool mode =
        words.size() == 3 && (words[1] == "save" || words[1] == "same" || words[1] == "differs");
    if (!mode) return Error(record.line, "write `snapshot save|same|differs <label>`");
    record.kind = RecordKind::kSnapshot;
    record.mode = words[1];
    record.argument = words[2];
    records_.push_back(std::move(record));
    return ExpectNothingAfter(block, header, "`snapshot`");
  }

  Status ReadInclude(const Block& block, size_t header, const std::vector<std::string>& words,
                     Record& record) {
    if (words.size() != 2) return Error(record.line, "write `include <file>`");
    if (depth_ >= kMaxIncludeDepth) {
      return Error(record.line, "includes nest deeper than " + std::to_string(kMaxIncludeDepth) +
                                    " files: does a file include itself?");
    }
    TANDEM_RETURN_IF_ERROR(ExpectNothingAfter(block, header, "`include`"));
    std::string included = (std::filesystem::path(path_).parent_path() / words[1]).string();
    Result<std::vector<Record>> records = Reader(included, depth_ + 1).Read();
    if (!records.ok()) return records.status().WithContext(record.Where() + ": in the include");
    for (Record& inner : *records) {
      inner.only_on.insert(inner.only_on.end(), record.only_on.begin(), record.only_on.end());
      inner.skipped_on.insert(inner.skipped_on.end(), record.skipped_on.begin(),
                              record.skipped_on.end());
      records_.push_back(std::move(inner));
    }
    return Status::Ok();
  }

  std::string path_;
  int depth_;
  std::vector<std::string> file_only_on_;
  std::vector<std::string> file_skipped_on_;
  std::vector<Record> records_;
};

}  // namespace

bool Record::RunsOn(const std::string& engine) const {
  for (const auto& only : only_on) {
    if (only != engine) return false;
  }
  return std::find(skipped_on.begin(), skipped_on.end(), engine) == skipped_on.end();
}

Result<std::vector<Record>> ReadScenario(const std::string& path) { return Reader(path, 0).Read(); }

}  // namespace tandem::testing::scenario
