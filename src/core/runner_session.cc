// Runner: its sessions, the working one and the one holding the runner lock.
#include "common/log.h"
#include "core/runner.h"

namespace tandem::core {
namespace {

// A session is alive when it answers; Healthy() alone only knows of
// failures a statement has already met.
bool Answers(backend::Connection& conn) { return conn.Execute("SELECT 1").ok(); }

}  // namespace

Status Runner::Connect() { return Open(/*to_read=*/false); }

Status Runner::ConnectToRead() { return Open(/*to_read=*/true); }

Status Runner::Open(bool to_read) {
  if (conn_ && conn_->Healthy() && (to_read || !conn_reads_only_)) return Status::Ok();
  TANDEM_ASSIGN_OR_RETURN(conn_, to_read ? database_.ConnectToRead() : database_.Connect());
  conn_reads_only_ = to_read;
  state_ = std::make_unique<StateStore>(*conn_, options_.state_schema, database_.engine());
  state_->SetObserver([this](long long id, const Event& event) { OfferToHooks(id, event); });
  return Status::Ok();
}

std::string Runner::LockKey() const {
  // Not the state schema: two runners keeping their records apart still
  // change the same tables.
  return "tandem:" + options_.schema;
}

Status Runner::AcquireRunnerLock() {
  if (lock_conn_) return Status::Ok();
  TANDEM_ASSIGN_OR_RETURN(lock_conn_, database_.Connect());
  TANDEM_RETURN_IF_ERROR(database_.CheckSessionState(*lock_conn_));
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(database_.CheckSeparateSessions(*lock_conn_, *conn_));
  TANDEM_ASSIGN_OR_RETURN(bool got, database_.TryRunnerLock(*lock_conn_, LockKey()));
  if (!got) {
    std::string holder = database_.DescribeRunnerLockHolder(*lock_conn_, LockKey());
    lock_conn_.reset();
    return Status::Error(ErrorKind::kBusy,
                         "another tandem runner is working on schema \"" + options_.schema +
                             "\": " + holder +
                             ". Wait for it to finish (tandem status shows what it does), or "
                             "stop it; only one runner may change a schema at a time");
  }
  return Status::Ok();
}

Status Runner::KeepSessions() {
  if (!Answers(*conn_)) TANDEM_RETURN_IF_ERROR(conn_->Reconnect());
  if (!lock_conn_ || Answers(*lock_conn_)) return Status::Ok();
  TANDEM_RETURN_IF_ERROR(lock_conn_->Reconnect());
  TANDEM_ASSIGN_OR_RETURN(bool got, database_.TryRunnerLock(*lock_conn_, LockKey()));
  if (got) {
    spdlog::warn("the database session holding the runner lock was lost; took the lock again");
    return Status::Ok();
  }
  return Status::Error(ErrorKind::kBusy,
                       "the session holding the runner lock was lost, and another runner took "
                       "the lock meanwhile: " +
                           database_.DescribeRunnerLockHolder(*lock_conn_, LockKey()) +
                           ". This runner stops; the other one carries on");
}

}  // namespace tandem::core
