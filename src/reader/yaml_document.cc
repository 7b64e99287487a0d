#include "reader/yaml_document.h"

#include <yaml-cpp/eventhandler.h>

#include <optional>
#include <sstream>
#include <vector>

namespace tandem::reader {
namespace {

// Documents enough to tell one from two, and a parser stuck on one token
// from a real third document.
constexpr size_t kDocumentsToRead = 3;

// Where each document of the stream starts, and where its root value is.
class DocumentMarks : public YAML::EventHandler {
 public:
  struct Document {
    YAML::Mark start;
    std::optional<YAML::Mark> root;
  };

  const std::vector<Document>& documents() const { return documents_; }

  void OnDocumentStart(const YAML::Mark& mark) override { documents_.push_back({mark, {}}); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Value(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Value(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Value(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Value(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Value(mark);
  }
  void OnMapEnd() override {}

 private:
  void Value(const YAML::Mark& mark) {
    if (!documents_.empty() && !documents_.back().root) documents_.back().root = mark;
  }

  std::vector<Document> documents_;
};

plan::SourcePos PosOfMark(const YAML::Mark& mark) { return {mark.line + 1, mark.column + 1}; }

// The character at `mark` (line and column count bytes), or "" when the
// mark does not point at a printable ASCII character of `content`.
std::string TextAt(const std::string& content, const YAML::Mark& mark) {
  size_t offset = 0;
  for (int line = 0; line < mark.line && offset != std::string::npos; ++line) {
    offset = content.find('\n', offset);
    if (offset != std::string::npos) ++offset;
  }
  if (offset == std::string::npos || offset + mark.column >= content.size()) return "";
  char c = content[offset + mark.column];
  return c > ' ' && c < 0x7f ? std::string(1, c) : "";
}

void ReportSyntaxError(const YAML::Mark& mark, const std::string& problem, ErrorSink* errors) {
  errors->Report(PosOfMark(mark), "",
                 "not valid YAML or JSON: " + problem +
                     "; check indentation, quoting and brackets at this point or just before it");
}

// Reads the first documents' marks; reports a stream with no usable single
// document. Never loops: at most kDocumentsToRead documents are asked for.
bool CheckDocumentCount(const std::string& content, ErrorSink* errors) {
  std::istringstream stream(content);
  YAML::Parser parser(stream);
  DocumentMarks marks;
  while (marks.documents().size() < kDocumentsToRead && parser.HandleNextDocument(marks)) {
    const auto& documents = marks.documents();
    if (documents.size() >= 2 && documents.back().start.pos == documents.end()[-2].start.pos) {
      std::string text = TextAt(content, documents.back().start);
      ReportSyntaxError(
          documents.back().start,
          (text.empty() ? std::string("unexpected text") : "unexpected `" + text + "`") +
              " where a value or the end of the file should be (e.g. a comma after "
              "the last closing bracket)",
          errors);
      return false;
    }
  }
  const auto& documents = marks.documents();
  if (documents.size() > 1) {
    errors->Report(PosOfMark(documents[1].root.value_or(documents[1].start)), "",
                   "the file holds more than one YAML document (`---`); put all operations "
                   "in one document, or one migration per file");
    return false;
  }
  return true;
}

}  // namespace

YAML::Node LoadSingleDocument(const std::string& content, ErrorSink* errors) {
  YAML::Node root;
  try {
    if (!CheckDocumentCount(content, errors)) return YAML::Node(YAML::NodeType::Undefined);
    // One document is known to be there, so Load (which reads one) sees it all.
    root = YAML::Load(content);
  } catch (const YAML::Exception& e) {
    ReportSyntaxError(e.mark, e.msg, errors);
    return YAML::Node(YAML::NodeType::Undefined);
  }
  if (root.IsNull()) {
    errors->Report({1, 1}, "",
                   "the file has no content (only comments or `---`); a migration "
                   "needs an `operations` list");
  } else if (!root.IsMap()) {
    errors->Report(PosOf(root), "",
                   "the top level must be a map with an `operations` list, got " + Describe(root) +
                       "; is this a migration file?");
  } else {
    return root;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace tandem::reader
