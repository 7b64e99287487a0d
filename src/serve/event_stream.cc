#include "serve/event_stream.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/rfc3339.h"
#include "serve/access.h"

namespace tandem::serve {
namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

json TextOrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

// Holds one of the stream slots until the stream is gone.
class Slot {
 public:
  explicit Slot(std::shared_ptr<std::atomic<int>> open) : open_(std::move(open)) {}
  ~Slot() { open_->fetch_sub(1); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  std::shared_ptr<std::atomic<int>> open_;
};

// What one open stream remembers between calls.
struct StreamState {
  long long after = 0;
  Clock::time_point opened = Clock::now();
  Clock::time_point last_write = Clock::now();
  bool first = true;
};

}  // namespace

std::string EventJson(const core::SchemaEvent& e) {
  const core::Event& event = e.recorded.event;
  std::optional<std::string> at = DatabaseTimeToRfc3339(e.recorded.at);
  json line = {{"id", e.recorded.id},
               {"time", at ? json(*at) : json(nullptr)},
               {"migration", TextOrNull(e.migration)},
               {"phase", TextOrNull(event.phase)},
               {"kind", TextOrNull(event.kind)},
               {"description", TextOrNull(event.description)},
               {"outcome", TextOrNull(event.outcome)},
               {"detail", TextOrNull(event.detail)},
               {"duration_ms", event.duration_ms},
               {"attempts", event.attempts}};
  return line.dump();
}

std::string SseMessage(const core::SchemaEvent& event) {
  // The event name is a kind of tandem's (letters and '_'); the data is one
  // line of JSON, so no line of it can end the message early.
  return "id: " + std::to_string(event.recorded.id) +
         "\nevent: " + (event.recorded.event.kind.empty() ? "event" : event.recorded.event.kind) +
         "\ndata: " + EventJson(event) + "\n\n";
}

Result<long long> ResumeAfter(const Request& request) {
  std::string text = request.Header("last-event-id");
  const char* where = "Last-Event-ID";
  if (text.empty()) {
    auto query = request.query.find("last_event_id");
    if (query == request.query.end()) return 0LL;
    text = query->second;
    where = "last_event_id";
  }
  long long id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id < 0) {
    return Status::InvalidInput(std::string(where) + " \"" + text +
                                "\": give the id of the last event received (a number), or "
                                "leave it out to read the log from its start");
  }
  return id;
}

EventStreams::EventStreams(EventPage page, EventStreamOptions options)
    : page_(std::move(page)), options_(options) {}

Response EventStreams::Open(const Request& request) {
  Result<long long> after = ResumeAfter(request);
  if (!after.ok()) return JsonError(400, after.status().message());
  if (open_->fetch_add(1) >= options_.max_streams) {
    open_->fetch_sub(1);
    Response busy = JsonError(503, "too many event streams are open; try again shortly");
    busy.headers.push_back({"Retry-After", "5"});
    return busy;
  }
  auto slot = std::make_shared<Slot>(open_);
  auto state = std::make_shared<StreamState>();
  state->after = *after;
  Response response;
  response.content_type = "text/event-stream";
  response.headers.push_back({"Cache-Control", "no-store"});
  response.stream = [slot, state, page = page_, options = options_,
                     stopping = stopping_](const StreamWrite& write) {
    if (stopping->load() || Clock::now() - state->opened > options.lifetime) return false;
    if (state->first) {
      state->first = false;
      // How long a browser waits before it reconnects after the stream ends.
      if (!write("retry: 1000\n\n")) return false;
    }
    Result<std::vector<core::SchemaEvent>> events = page(state->after, options.page);
    if (!events.ok()) {
      // Said once, as an event of its own; the client reconnects and resumes.
      write("event: error\ndata: " + nlohmann::json{{"error", events.status().message()}}.dump() +
            "\n\n");
      return false;
    }
    for (const auto& event : *events) {
      if (!write(SseMessage(event))) return false;
      state->after = event.recorded.id;
      state->last_write = Clock::now();
    }
    if (static_cast<int>(events->size()) == options.page) return true;  // more waiting
    if (Clock::now() - state->last_write > options.keepalive) {
      if (!write(": keepalive\n\n")) return false;
      state->last_write = Clock::now();
    }
    std::this_thread::sleep_for(options.poll);
    return true;
  };
  return response;
}

}  // namespace tandem::serve
