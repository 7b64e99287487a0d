#include "serve/access.h"

#include <nlohmann/json.hpp>

namespace tandem::serve {
namespace {

// The host[:port] of an origin such as "http://127.0.0.1:9477".
std::string HostOfOrigin(const std::string& origin) {
  size_t scheme_end = origin.find("://");
  if (scheme_end == std::string::npos) return "";
  return origin.substr(scheme_end + 3);
}

}  // namespace

bool IsLoopback(const std::string& remote_address) {
  std::string address = remote_address;
  constexpr char kMapped[] = "::ffff:";
  if (address.rfind(kMapped, 0) == 0) address = address.substr(sizeof kMapped - 1);
  return address == "::1" || address.rfind("127.", 0) == 0;
}

bool CrossOrigin(const Request& request) {
  // Sent by every current browser: "same-origin" for the page's own
  // requests, "none" for an address typed by the user.
  std::string site = request.Header("sec-fetch-site");
  if (!site.empty() && site != "same-origin" && site != "none") return true;
  // Older browsers send only Origin (on POST, and on cross-origin GET).
  std::string origin = request.Header("origin");
  if (origin.empty()) return false;
  return HostOfOrigin(origin) != request.Header("host");
}

std::string BearerToken(const Request& request) {
  std::string header = request.Header("authorization");
  constexpr char kBearer[] = "Bearer ";
  if (header.size() <= sizeof kBearer - 1 || header.compare(0, sizeof kBearer - 1, kBearer) != 0) {
    return "";
  }
  return header.substr(sizeof kBearer - 1);
}

Response JsonError(int status, const std::string& message) {
  return Reply(status, "application/json", nlohmann::json{{"error", message}}.dump() + "\n");
}

std::optional<Response> Refusal(const Request& request, Access access, const TokenCheck& check) {
  if (CrossOrigin(request)) {
    return JsonError(403,
                     "refused: the request comes from a page of another origin; use the page "
                     "tandem serves itself, or a client that is not a browser");
  }
  if (access == Access::kRead && IsLoopback(request.remote_address)) return std::nullopt;
  std::string token = BearerToken(request);
  std::string why;
  if (token.empty()) {
    why = access == Access::kControl ? "this changes the migration: send the control token as "
                                       "\"Authorization: Bearer TOKEN\""
                                     : "reading from another machine needs the control token as "
                                       "\"Authorization: Bearer TOKEN\"";
  } else {
    Result<bool> matches = check(token);
    if (!matches.ok()) {
      return JsonError(503, "cannot check the token: " + matches.status().message());
    }
    if (*matches) return std::nullopt;
    why = "the token is not the current one; `tandem serve --new-token` makes a new one";
  }
  Response refused = JsonError(401, why);
  refused.headers.push_back({"WWW-Authenticate", "Bearer realm=\"tandem\""});
  return refused;
}

}  // namespace tandem::serve
