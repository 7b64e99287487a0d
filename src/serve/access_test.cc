#include "serve/access.h"

#include <gtest/gtest.h>

namespace tandem::serve {
namespace {

Request From(const std::string& address, std::map<std::string, std::string> headers = {}) {
  Request request;
  request.remote_address = address;
  request.headers = std::move(headers);
  if (!request.headers.count("host")) request.headers["host"] = "127.0.0.1:9477";
  return request;
}

// Accepts only "good-token"; counts the checks.
struct Checker {
  int calls = 0;
  TokenCheck Check() {
    return [this](const std::string& token) -> Result<bool> {
      ++calls;
      return token == "good-token";
    };
  }
};

TEST(AccessTest, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopback("127.0.0.1"));
  EXPECT_TRUE(IsLoopback("127.3.2.1"));
  EXPECT_TRUE(IsLoopback("::1"));
  EXPECT_TRUE(IsLoopback("::ffff:127.0.0.1"));
  EXPECT_FALSE(IsLoopback("10.0.0.7"));
  EXPECT_FALSE(IsLoopback("::ffff:10.0.0.7"));
  EXPECT_FALSE(IsLoopback("128.0.0.1"));
}

TEST(AccessTest, CrossOriginByFetchMetadataOrOrigin) {
  EXPECT_FALSE(CrossOrigin(From("127.0.0.1")));  // curl, Prometheus
  EXPECT_FALSE(CrossOrigin(From("127.0.0.1", {{"sec-fetch-site", "same-origin"}})));
  EXPECT_FALSE(CrossOrigin(From("127.0.0.1", {{"sec-fetch-site", "none"}})));
  EXPECT_TRUE(CrossOrigin(From("127.0.0.1", {{"sec-fetch-site", "cross-site"}})));
  EXPECT_TRUE(CrossOrigin(From("127.0.0.1", {{"sec-fetch-site", "same-site"}})));
  EXPECT_FALSE(CrossOrigin(From("127.0.0.1", {{"origin", "http://127.0.0.1:9477"}})));
  EXPECT_TRUE(CrossOrigin(From("127.0.0.1", {{"origin", "http://evil.example"}})));
  EXPECT_TRUE(CrossOrigin(From("127.0.0.1", {{"origin", "null"}})));
}

TEST(AccessTest, BearerTokenOnlyFromABearerHeader) {
  EXPECT_EQ(BearerToken(From("::1", {{"authorization", "Bearer abc"}})), "abc");
  EXPECT_EQ(BearerToken(From("::1", {{"authorization", "Basic abc"}})), "");
  EXPECT_EQ(BearerToken(From("::1", {{"authorization", "Bearer "}})), "");
  EXPECT_EQ(BearerToken(From("::1")), "");
}

TEST(AccessTest, ReadingOnLoopbackNeedsNoTokenElsewhereItDoes) {
  Checker checker;
  EXPECT_FALSE(Refusal(From("127.0.0.1"), Access::kRead, checker.Check()));
  EXPECT_EQ(checker.calls, 0);
  std::optional<Response> remote = Refusal(From("10.1.2.3"), Access::kRead, checker.Check());
  ASSERT_TRUE(remote);
  EXPECT_EQ(remote->status, 401);
  EXPECT_FALSE(Refusal(From("10.1.2.3", {{"authorization", "Bearer good-token"}}), Access::kRead,
                       checker.Check()));
}

TEST(AccessTest, ChangingAlwaysNeedsTheRightToken) {
  Checker checker;
  std::optional<Response> none = Refusal(From("127.0.0.1"), Access::kControl, checker.Check());
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_NE(none->body.find("Authorization: Bearer TOKEN"), std::string::npos) << none->body;
  ASSERT_EQ(none->headers.size(), 1u);
  EXPECT_EQ(none->headers[0].first, "WWW-Authenticate");
  std::optional<Response> wrong = Refusal(From("127.0.0.1", {{"authorization", "Bearer nope"}}),
                                          Access::kControl, checker.Check());
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_NE(wrong->body.find("--new-token"), std::string::npos) << wrong->body;
  EXPECT_FALSE(Refusal(From("127.0.0.1", {{"authorization", "Bearer good-token"}}),
                       Access::kControl, checker.Check()));
}

TEST(AccessTest, AnotherOriginIsRefusedEvenWithTheToken) {
  Checker checker;
  std::optional<Response> refused =
      Refusal(From("127.0.0.1",
                   {{"authorization", "Bearer good-token"}, {"origin", "http://evil.example"}}),
              Access::kControl, checker.Check());
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(checker.calls, 0);
}

TEST(AccessTest, ATokenThatCannotBeCheckedIsNotAccepted) {
  TokenCheck broken = [](const std::string&) -> Result<bool> {
    return Status::Error(ErrorKind::kConnection, "server closed the connection");
  };
  std::optional<Response> refused = Refusal(
      From("127.0.0.1", {{"authorization", "Bearer good-token"}}), Access::kControl, broken);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
}

}  // namespace
}  // namespace tandem::serve
