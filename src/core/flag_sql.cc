#include "core/flag_sql.h"

#include <cstdint>

#include "common/flag_decision.h"
#include "common/strings.h"
#include "core/phase.h"

namespace tandem::core {
namespace {

constexpr std::uint32_t kLow16 = 0xFFFF;
constexpr int kHalf = 16;
constexpr std::uint32_t kLow32 = 0xFFFFFFFF;

std::string Number(std::uint64_t n) { return std::to_string(n); }

// a XOR b, for non-negative a and b.
std::string Xor(const std::string& a, const std::string& b) {
  return "((" + a + " | " + b + ") - (" + a + " & " + b + "))";
}

// (h * k) mod 2^32 for h below 2^32, as h * low16(k) + ((h * high16(k)) mod
// 2^16) << 16: each product stays below 2^48.
std::string Multiply32(const std::string& h, std::uint32_t k) {
  return "(((" + h + " * " + Number(k & kLow16) + ") + (((" + h + " * " + Number(k >> kHalf) +
         ") & " + Number(kLow16) + ") << " + std::to_string(kHalf) + ")) & " + Number(kLow32) + ")";
}

// One step of the finalizer as a CTE over the previous one.
std::string Step(const std::string& name, const std::string& from, const std::string& value) {
  return "  " + name + "(h) AS (SELECT " + value + " FROM " + from + ")";
}

std::string XorShift(int shift) { return Xor("h", "(h >> " + std::to_string(shift) + ")"); }

}  // namespace

std::string FlagDecisionSql(const FlagSqlInputs& in) {
  std::string key = "(" + in.flag + " || " + QuoteLiteral(std::string(1, kFlagKeySeparator)) +
                    " || " + in.subject + ")";
  std::string code_point = in.code_point_function + "(substr(" + key + ", i + 1, 1))";
  std::string schema = in.schema_condition.empty() ? "" : " AND " + in.schema_condition;
  return "WITH RECURSIVE\n"
         "  fnv(i, h) AS (\n"
         "    SELECT 0, " +
         Number(kFnvOffset) +
         "\n    UNION ALL\n"
         "    SELECT i + 1, ((" +
         Xor("h", code_point) + " * " + Number(kFnvPrime) + ") & " + Number(kLow32) +
         ")\n"
         "    FROM fnv WHERE i < length(" +
         key +
         ")\n"
         "  ),\n"
         "  folded(h) AS (SELECT h FROM fnv WHERE i = length(" +
         key + ")),\n" + Step("mix1", "folded", XorShift(kMixShift1)) + ",\n" +
         Step("mix2", "mix1", Multiply32("h", kMix1)) + ",\n" +
         Step("mix3", "mix2", XorShift(kMixShift2)) + ",\n" +
         Step("mix4", "mix3", Multiply32("h", kMix2)) + ",\n" +
         Step("mixed", "mix4", XorShift(kMixShift3)) + "\n" + "SELECT coalesce((SELECT h % " +
         std::to_string(kBuckets) +
         " FROM mixed) < (\n"
         "  SELECT f.basis_points FROM " +
         in.flags_table + " f JOIN " + in.migrations_table +
         " m ON m.id = f.migration_id\n"
         "  WHERE f.name = " +
         in.flag + " AND " + UnfinishedCondition("m.phase") + schema +
         "\n  ORDER BY m.id DESC LIMIT 1), false)";
}

}  // namespace tandem::core
