// Whether recomputing an expression on PostgreSQL gives back the value it
// gave when a row was written: only an IMMUTABLE expression does. PostgreSQL
// itself decides, over the functions and operators it resolves for the
// expression (an overloaded name such as length() can be immutable in one
// overload and not in another).
#pragma once

#include <string>

#include "backends/backend.h"

namespace tandem::verify {

// Why recomputing `expression` over a row of `table` (which it reads as
// `new`.col) cannot reproduce a stored value, or "" when it can. Looks in a
// transaction it rolls back, through temporary objects; an expression
// PostgreSQL cannot take apart this way counts as reproducible, so it is
// compared (and a scan error shows what is wrong with it).
std::string Unreproducible(backend::Connection& conn, const std::string& table,
                           const std::string& expression);

}  // namespace tandem::verify
