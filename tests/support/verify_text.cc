#include "support/verify_text.h"

#include <gtest/gtest.h>

namespace tandem::testing {

void ExpectBackfillNotFinished(const CommandResult& verify, long long rows_not_reached) {
  EXPECT_EQ(verify.exit_code, 1);
  std::string said = verify.out + verify.err;
  EXPECT_NE(said.find("backfill not finished: " + std::to_string(rows_not_reached) +
                      " rows not reached; run `tandem backfill`"),
            std::string::npos)
      << said;
  EXPECT_EQ(said.find("FAILED"), std::string::npos) << said;
}

}  // namespace tandem::testing
