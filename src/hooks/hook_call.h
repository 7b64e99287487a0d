// One call of a hook: a shell command given the event on its stdin, or an
// HTTP POST of the event to a URL. Each is held to a timeout; a call that
// fails or times out returns an error saying which and why, and never
// throws or outlives its timeout (a command is killed with its process group).
#pragma once

#include <string>

#include "common/duration.h"
#include "common/status.h"

namespace tandem::hooks {

// Runs `command` with /bin/sh -c, writing `payload` to its stdin. Its
// stdout goes to tandem's stderr, so it never mixes into --json output.
// Ok when it exits 0 within `timeout`.
Status RunHookCommand(const std::string& command, const std::string& payload, Millis timeout);

// POSTs `payload` (application/json) to `url`, http://HOST[:PORT][/PATH].
// Ok on a 2xx answer within `timeout`.
Status PostHook(const std::string& url, const std::string& payload, Millis timeout);

// kInvalidInput unless `url` is one PostHook can call.
Status CheckHookUrl(const std::string& url);

}  // namespace tandem::hooks
