#include "readers/findings.h"

#include <gtest/gtest.h>

namespace tandem::readers {
namespace {

TEST(FindingsTest, SaysWhatCompleteDoesToEachRetiredObject) {
  using plan::RetiredChange;
  EXPECT_EQ(RetiredText({"users", "age", RetiredChange::kDropped, ""}, "public"),
            "column public.users.age, which complete drops");
  EXPECT_EQ(RetiredText({"users", "name", RetiredChange::kRenamed, "full_name"}, "main"),
            "column main.users.name, which complete renames to full_name");
  EXPECT_EQ(RetiredText({"users", "email", RetiredChange::kReplaced, ""}, "public"),
            "column public.users.email, which complete drops for the new version's column of "
            "that name");
  EXPECT_EQ(RetiredText({"notes", "", RetiredChange::kDropped, ""}, "public"),
            "table public.notes, which complete drops");
  EXPECT_EQ(OldVersionText("public_02_x.users"),
            "view public_02_x.users of the old version, which complete drops");
}

TEST(FindingsTest, RefusalNamesEveryReaderOnceAndHowToGoOn) {
  Reader view{kView, "public.v", "column public.users.age, which complete drops", ActionFor(kView)};
  Reader function{kFunction, "public.f()", "table public.notes, which complete drops",
                  ActionFor(kFunction)};
  std::vector<Reader> tidy = Tidy({view, function, view});
  ASSERT_EQ(tidy.size(), 2u);
  EXPECT_EQ(tidy[0].kind, kFunction);  // sorted by kind, then name
  Status refused = RefuseReaders("03_drop", tidy);
  EXPECT_EQ(refused.kind(), ErrorKind::kRefused);
  EXPECT_NE(refused.message().find("2 objects of the database still use what complete of "
                                   "\"03_drop\" drops or renames; nothing was changed"),
            std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("\n  " + ReaderLine(view)), std::string::npos);
  EXPECT_NE(refused.message().find("--force --reason TEXT"), std::string::npos);
  EXPECT_NE(RefuseReaders("03_drop", {view}).message().find("1 object of the database still uses"),
            std::string::npos);
  EXPECT_TRUE(RefuseReaders("03_drop", {}).ok());
}

}  // namespace
}  // namespace tandem::readers
