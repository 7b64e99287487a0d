#include "backends/backend.h"

namespace tandem::backend {

// Typed rows are only needed where text does not carry a value's type
// (SQLite); an engine without them says so instead of losing types quietly.
Result<std::vector<TypedRow>> Connection::QueryTyped(const std::string&,
                                                     const std::vector<Value>&) {
  return Status::Internal("typed rows are not supported on " + Describe());
}

Result<long long> Connection::ExecuteForEachRow(const std::string&, const std::vector<TypedRow>&,
                                                size_t, size_t) {
  return Status::Internal("typed rows are not supported on " + Describe());
}

Result<std::unique_ptr<Database>> Database::BackupTo(const std::string&) {
  return Status::Refused("an online copy into a new file is SQLite's; " + Describe() +
                         " is copied into a scratch schema instead");
}

}  // namespace tandem::backend
