#include "hooks/dispatcher.h"

#include "common/log.h"
#include "hooks/hook_call.h"

namespace tandem::hooks {

Dispatcher::~Dispatcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Dispatcher::Post(const Targets& targets, std::string payload) {
  if (targets.command.empty() && targets.url.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= kMaxQueued) {
      ++failures_;
      unreported_.push_back("hook event dropped: " + std::to_string(kMaxQueued) +
                            " events were already waiting for slow hooks");
      return;
    }
    queue_.push_back({targets, std::move(payload)});
    if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
  }
  changed_.notify_all();
}

void Dispatcher::Drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

std::vector<std::string> Dispatcher::TakeFailures() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> taken;
  taken.swap(unreported_);
  return taken;
}

long long Dispatcher::failures() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failures_;
}

void Dispatcher::Fail(const std::string& message) {
  spdlog::warn("{} (the migration goes on)", message);
  std::lock_guard<std::mutex> lock(mutex_);
  ++failures_;
  unreported_.push_back(message);
}

void Dispatcher::Work() {
  while (true) {
    Call call;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Queued calls are still made when stopping: they are the last events.
      if (queue_.empty()) return;
      call = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    const Targets& t = call.targets;
    if (!t.command.empty()) {
      Status status = RunHookCommand(t.command, call.payload, t.timeout);
      if (!status.ok()) Fail(status.message());
    }
    if (!t.url.empty()) {
      Status status = PostHook(t.url, call.payload, t.timeout);
      if (!status.ok()) Fail(status.message());
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      busy_ = false;
    }
    changed_.notify_all();
  }
}

}  // namespace tandem::hooks
