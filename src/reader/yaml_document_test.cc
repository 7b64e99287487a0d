// Streams on which yaml-cpp's own LoadAll never returns must be answered,
// at once, with an error at the token it could not use.
#include "reader/yaml_document.h"

#include <gtest/gtest.h>

#include <string>

namespace tandem::reader {
namespace {

// What LoadSingleDocument reports for `text`, which it must refuse.
std::string Refusal(const std::string& text, const std::string& file = "m.yaml") {
  ErrorSink errors(file);
  YAML::Node root = LoadSingleDocument(text, &errors);
  EXPECT_FALSE(root.IsDefined());
  EXPECT_TRUE(errors.failed());
  return errors.status().message();
}

TEST(YamlDocumentTest, LoneCommaIsAnErrorAtTheComma) {
  EXPECT_EQ(Refusal(","),
            "m.yaml:1:1: not valid YAML or JSON: unexpected `,` where a value or the end of the "
            "file should be (e.g. a comma after the last closing bracket); check indentation, "
            "quoting and brackets at this point or just before it");
}

TEST(YamlDocumentTest, CommaAfterTheClosingBraceOfJson) {
  std::string json = "{\"operations\": [{\"drop_table\": {\"name\": \"t\"}}]},\n";
  EXPECT_NE(Refusal(json, "m.json").find("m.json:1:48: not valid YAML or JSON: unexpected `,`"),
            std::string::npos);
}

TEST(YamlDocumentTest, CommaAfterABlockDocument) {
  EXPECT_NE(Refusal("- drop_table: {name: t}\n,\n")
                .find("m.yaml:2:1: not valid YAML or JSON: unexpected `,`"),
            std::string::npos);
  EXPECT_NE(Refusal("operations: [{drop_table: {name: t}}]\n...\n,\n")
                .find("m.yaml:3:1: not valid YAML or JSON: unexpected `,`"),
            std::string::npos);
}

TEST(YamlDocumentTest, SecondDocumentIsReportedAtItsContent) {
  std::string text = "operations: [{drop_table: {name: a}}]\n---\noperations: []\n";
  EXPECT_NE(Refusal(text).find("m.yaml:3:1: the file holds more than one YAML document"),
            std::string::npos);
}

TEST(YamlDocumentTest, ManyEmptyDocumentsStopAtTheSecond) {
  std::string text = "operations: [{drop_table: {name: a}}]\n";
  for (int i = 0; i < 50000; ++i) text += "---\n";
  EXPECT_NE(Refusal(text).find("m.yaml:3:1: the file holds more than one YAML document"),
            std::string::npos);
}

TEST(YamlDocumentTest, EmptyDocumentHasNoContent) {
  EXPECT_NE(Refusal("---\n# nothing\n").find("m.yaml:1:1: the file has no content"),
            std::string::npos);
}

TEST(YamlDocumentTest, OneMapIsTheRoot) {
  ErrorSink errors("m.yaml");
  YAML::Node root = LoadSingleDocument("operations: []\n", &errors);
  EXPECT_FALSE(errors.failed()) << errors.status().message();
  EXPECT_TRUE(root.IsMap());
}

}  // namespace
}  // namespace tandem::reader
