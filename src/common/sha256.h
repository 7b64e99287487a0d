// SHA-256 of a byte string, as lowercase hex. Used for migration file
// checksums, so a changed file with an already-applied name is caught.
#pragma once

#include <string>
#include <string_view>

namespace tandem {

std::string Sha256Hex(std::string_view data);

}  // namespace tandem
