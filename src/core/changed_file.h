// What changed between the migration file a migration was started or
// applied from (kept in the state store) and the file given now, so the
// refusal of a changed file says where to look, not only that checksums
// differ.
#pragma once

#include <string>

namespace tandem::core {

// The first line where `given` differs from `stored`, e.g.
//   line 6 was "  up: lower(email)", now "  up: upper(email)"
// Empty when they are equal.
std::string FirstChangedLine(const std::string& stored, const std::string& given);

}  // namespace tandem::core
