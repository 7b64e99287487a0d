#include "readers/findings.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace tandem::readers {

bool Reader::operator<(const Reader& other) const {
  return std::tie(kind, name, uses) < std::tie(other.kind, other.name, other.uses);
}

std::string RetiredText(const plan::Retired& retired, const std::string& schema) {
  std::string table = schema.empty() ? retired.table : schema + "." + retired.table;
  std::string what =
      retired.column.empty() ? "table " + table : "column " + table + "." + retired.column;
  switch (retired.change) {
    case plan::RetiredChange::kDropped:
      return what + ", which complete drops";
    case plan::RetiredChange::kReplaced:
      return what + ", which complete drops for the new version's column of that name";
    case plan::RetiredChange::kRenamed:
      return what + ", which complete renames to " + retired.renamed_to;
  }
  return what;
}

std::string OldVersionText(const std::string& relation) {
  return "view " + relation + " of the old version, which complete drops";
}

std::string NewVersionText(const std::string& relation) {
  return "view " + relation +
         " of the new version, which complete drops and creates again (what depends on it goes "
         "with it)";
}

std::string ActionFor(const std::string& kind) {
  static const std::map<std::string, std::string> kActions = {
      {kView, "drop it, or recreate it on the new version's shape (DROP VIEW, then CREATE VIEW)"},
      {kMaterializedView, "drop it, or recreate it on the new version's shape"},
      {kFunction, "rewrite its body for the new version's shape (CREATE OR REPLACE FUNCTION)"},
      {kProcedure, "rewrite its body for the new version's shape (CREATE OR REPLACE PROCEDURE)"},
      {kTrigger, "drop the trigger, or change it (or its function) to the new version's shape"},
      {kPolicy, "ALTER POLICY ... USING / WITH CHECK without it, or drop the policy"},
      {kGeneratedColumn, "drop the generated column, or add one computed from what stays"},
      {kIndex,
       "it goes with the column: create the index again on the columns that stay "
       "(CREATE INDEX CONCURRENTLY) if queries need it"},
      {kConstraint,
       "drop the constraint, or create it again on what stays (a foreign key of another "
       "table stops complete)"},
      {kPublication, "ALTER PUBLICATION to take the table or column out of it"},
  };
  auto it = kActions.find(kind);
  return it == kActions.end() ? "change it so that it no longer uses it" : it->second;
}

std::vector<Reader> Tidy(std::vector<Reader> readers) {
  std::sort(readers.begin(), readers.end());
  readers.erase(std::unique(readers.begin(), readers.end()), readers.end());
  return readers;
}

std::string ReaderLine(const Reader& reader) {
  return reader.kind + " " + reader.name + " uses " + reader.uses + ": " + reader.action;
}

std::string ReaderWarning(const Reader& reader) {
  return "hidden reader: " + ReaderLine(reader) + " (complete refuses while it remains)";
}

Status RefuseReaders(const std::string& migration, const std::vector<Reader>& readers) {
  if (readers.empty()) return Status::Ok();
  std::string message =
      (readers.size() == 1
           ? std::string("1 object of the database still uses")
           : std::to_string(readers.size()) + " objects of the database still use") +
      " what complete of \"" + migration + "\" drops or renames; nothing was changed:";
  for (const auto& r : readers) message += "\n  " + ReaderLine(r);
  message +=
      "\nChange them (`tandem readers` lists them again), then run `tandem complete`; or run "
      "`tandem complete --force --reason TEXT` to complete anyway (recorded)";
  return Status::Refused(message);
}

}  // namespace tandem::readers
