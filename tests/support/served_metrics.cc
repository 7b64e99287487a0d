#include "support/served_metrics.h"

#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "support/command.h"

namespace tandem::testing {

ServedTandem::ServedTandem(const std::string& url, const std::vector<std::string>& args) {
  static int counter = 0;
  err_path_ = TempDir() + "/serve_" + std::to_string(counter++) + ".err";
  pid_ = SpawnTandem(url, args, err_path_);
  const std::regex serving("serving http://127\\.0\\.0\\.1:([0-9]+)/");
  for (int i = 0; i < 200 && port_ == 0; ++i) {
    std::smatch match;
    std::string err = errors();
    if (std::regex_search(err, match, serving)) {
      port_ = std::stoi(match[1]);
    } else if (WaitTandem(pid_, false) != -2) {
      pid_ = 0;  // it ended: errors() says why
      return;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

ServedTandem::~ServedTandem() {
  if (pid_ != 0) Stop();
}

std::string ServedTandem::errors() const { return ReadFile(err_path_); }

namespace {

HttpAnswer AnswerOf(const httplib::Result& result) {
  HttpAnswer answer;
  if (!result) return answer;
  answer.status = result->status;
  answer.content_type = result->get_header_value("Content-Type");
  answer.body = result->body;
  return answer;
}

}  // namespace

HttpAnswer ServedTandem::Get(const std::string& path) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(10, 0);
  return AnswerOf(client.Get(path.c_str()));
}

HttpAnswer ServedTandem::Post(const std::string& path) const {
  httplib::Client client("127.0.0.1", port_);
  return AnswerOf(client.Post(path.c_str(), "", "text/plain"));
}

HttpAnswer ServedTandem::Send(const std::string& method, const std::string& path,
                              const std::map<std::string, std::string>& headers,
                              const std::string& body) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(30, 0);
  httplib::Headers sent(headers.begin(), headers.end());
  if (method == "POST") {
    return AnswerOf(client.Post(path.c_str(), sent, body, "application/json"));
  }
  if (method == "PUT") return AnswerOf(client.Put(path.c_str(), sent, body, "application/json"));
  if (method == "DELETE") return AnswerOf(client.Delete(path.c_str(), sent));
  return AnswerOf(client.Get(path.c_str(), sent));
}

std::string ServedTandem::ReadEvents(const std::string& path,
                                     const std::map<std::string, std::string>& headers,
                                     int messages) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(10, 0);
  httplib::Headers sent(headers.begin(), headers.end());
  std::string text;
  auto count = [&text] {
    int n = 0;
    for (size_t at = text.find("\nid: "); at != std::string::npos;
         at = text.find("\nid: ", at + 1)) {
      ++n;
    }
    return n + (text.rfind("id: ", 0) == 0 ? 1 : 0);
  };
  auto started = std::chrono::steady_clock::now();
  client.Get(path.c_str(), sent, [&](const char* data, size_t length) {
    text.append(data, length);
    return count() < messages &&
           std::chrono::steady_clock::now() - started < std::chrono::seconds(10);
  });
  return text;
}

std::string ServedTandem::token() const {
  std::smatch match;
  std::string err = errors();
  static const std::regex printed("control token [^:]*: (tdm_[0-9a-f]+)");
  return std::regex_search(err, match, printed) ? match[1].str() : "";
}

int ServedTandem::Stop() {
  if (pid_ == 0) return -1;
  kill(pid_, SIGTERM);
  int code = WaitTandem(pid_);
  pid_ = 0;
  return code;
}

std::optional<double> MetricValue(const std::string& text, const std::string& series) {
  std::string start = series + " ";
  size_t at = text.rfind("\n" + start);
  if (at == std::string::npos) {
    if (text.rfind(start, 0) != 0) return std::nullopt;
    at = 0;
  } else {
    at += 1;
  }
  size_t value = at + start.size();
  return std::stod(text.substr(value, text.find('\n', value) - value));
}

std::string PromtoolComplaints(const std::string& text) {
  std::string path = TempDir() + "/metrics.txt";
  std::ofstream(path) << text;
  int code = -1;
  std::string said = Capture("promtool check metrics < " + ShellQuote(path) + " 2>&1", code);
  if (code == 0 && said.empty()) return "";
  return "promtool exit " + std::to_string(code) + ": " + said;
}

}  // namespace tandem::testing
