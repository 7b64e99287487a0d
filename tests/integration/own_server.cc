#include "integration/own_server.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace tandem::testing {
namespace {

std::string Harness() { return std::string(TANDEM_SOURCE_DIR) + "/scripts/pg-harness.sh"; }

bool Run(const std::string& command) { return std::system(command.c_str()) == 0; }

}  // namespace

OwnServer::OwnServer(const std::string& name) {
  const char* shared = std::getenv("TANDEM_TEST_PG_DIR");
  shared_dir_ = shared ? shared : "";
  dir_ = shared_dir_ + "-" + name + "-" + std::to_string(getpid());
}

bool OwnServer::Start() {
  if (!Run(Harness() + " start " + dir_ + "/primary >/dev/null")) return false;
  setenv("TANDEM_TEST_PG_DIR", (dir_ + "/primary").c_str(), 1);
  return true;
}

bool OwnServer::StartReplica() {
  return Run(Harness() + " start-replica " + dir_ + "/primary " + dir_ + "/replica >/dev/null");
}

bool OwnServer::Crash(int down_seconds) {
  return Run(Harness() + " restart " + dir_ + "/primary " + std::to_string(down_seconds) +
             " 2>/dev/null");
}

void OwnServer::Stop() {
  Run(Harness() + " stop " + dir_ + "/replica; " + Harness() + " stop " + dir_ + "/primary");
  std::filesystem::remove(dir_);
  setenv("TANDEM_TEST_PG_DIR", shared_dir_.c_str(), 1);
}

std::string OwnServer::ReplicaUrl() const {
  std::ifstream in(dir_ + "/replica/url");
  std::stringstream text;
  text << in.rdbuf();
  return Trim(text.str());
}

}  // namespace tandem::testing
