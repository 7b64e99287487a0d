// Functions and procedures whose bodies name what complete retires, and
// user triggers on a retired table whose function reads a retired column
// (NEW.age). PostgreSQL keeps no dependency on what a body names, so the
// bodies are read with the PostgreSQL parser (lint/body_refs.h).
#pragma once

#include <vector>

#include "backends/backend.h"
#include "common/status.h"
#include "plan/plan.h"
#include "readers/types.h"

namespace tandem::readers::postgres {

Result<std::vector<Reader>> BodyReaders(backend::Connection& conn, const plan::Plan& plan);

}  // namespace tandem::readers::postgres
