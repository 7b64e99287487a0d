#include "readers/postgres/readers.h"

#include "readers/findings.h"
#include "readers/postgres/body_readers.h"
#include "readers/postgres/catalog_readers.h"
#include "readers/postgres/session_readers.h"

namespace tandem::readers::postgres {

Result<std::vector<Reader>> FindReaders(backend::Connection& conn, const plan::Plan& plan) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<Reader> found, CatalogReaders(conn, plan));
  TANDEM_ASSIGN_OR_RETURN(std::vector<Reader> bodies, BodyReaders(conn, plan));
  found.insert(found.end(), bodies.begin(), bodies.end());
  TANDEM_ASSIGN_OR_RETURN(std::vector<Reader> sessions, SessionReaders(conn, plan));
  found.insert(found.end(), sessions.begin(), sessions.end());
  return Tidy(std::move(found));
}

}  // namespace tandem::readers::postgres
