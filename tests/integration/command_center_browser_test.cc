// The command center page in a real browser: headless Chromium (Debian's,
// driven through chromedriver) loads the page that `tandem backfill
// --listen` serves while it runs, sees the progress advance, enters the
// control token and clicks pause; the database then holds the backfill
// paused. A screenshot of the page is kept under the build directory
// (artifacts/command-center.png).
#include <filesystem>
#include <thread>

#include "integration/items_table.h"
#include "integration/pg_fixture.h"
#include "support/served_metrics.h"
#include "support/web_driver.h"

namespace tandem::testing {
namespace {

// The rows the page shows as backfilled, summed over its tables.
constexpr char kRowsShown[] =
    "return Array.from(document.querySelectorAll('[data-rows]'))"
    ".reduce((sum, e) => sum + Number(e.dataset.rows), 0);";

class CommandCenterBrowserTest : public ItemsMigrationTest {
 protected:
  // Polls the page (up to 20 s) until `accept` takes the rows it shows.
  template <typename Accept>
  long long RowsShownWhen(WebDriver& browser, Accept accept) {
    long long rows = -1;
    for (int i = 0; i < 200; ++i) {
      nlohmann::json shown = browser.Run(kRowsShown);
      rows = shown.is_number() ? shown.get<long long>() : -1;
      if (accept(rows)) return rows;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the page never showed the rows awaited; last: " << rows;
    return rows;
  }
};

TEST_F(CommandCenterBrowserTest, ShowsABackfillMoveAndPausesItWithTheToken) {
  // About 10 s of backfill, served while it runs.
  ServedTandem backfill(url_, {"backfill", "--batch-size", "200", "--max-rows-per-second", "6000",
                               "--listen", "127.0.0.1:0"});
  ASSERT_NE(backfill.port(), 0) << backfill.errors();
  std::string token = backfill.token();
  ASSERT_FALSE(token.empty()) << "the first serve prints the control token:\n" << backfill.errors();

  WebDriver browser;
  ASSERT_TRUE(browser.ok()) << browser.why();
  ASSERT_TRUE(browser.Open(backfill.base_url() + "/")) << browser.why();

  long long first = RowsShownWhen(browser, [](long long rows) { return rows > 0; });
  long long later = RowsShownWhen(browser, [first](long long rows) { return rows > first; });
  EXPECT_GT(later, first) << "the progress on the page advances";
  EXPECT_LT(later, 60000) << "the backfill should still be running";
  nlohmann::json alerts = browser.Run("return document.getElementById('alerts').textContent;");
  EXPECT_EQ(alerts, "No alert thresholds are set (alerts: in the file).") << alerts.dump();

  std::string field = browser.Find("#token");
  std::string pause = browser.Find("#pause");
  ASSERT_FALSE(field.empty() || pause.empty()) << browser.why();
  ASSERT_TRUE(browser.Type(field, token)) << browser.why();
  ASSERT_TRUE(browser.Click(pause)) << browser.why();

  std::string result;
  std::string result_element = browser.Find("#control-result");
  for (int i = 0; i < 100 && result.find("Done") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    result = browser.Text(result_element);
  }
  EXPECT_NE(result.find("Done: backfill paused"), std::string::npos) << result;

  // The database holds it paused, and the backfill stops moving.
  EXPECT_EQ(Scalar("SELECT paused FROM tandem.migrations WHERE name = '02_code'"), "t");
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.events WHERE kind = 'control' AND "
                   "description = 'paused'"),
            "1");
  RowsShownWhen(browser, [&](long long) {
    nlohmann::json label =
        browser.Run("return document.querySelector('.table-progress label').textContent;");
    return label.is_string() && label.get<std::string>().find("paused") != std::string::npos;
  });
  // Chunks under way when pause came finish; then nothing moves.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  nlohmann::json paused_rows = browser.Run(kRowsShown);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(browser.Run(kRowsShown), paused_rows) << "no rows move while paused";

  std::filesystem::create_directories(TANDEM_ARTIFACT_DIR);
  EXPECT_TRUE(browser.Screenshot(std::string(TANDEM_ARTIFACT_DIR) + "/command-center.png"))
      << browser.why();

  ASSERT_EQ(Tandem({"resume"}).exit_code, 0);
}

}  // namespace
}  // namespace tandem::testing
