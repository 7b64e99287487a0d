// The only file of the hooks module that includes cpp-httplib.
#include <httplib.h>

#include "hooks/hook_call.h"

namespace tandem::hooks {
namespace {

constexpr char kScheme[] = "http://";

struct Target {
  std::string host_port;  // what httplib's client connects to
  std::string path;
};

Result<Target> Parse(const std::string& url) {
  std::string_view rest(url);
  if (rest.substr(0, sizeof kScheme - 1) != kScheme) {
    return Status::InvalidInput("hook URL \"" + url +
                                "\" must start with http:// (e.g. http://127.0.0.1:9000/events); "
                                "put a TLS proxy in front of an https receiver");
  }
  rest.remove_prefix(sizeof kScheme - 1);
  size_t slash = rest.find('/');
  Target target{std::string(rest.substr(0, slash)),
                slash == std::string_view::npos ? "/" : std::string(rest.substr(slash))};
  if (target.host_port.empty() || target.host_port.find_first_of("@ ") != std::string::npos) {
    return Status::InvalidInput("hook URL \"" + url +
                                "\" needs a host, e.g. http://127.0.0.1:9000/events");
  }
  return target;
}

}  // namespace

Status CheckHookUrl(const std::string& url) { return Parse(url).status(); }

Status PostHook(const std::string& url, const std::string& payload, Millis timeout) {
  TANDEM_ASSIGN_OR_RETURN(Target target, Parse(url));
  httplib::Client client(std::string(kScheme) + target.host_port);
  auto seconds = std::chrono::duration_cast<std::chrono::microseconds>(timeout);
  client.set_connection_timeout(seconds);
  client.set_read_timeout(seconds);
  client.set_write_timeout(seconds);
  httplib::Result answer = client.Post(target.path, payload, "application/json");
  if (!answer) {
    return Status::Error(ErrorKind::kConnection,
                         "hook POST to " + url + " failed: " + httplib::to_string(answer.error()));
  }
  if (answer->status < 200 || answer->status > 299) {
    return Status::Error(ErrorKind::kRefused,
                         "hook POST to " + url + " was answered " + std::to_string(answer->status));
  }
  return Status::Ok();
}

}  // namespace tandem::hooks
