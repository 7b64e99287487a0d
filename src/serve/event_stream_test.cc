#include "serve/event_stream.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tandem::serve {
namespace {

core::SchemaEvent MakeEvent(long long id, const std::string& kind) {
  core::SchemaEvent event;
  event.migration = "02_code";
  event.recorded.id = id;
  event.recorded.at = "2026-12-07 05:31:02.12+00";
  event.recorded.event = {
      .phase = "backfill", .kind = kind, .description = "paused", .outcome = "ok"};
  return event;
}

// Runs `response`'s stream until it ends or has written `calls` times.
std::string Drain(const Response& response, int calls) {
  std::string out;
  StreamWrite write = [&out](std::string_view piece) {
    out += piece;
    return true;
  };
  for (int i = 0; i < calls && response.stream(write); ++i) {
  }
  return out;
}

TEST(EventStreamTest, AMessageCarriesIdKindAndOneLineOfJson) {
  std::string message = SseMessage(MakeEvent(42, "control"));
  ASSERT_EQ(message.rfind("id: 42\nevent: control\ndata: ", 0), 0u) << message;
  ASSERT_EQ(message.substr(message.size() - 2), "\n\n");
  std::string data = message.substr(message.find("data: ") + 6);
  data.resize(data.size() - 2);
  EXPECT_EQ(data.find('\n'), std::string::npos);
  nlohmann::json parsed = nlohmann::json::parse(data);
  EXPECT_EQ(parsed["id"], 42);
  EXPECT_EQ(parsed["time"], "2026-12-07T05:31:02.12+00:00");
  EXPECT_EQ(parsed["migration"], "02_code");
  EXPECT_TRUE(parsed["detail"].is_null()) << "empty values are null";
}

TEST(EventStreamTest, ResumesAfterLastEventIdOrTheQueryParameter) {
  Request request;
  EXPECT_EQ(*ResumeAfter(request), 0);
  request.query["last_event_id"] = "7";
  EXPECT_EQ(*ResumeAfter(request), 7);
  request.headers["last-event-id"] = "12";
  EXPECT_EQ(*ResumeAfter(request), 12) << "the header wins";
  request.headers["last-event-id"] = "12abc";
  EXPECT_EQ(ResumeAfter(request).status().kind(), ErrorKind::kInvalidInput);
  request.headers["last-event-id"] = "-1";
  EXPECT_EQ(ResumeAfter(request).status().kind(), ErrorKind::kInvalidInput);
}

TEST(EventStreamTest, ReadsPagesAfterTheLastIdSent) {
  std::vector<long long> asked_after;
  EventPage page = [&asked_after](long long after, int limit) {
    asked_after.push_back(after);
    std::vector<core::SchemaEvent> events;
    for (long long id = after + 1; id <= std::min(after + limit, 5LL); ++id) {
      events.push_back(MakeEvent(id, "step"));
    }
    return Result<std::vector<core::SchemaEvent>>(events);
  };
  EventStreamOptions options;
  options.page = 2;
  options.poll = std::chrono::milliseconds(1);
  EventStreams streams(page, options);
  Request request;
  request.headers["last-event-id"] = "1";
  Response response = streams.Open(request);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/event-stream");
  std::string sent = Drain(response, 4);
  EXPECT_EQ(sent.find("id: 1\n"), std::string::npos) << sent;
  for (const char* id : {"id: 2\n", "id: 3\n", "id: 4\n", "id: 5\n"}) {
    EXPECT_NE(sent.find(id), std::string::npos) << id << " in\n" << sent;
  }
  ASSERT_GE(asked_after.size(), 3u);
  EXPECT_EQ(asked_after[0], 1);
  EXPECT_EQ(asked_after[1], 3);
  EXPECT_EQ(asked_after[2], 5);
}

TEST(EventStreamTest, TooManyStreamsGetABusyAnswerAndAClosedOneFreesItsPlace) {
  EventPage none = [](long long, int) {
    return Result<std::vector<core::SchemaEvent>>(std::vector<core::SchemaEvent>{});
  };
  EventStreamOptions options;
  options.max_streams = 1;
  EventStreams streams(none, options);
  std::optional<Response> first = streams.Open(Request());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(streams.Open(Request()).status, 503);
  first.reset();
  EXPECT_EQ(streams.Open(Request()).status, 200);
}

TEST(EventStreamTest, StopAllEndsTheStreams) {
  EventPage none = [](long long, int) {
    return Result<std::vector<core::SchemaEvent>>(std::vector<core::SchemaEvent>{});
  };
  EventStreamOptions options;
  options.poll = std::chrono::milliseconds(1);
  EventStreams streams(none, options);
  Response response = streams.Open(Request());
  StreamWrite write = [](std::string_view) { return true; };
  EXPECT_TRUE(response.stream(write));
  streams.StopAll();
  EXPECT_FALSE(response.stream(write));
}

}  // namespace
}  // namespace tandem::serve
