// The throttle's probes: SQL against the primary and the replicas, each
// turning what it measures into a Decision a person understands.
#include <algorithm>
#include <map>

#include "common/strings.h"
#include "throttle/throttle.h"

namespace tandem::backfill {
namespace {

using Clock = std::chrono::steady_clock;

// A probe must never hold the backfill longer than it takes to say it cannot
// measure, and never writes (the user's query included).
constexpr char kProbeSessionSetup[] =
    "SET statement_timeout = '2s'; SET default_transaction_read_only = on";

// A session opened on first use and again after it was lost. Shared by the
// probes that ask the same server, so the throttle adds one session per
// server, not one per probe.
class Session {
 public:
  explicit Session(std::function<Result<std::unique_ptr<backend::Connection>>()> connect)
      : connect_(std::move(connect)) {}

  Result<backend::QueryResult> Query(const std::string& sql) {
    if (!conn_ || !conn_->Healthy()) {
      conn_.reset();
      TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Connection> conn, connect_());
      TANDEM_RETURN_IF_ERROR(conn->Execute(kProbeSessionSetup));
      conn_ = std::move(conn);
    }
    return conn_->Query(sql);
  }

 private:
  std::function<Result<std::unique_ptr<backend::Connection>>()> connect_;
  std::unique_ptr<backend::Connection> conn_;
};

Decision Throttled(std::string reason) { return {Control::kThrottle, std::move(reason)}; }

// A reason is shown on one line: the first line of an error is its gist
// (libpq adds hints on the lines after).
std::string Gist(const Status& error) {
  const std::string& message = error.message();
  return Trim(message.substr(0, message.find('\n')));
}

std::optional<double> NumberOf(const backend::Value& value) {
  if (!value || value->empty()) return std::nullopt;
  char* end = nullptr;
  double number = std::strtod(value->c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return number;
}

std::string Seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
  return buf;
}

std::string LagReason(double lag_ms, Millis max_lag, const std::string& where,
                      const std::string& detail) {
  return "replica lag " + Seconds(lag_ms) + " > " + FormatDuration(max_lag) + " on " + where +
         (detail.empty() ? "" : " (" + detail + ")");
}

// Lag of every standby streaming from the primary, from pg_stat_replication.
// replay_lag alone misleads: it stops growing while replay is paused (it only
// moves when a new position is replayed) and keeps its last value until the
// standby has been idle a while. So a standby that holds WAL it has not
// replayed (flush_lsn > replay_lsn) lags for as long as its replay position
// has not moved; replay_lag counts only when the position did move since the
// last look, i.e. when it is fresh.
class StandbyLagOnPrimary : public Probe {
 public:
  StandbyLagOnPrimary(std::shared_ptr<Session> primary, Millis max_lag)
      : primary_(std::move(primary)), max_lag_(max_lag) {}

  Decision Check() override {
    measured_ms_.reset();  // until this look measures it
    auto rows = primary_->Query(
        "SELECT pid::text, 'standby ' || coalesce(nullif(application_name, ''), '(unnamed)') || "
        "' at ' || coalesce(host(client_addr), 'local socket'), replay_lsn::text, "
        "pg_wal_lsn_diff(flush_lsn, replay_lsn)::bigint, "
        "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, "
        "round(extract(epoch FROM replay_lag) * 1000) FROM pg_stat_replication");
    if (!rows.ok()) {
      return Throttled("replica lag unknown: reading pg_stat_replication on the primary failed (" +
                       Gist(rows.status()) + ")");
    }
    Clock::time_point now = Clock::now();
    std::map<std::string, Seen> seen;
    Decision decision;
    double worst_ms = 0;
    bool unknown = false;
    for (const auto& row : rows->rows) {
      std::string who = row[1].value_or("a standby");
      if (!row[2] || !row[3]) {
        unknown = true;
        decision = Strongest({decision, Throttled("replica lag unknown on " + who +
                                                  ": pg_stat_replication shows no replay "
                                                  "position (the role needs pg_monitor)")});
        continue;
      }
      auto before = seen_.find(*row[0]);
      bool moved = before == seen_.end() || before->second.replay_lsn != *row[2];
      Seen& current = seen[*row[0]] = {*row[2], moved ? now : before->second.since};
      double unreplayed = NumberOf(row[3]).value_or(0);
      double lag_ms = 0;
      if (!moved && unreplayed > 0) {
        lag_ms = std::chrono::duration<double, std::milli>(now - current.since).count();
      }
      if (moved && NumberOf(row[4]).value_or(0) > 0) {
        lag_ms = std::max(lag_ms, NumberOf(row[5]).value_or(0));
      }
      worst_ms = std::max(worst_ms, lag_ms);
      if (lag_ms > static_cast<double>(max_lag_.count())) {
        std::string detail = unreplayed > 0 ? std::to_string(static_cast<long long>(unreplayed)) +
                                                  " bytes of WAL received but not replayed"
                                            : "";
        decision = Strongest({decision, Throttled(LagReason(lag_ms, max_lag_, who, detail))});
      }
    }
    seen_ = std::move(seen);
    // With no standby streaming, nothing lags. A standby whose lag is
    // unknown leaves the measurement unset, so neither a limit changed
    // through the control API nor an alert reads it as no lag.
    if (!unknown) measured_ms_ = worst_ms;
    return decision;
  }

