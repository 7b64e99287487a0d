// tandem behind a real PgBouncer in transaction mode: refused, with an
// explanation, before anything changes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/strings.h"
#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

// A port nobody listens on right now.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// The value of `key` in a libpq key=value string.
std::string ConninfoValue(const std::string& conninfo, const std::string& key) {
  for (const auto& part : Split(conninfo, ' ')) {
    if (StartsWith(part, key + "=")) return part.substr(key.size() + 1);
  }
  return "";
}

// PgBouncer in transaction mode in front of the test database; stopped on
// destruction. PgBouncer refuses to run as root, so as root it drops to the
// postgres user (which runs the test server too).
class TransactionPooler {
 public:
  TransactionPooler(const std::string& server_url, const std::string& database) {
    dir_ =
        std::filesystem::temp_directory_path() / ("tandem-pgbouncer-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    port_ = FreePort();
    std::ofstream(dir_ / "users.txt") << "\"postgres\" \"\"\n";
    std::ofstream(dir_ / "pgbouncer.ini")
        << "[databases]\n"
        << database << " = host=" << ConninfoValue(server_url, "host")
        << " port=" << ConninfoValue(server_url, "port") << " dbname=" << database
        << " user=postgres\n"
        << "[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = " << port_
        << "\nunix_socket_dir =\nauth_type = trust\nauth_file = " << (dir_ / "users.txt").string()
        << "\npool_mode = transaction\ndefault_pool_size = 1\nmax_client_conn = 20\n"
        << "logfile = " << (dir_ / "pgbouncer.log").string()
        << "\npidfile = " << (dir_ / "pgbouncer.pid").string() << "\n";
    std::string as_user;
    if (geteuid() == 0) {
      std::filesystem::permissions(dir_, std::filesystem::perms::all);
      if (const passwd* pw = getpwnam("postgres")) {
        (void)!chown(dir_.c_str(), pw->pw_uid, pw->pw_gid);
      }
      as_user = " -u postgres";
    }
    std::string command = "pgbouncer -d" + as_user + " " + (dir_ / "pgbouncer.ini").string() +
                          " > " + (dir_ / "start.log").string() + " 2>&1";
    started_ = std::system(command.c_str()) == 0;
    for (int i = 0; started_ && i < 50 && !std::filesystem::exists(dir_ / "pgbouncer.pid"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~TransactionPooler() {
    std::ifstream pidfile(dir_ / "pgbouncer.pid");
    pid_t pid = 0;
    if (pidfile >> pid && pid > 0) kill(pid, SIGTERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::filesystem::remove_all(dir_);
  }
  bool started() const { return started_; }
  int port() const { return port_; }
  std::string log() const {
    std::ifstream in(dir_ / "start.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  bool started_ = false;
};

class PoolerTest : public PgTest {};

TEST_F(PoolerTest, TransactionModePoolerIsRefusedBeforeAnythingChanges) {
  Exec("CREATE TABLE users (id serial PRIMARY KEY, name text)");
  TransactionPooler pooler(ServerUrl(), db_name_);
  ASSERT_TRUE(pooler.started()) << "pgbouncer did not start: " << pooler.log();
  std::string through_pooler = "host=127.0.0.1 port=" + std::to_string(pooler.port()) +
                               " dbname=" + db_name_ + " user=postgres";
  std::string file = WriteMigration("02_note.yaml", R"y(operations:
  - add_column: {table: users, column: {name: note, type: text, nullable: true}}
)y");
  CommandResult start = RunTandem(through_pooler, {"start", file});
  EXPECT_EQ(start.exit_code, 1) << start.out << start.err;
  EXPECT_NE(start.err.find("pooler in transaction mode"), std::string::npos) << start.err;
  EXPECT_NE(start.err.find("connect directly"), std::string::npos) << start.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'tandem'"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"),
            "2");
  // The same migration through a direct connection goes through.
  EXPECT_EQ(Tandem({"start", file}).exit_code, 0);
}

}  // namespace
}  // namespace tandem::testing
