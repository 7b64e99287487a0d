// A number with a fixed count of decimals, for reports and gate evidence:
// FormatFixed(2.345, 1) is "2.3".
#pragma once

#include <string>

namespace tandem {

std::string FormatFixed(double value, int decimals);

}  // namespace tandem
