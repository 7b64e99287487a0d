// A headless Chromium driven through chromedriver's WebDriver HTTP API
// (W3C WebDriver), for the tests of the command center page: Debian's
// chromium and chromium-driver, installed by scripts/install-deps.sh.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tandem::testing {

class WebDriver {
 public:
  // Starts chromedriver on a free port and opens a browser session; ok()
  // says whether that worked, why() what went wrong.
  WebDriver();
  // Closes the session and stops chromedriver.
  ~WebDriver();
  WebDriver(const WebDriver&) = delete;
  WebDriver& operator=(const WebDriver&) = delete;

  bool ok() const { return !session_.empty(); }
  std::string why() const { return why_; }

  bool Open(const std::string& url);
  // The element matching the CSS `selector`; "" when there is none.
  std::string Find(const std::string& selector);
  bool Type(const std::string& element, const std::string& text);
  bool Click(const std::string& element);
  std::string Text(const std::string& element);
  // The value `script` (a function body) returns in the page.
  nlohmann::json Run(const std::string& script);
  // Writes a PNG of the window to `path`.
  bool Screenshot(const std::string& path);

 private:
  // One WebDriver command; the "value" of its answer (null on failure,
  // with why_ set).
  nlohmann::json Call(const std::string& method, const std::string& path,
                      const nlohmann::json& body = nlohmann::json::object());

  int pid_ = 0;
  int port_ = 0;
  std::string session_;
  std::string why_;
  std::string log_path_;
};

}  // namespace tandem::testing
