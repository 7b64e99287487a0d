#include "core/engine.h"

namespace tandem::core {

std::unique_ptr<Engine> MakeEngine(backend::Engine engine) {
  switch (engine) {
    case backend::Engine::kPostgres:
      return MakePostgresEngine();
    case backend::Engine::kSqlite:
      return MakeSqliteEngine();
  }
  return MakePostgresEngine();  // not reached: every engine is listed above
}

}  // namespace tandem::core
