// /api/v1/events: the event log of the schema's migrations as server-sent
// events (text/event-stream). Each message carries the event's id, so a
// client that reconnects (a browser's EventSource does so by itself) sends
// Last-Event-ID and resumes after the last event it saw.
//
// Memory stays bounded however long the log and however slow the client:
// the stream holds one page of events at a time, a few streams run at once
// (more get 503), and each ends after a while for the client to reconnect.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/state_store.h"
#include "serve/http_server.h"

namespace tandem::serve {

// Reads up to `limit` events after id `after_id`, oldest first. Called on
// the server's threads, one call at a time per stream.
using EventPage =
    std::function<Result<std::vector<core::SchemaEvent>>(long long after_id, int limit)>;

struct EventStreamOptions {
  int page = 100;  // events read and held at a time
  std::chrono::milliseconds poll{500};
  std::chrono::seconds keepalive{15};  // a comment line, so proxies keep the stream open
  std::chrono::seconds lifetime{300};  // then the stream ends; clients reconnect
  int max_streams = 4;                 // the server's worker threads serve the rest
};

// The event as one line of JSON: id, time (RFC 3339), migration, phase,
// kind, description, outcome, detail, duration_ms, attempts; empty values
// are null.
std::string EventJson(const core::SchemaEvent& event);

// One server-sent event: "id: ...\nevent: KIND\ndata: JSON\n\n".
std::string SseMessage(const core::SchemaEvent& event);

// The event id to resume after: the Last-Event-ID header, else the query
// parameter last_event_id, else 0 (the whole log). kInvalidInput for one
// that is not a non-negative number.
Result<long long> ResumeAfter(const Request& request);

class EventStreams {
 public:
  EventStreams(EventPage page, EventStreamOptions options = {});

  // The answer to a GET of the stream: 400 for a bad Last-Event-ID, 503
  // when max_streams already run, else the stream.
  Response Open(const Request& request);
  // Ends every stream at its next poll (the server is stopping).
  void StopAll() { stopping_->store(true); }

 private:
  EventPage page_;
  EventStreamOptions options_;
  std::shared_ptr<std::atomic<int>> open_ = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<bool>> stopping_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace tandem::serve
