// Calls hooks off the thread that records events, so that a slow or hanging
// hook never holds a migration: events queue (at most kMaxQueued; more are
// dropped and counted as failures) and one worker thread calls each
// event's command and URL in order, each within its timeout.
//
// Thread-safe. The destructor waits for the queue to empty: at most the
// queued calls' timeouts.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/duration.h"

namespace tandem::hooks {

// Where one event goes.
struct Targets {
  std::string command;  // empty: none
  std::string url;      // empty: none
  Millis timeout{5000};
};

class Dispatcher {
 public:
  static constexpr size_t kMaxQueued = 256;

  Dispatcher() = default;
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Queues `payload` for `targets`; returns at once.
  void Post(const Targets& targets, std::string payload);
  // Waits until every queued call has been made.
  void Drain();
  // The failures since the last call, each in words (what, where, why), to
  // record as events; they were logged when they happened.
  std::vector<std::string> TakeFailures();
  // Every failure so far, dropped events included.
  long long failures() const;

 private:
  struct Call {
    Targets targets;
    std::string payload;
  };
  void Work();
  void Fail(const std::string& message);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Call> queue_;
  bool busy_ = false;  // the worker is making a call
  bool stopping_ = false;
  std::vector<std::string> unreported_;
  long long failures_ = 0;
  std::thread worker_;  // started by the first Post
};

}  // namespace tandem::hooks
