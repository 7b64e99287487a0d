// Who may use what `tandem serve` offers:
//   - nothing is answered to another site's page: a browser names the page
//     that asks (Origin, Sec-Fetch-Site), and a request from another origin
//     is refused with 403, so no web page a person has open can press
//     pause, or read the records, behind their back;
//   - reading needs no token from this machine (loopback), and the bearer
//     token from anywhere else;
//   - changing something (pause, switch, a flag) always needs the token:
//     `Authorization: Bearer TOKEN`, else 401.
// The token itself is checked by a callback (the state store keeps only its
// SHA-256).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "serve/http_server.h"

namespace tandem::serve {

enum class Access { kRead, kControl };

// Whether `token` is the one tandem made; an error when it cannot tell.
using TokenCheck = std::function<Result<bool>(const std::string& token)>;

// True for 127.0.0.0/8 and ::1, also written as IPv4-mapped IPv6.
bool IsLoopback(const std::string& remote_address);

// Whether the browser says `request` comes from a page of another origin
// than the server's own (the Host it was sent to).
bool CrossOrigin(const Request& request);

// The token of an "Authorization: Bearer TOKEN" header; "" when there is none.
std::string BearerToken(const Request& request);

// The answer refusing `request` (403, 401, or 503 when the token cannot be
// checked), or nullopt when it may go on.
std::optional<Response> Refusal(const Request& request, Access access, const TokenCheck& check);

// A JSON object {"error": message} with `status`.
Response JsonError(int status, const std::string& message);

}  // namespace tandem::serve
