#include "core/event_hooks.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tandem::core {
namespace {

TEST(EventHooksTest, ThePayloadIsTheDocumentedObject) {
  MigrationRecord record;
  record.name = "02_code";
  record.schema = "public";
  record.version_schema = "public_02_code";
  Event event{.phase = "backfill",
              .kind = "throttle",
              .description = "throttle on",
              .outcome = "throttled",
              .detail = "replica lag 7s above 5s"};
  auto payload = nlohmann::json::parse(HookPayload(record, event, "2026-01-02T03:04:05Z"));
  EXPECT_EQ(payload["event"], "throttle");
  EXPECT_EQ(payload["migration"], "02_code");
  EXPECT_EQ(payload["schema"], "public");
  EXPECT_EQ(payload["version_schema"], "public_02_code");
  EXPECT_EQ(payload["phase"], "backfill");
  EXPECT_EQ(payload["at"], "2026-01-02T03:04:05Z");
  EXPECT_EQ(payload["detail"], "replica lag 7s above 5s");
  event.detail.clear();
  EXPECT_TRUE(nlohmann::json::parse(HookPayload(record, event, "t"))["detail"].is_null());
}

TEST(EventHooksTest, FlagsOverFileOverConfigKeyByKey) {
  plan::HookSettings flags;
  flags.command = "flag-cmd";
  plan::HookSettings file;
  file.command = "file-cmd";
  file.timeout = Millis(100);
  plan::HookSettings config;
  config.url = "http://127.0.0.1:1/";
  config.timeout = Millis(900);
  config.events = {"phase"};
  plan::HookSettings hooks = ResolveHooks(flags, file, config);
  EXPECT_EQ(hooks.command, "flag-cmd");
  EXPECT_EQ(hooks.url, "http://127.0.0.1:1/");
  EXPECT_EQ(hooks.timeout, Millis(100));
  EXPECT_EQ(hooks.events, std::vector<std::string>{"phase"});
}

}  // namespace
}  // namespace tandem::core