  std::string Name() const override { return kReplicaLagProbe; }
  std::optional<double> MeasuredMs() const override { return measured_ms_; }

 private:
  struct Seen {
    std::string replay_lsn;
    Clock::time_point since;  // when this replay position was first seen
  };
  std::shared_ptr<Session> primary_;
  Millis max_lag_;
  std::map<std::string, Seen> seen_;  // by walsender pid
  std::optional<double> measured_ms_;
};

// Where a connection string points, without its password: "host:port".
std::string ServerOf(const std::string& url) {
  auto field = [&](const std::string& key) -> std::string {
    size_t at = url.find(key + "=");
    if (at == std::string::npos ||
        (at > 0 && url[at - 1] != ' ' && url[at - 1] != '?' && url[at - 1] != '&')) {
      return "";
    }
    size_t begin = at + key.size() + 1;
    return url.substr(begin, url.find_first_of(" &", begin) - begin);
  };
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) {
    std::string port = field("port");
    return field("host") + (port.empty() ? "" : ":" + port);
  }
  size_t begin = scheme + 3;
  size_t end = url.find_first_of("/?", begin);
  std::string authority = url.substr(begin, end == std::string::npos ? end : end - begin);
  size_t user_end = authority.rfind('@');
  return user_end == std::string::npos ? authority : authority.substr(user_end + 1);
}

// A replica given with --replica, asked directly: no lag while it has
// replayed everything it received, else the time since the last transaction
// it replayed was committed on the primary.
class ReplicaLag : public Probe {
 public:
  ReplicaLag(const std::string& url, ReplicaConnector connect, Millis max_lag)
      : where_("replica " + ServerOf(url)),
        session_([url, connect] { return connect(url); }),
        max_lag_(max_lag) {}

  Decision Check() override {
    measured_ms_.reset();  // until this look measures it
    auto rows = session_.Query(
        "SELECT pg_is_in_recovery(), "
        "coalesce(pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn(), false), "
        "round(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000), "
        "CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END");
    if (!rows.ok()) {
      return Throttled("replica lag unknown on " + where_ + ": " + Gist(rows.status()) +
                       " (holding until it can be measured)");
    }
    const backend::Row& row = rows->rows.at(0);
    if (row[0] != "t") {
      return Throttled("replica lag unknown on " + where_ +
                       ": it is not a replica (pg_is_in_recovery() is false); check --replica");
    }
    if (row[1] == "t") {
      measured_ms_ = 0;
      return {};
    }
    std::string detail = row[3] == "t" ? "replay paused" : "";
    std::optional<double> lag_ms = NumberOf(row[2]);
    measured_ms_ = lag_ms;
    if (!lag_ms) {
      return Throttled("replica lag unknown on " + where_ +
                       ": it has WAL to replay but has replayed no transaction yet");
    }
    if (*lag_ms <= static_cast<double>(max_lag_.count())) return {};
    return Throttled(LagReason(*lag_ms, max_lag_, where_, detail));
  }

  std::string Name() const override { return kReplicaLagProbe; }
  std::optional<double> MeasuredMs() const override { return measured_ms_; }

 private:
  std::string where_;
  Session session_;
  Millis max_lag_;
  std::optional<double> measured_ms_;
};

