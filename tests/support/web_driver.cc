#include "support/web_driver.h"

#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "support/command.h"

namespace tandem::testing {
namespace {

constexpr char kChromedriver[] = "/usr/bin/chromedriver";
constexpr char kChromium[] = "/usr/bin/chromium";
// The W3C name of an element reference in WebDriver answers.
constexpr char kElementKey[] = "element-6066-11e4-a52e-4f735466cecf";

// A port nobody listens on right now: the kernel's pick for port 0.
int FreePort() {
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(sock, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(sock);
  return port;
}

std::string Base64Decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0;
  int buffer = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) continue;  // '=' padding and line breaks
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace

WebDriver::WebDriver() {
  if (access(kChromedriver, X_OK) != 0 || access(kChromium, X_OK) != 0) {
    why_ = std::string("needs ") + kChromium + " and " + kChromedriver +
           " (Debian's chromium and chromium-driver): run scripts/install-deps.sh";
    return;
  }
  port_ = FreePort();
  log_path_ = TempDir() + "/chromedriver_" + std::to_string(port_) + ".log";
  pid_ = SpawnProcess({kChromedriver, "--port=" + std::to_string(port_)}, log_path_);
  httplib::Client client("127.0.0.1", port_);
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    auto status = client.Get("/status");
    ready = status && status->status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!ready) {
    why_ = "chromedriver did not answer within 10 s: " + ReadFile(log_path_);
    return;
  }
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  nlohmann::json capabilities = {
      {"capabilities",
       {{"alwaysMatch",
         {{"browserName", "chrome"},
          {"goog:chromeOptions",
           {{"binary", kChromium},
            {"args",
             {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,1500"}}}}}}}}};
  nlohmann::json value = Call("POST", "/session", capabilities);
  if (value.is_object() && value.contains("sessionId")) {
    session_ = value["sessionId"].get<std::string>();
  } else if (why_.empty()) {
    why_ = "no browser session: " + value.dump();
  }
}

WebDriver::~WebDriver() {
  if (!session_.empty()) Call("DELETE", "/session/" + session_);
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    WaitTandem(pid_);
  }
}

nlohmann::json WebDriver::Call(const std::string& method, const std::string& path,
                               const nlohmann::json& body) {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(60, 0);
  httplib::Result result = method == "GET" ? client.Get(path.c_str())
                           : method == "DELETE"
                               ? client.Delete(path.c_str())
                               : client.Post(path.c_str(), body.dump(), "application/json");
  if (!result) {
    why_ = method + " " + path + ": no answer from chromedriver";
    return nullptr;
  }
  nlohmann::json answer = nlohmann::json::parse(result->body, nullptr, false);
  if (result->status != 200 || !answer.is_object()) {
    why_ = method + " " + path + ": " + std::to_string(result->status) + " " + result->body;
    return nullptr;
  }
  return answer.value("value", nlohmann::json());
}

bool WebDriver::Open(const std::string& url) {
  Call("POST", "/session/" + session_ + "/url", {{"url", url}});
  return why_.empty();
}

std::string WebDriver::Find(const std::string& selector) {
  nlohmann::json found = Call("POST", "/session/" + session_ + "/element",
                              {{"using", "css selector"}, {"value", selector}});
  if (!found.is_object() || !found.contains(kElementKey)) return "";
  return found[kElementKey].get<std::string>();
}

bool WebDriver::Type(const std::string& element, const std::string& text) {
  why_.clear();
  Call("POST", "/session/" + session_ + "/element/" + element + "/value", {{"text", text}});
  return why_.empty();
}

bool WebDriver::Click(const std::string& element) {
  why_.clear();
  Call("POST", "/session/" + session_ + "/element/" + element + "/click");
  return why_.empty();
}

std::string WebDriver::Text(const std::string& element) {
  nlohmann::json text = Call("GET", "/session/" + session_ + "/element/" + element + "/text");
  return text.is_string() ? text.get<std::string>() : "";
}

nlohmann::json WebDriver::Run(const std::string& script) {
  return Call("POST", "/session/" + session_ + "/execute/sync",
              {{"script", script}, {"args", nlohmann::json::array()}});
}

bool WebDriver::Screenshot(const std::string& path) {
  nlohmann::json png = Call("GET", "/session/" + session_ + "/screenshot");
  if (!png.is_string()) return false;
  std::ofstream(path, std::ios::binary) << Base64Decode(png.get<std::string>());
  return true;
}

}  // namespace tandem::testing
