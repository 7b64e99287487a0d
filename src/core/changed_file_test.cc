#include "core/changed_file.h"

#include <gtest/gtest.h>

namespace tandem::core {
namespace {

TEST(ChangedFileTest, NamesTheFirstLineThatDiffers) {
  EXPECT_EQ(FirstChangedLine("a: 1\nup: lower(x)\nb: 2\n", "a: 1\nup: upper(x)\nb: 3\n"),
            "line 2 was \"up: lower(x)\", now \"up: upper(x)\"");
}

TEST(ChangedFileTest, LinesAddedOrRemovedAtTheEnd) {
  EXPECT_EQ(FirstChangedLine("a: 1", "a: 1\n# edited"), "line 2 is new: \"# edited\"");
  EXPECT_EQ(FirstChangedLine("a: 1\nb: 2", "a: 1"), "line 2 is gone: \"b: 2\"");
}

TEST(ChangedFileTest, EqualFilesAndLongLines) {
  EXPECT_EQ(FirstChangedLine("same\n", "same\n"), "");
  std::string changed = FirstChangedLine(std::string(500, 'a'), std::string(500, 'b'));
  EXPECT_LT(changed.size(), 300u) << changed;
  EXPECT_NE(changed.find("..."), std::string::npos) << changed;
}

}  // namespace
}  // namespace tandem::core