// "1 session", "3 sessions".
std::string Sessions(long long count) {
  return std::to_string(count) + (count == 1 ? " session" : " sessions");
}

// Active sessions on the database and sessions waiting on locks, tandem's
// own sessions (application_name tandem...) and idle ones left out.
class Load : public Probe {
 public:
  Load(std::shared_ptr<Session> primary, std::optional<int> max_active,
       std::optional<int> max_waiting)
      : primary_(std::move(primary)), max_active_(max_active), max_waiting_(max_waiting) {}

  Decision Check() override {
    auto rows = primary_->Query(
        "SELECT count(*) FILTER (WHERE state = 'active'), "
        "count(*) FILTER (WHERE wait_event_type = 'Lock') FROM pg_stat_activity "
        "WHERE datname = current_database() AND backend_type = 'client backend' "
        "AND pid <> pg_backend_pid() AND application_name NOT LIKE 'tandem%'");
    if (!rows.ok()) {
      return Throttled("load unknown: reading pg_stat_activity failed (" + Gist(rows.status()) +
                       ")");
    }
    long long active = static_cast<long long>(NumberOf(rows->rows.at(0)[0]).value_or(0));
    long long waiting = static_cast<long long>(NumberOf(rows->rows.at(0)[1]).value_or(0));
    if (max_active_ && active > *max_active_) {
      return Throttled(Sessions(active) + " active > " + std::to_string(*max_active_) +
                       " (--max-active-sessions)");
    }
    if (max_waiting_ && waiting > *max_waiting_) {
      return Throttled(Sessions(waiting) + " waiting on locks > " + std::to_string(*max_waiting_) +
                       " (--max-lock-waiters)");
    }
    return {};
  }

  std::string Name() const override { return "load"; }

 private:
  std::shared_ptr<Session> primary_;
  std::optional<int> max_active_;
  std::optional<int> max_waiting_;
};

// The user's own query: throttles while its single number is above the bound.
class UserQuery : public Probe {
 public:
  UserQuery(std::shared_ptr<Session> primary, std::string sql, double above)
      : primary_(std::move(primary)), sql_(std::move(sql)), above_(above) {}

  Decision Check() override {
    auto rows = primary_->Query(sql_);
    if (!rows.ok()) {
      return Throttled("throttle query failed: " + Gist(rows.status()) +
                       " (holding until it succeeds)");
    }
    backend::Value value = rows->Scalar();
    std::optional<double> number = NumberOf(value);
    if (!number) {
      return Throttled("throttle query returned " + (value ? "\"" + *value + "\"" : "no value") +
                       ", not a number (holding until it returns one)");
    }
    if (*number <= above_) return {};
    return Throttled("throttle query returned " + *value + " > " + FormatNumber(above_) +
                     " (--throttle-query)");
  }

  std::string Name() const override { return "throttle query"; }

 private:
  std::shared_ptr<Session> primary_;
  std::string sql_;
  double above_;
};

}  // namespace

std::unique_ptr<Throttle> MakeThrottle(const ThrottleConfig& config, Connector primary,
                                       ReplicaConnector replica) {
  if (!replica) {
    replica = [](const std::string&) -> Result<std::unique_ptr<backend::Connection>> {
      return Status::Internal("no way to connect to replicas was given");
    };
  }
  auto session = std::make_shared<Session>(std::move(primary));
  std::vector<std::unique_ptr<Probe>> probes;
  if (config.max_replica_lag.count() > 0) {
    // Replicas asked directly first: they measure lag more exactly than the
    // primary's view of them, so their reason is the one shown.
    for (const auto& url : config.replicas) {
      probes.push_back(std::make_unique<ReplicaLag>(url, replica, config.max_replica_lag));
    }
    probes.push_back(std::make_unique<StandbyLagOnPrimary>(session, config.max_replica_lag));
  }
  if (config.max_active_sessions || config.max_lock_waiters) {
    probes.push_back(
        std::make_unique<Load>(session, config.max_active_sessions, config.max_lock_waiters));
  }
  if (!config.throttle_query.empty()) {
    probes.push_back(
        std::make_unique<UserQuery>(session, config.throttle_query, config.throttle_above));
  }
  return std::make_unique<Throttle>(config, std::move(probes));
}

}  // namespace tandem::backfill
