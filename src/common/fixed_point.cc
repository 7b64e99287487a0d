#include "common/fixed_point.h"

#include <cstdio>

namespace tandem {

std::string FormatFixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

}  // namespace tandem
