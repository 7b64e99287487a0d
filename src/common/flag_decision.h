// Which side of a feature flag's ramp a subject (a user id, a tenant...)
// is on. The decision is deterministic and monotone: a subject is in when
// the bucket of its hash is below the flag's share, so a subject that is in
// at 10% stays in at 50%, and one user stays on one side while nothing
// changes. The flag's name salts the hash, so two flags ramped to the same
// share select different subjects.
//
// The hash (FlagHash), documented because applications compute it in SQL
// on both engines (core/flag_sql.h writes that SQL from the constants here):
//   key  = flag name, ':', subject, taken as Unicode code points
//   h    = kFnvOffset; for each code point c: h = ((h XOR c) * kFnvPrime) mod 2^32
//          (FNV-1a over code points instead of bytes: both SQL engines read a
//          string's code points, neither its UTF-8 bytes cheaply)
//   then murmur3's 32-bit finalizer, so the last characters of sequential
//   ids spread over every bucket:
//          h ^= h >> 16; h = (h * kMix1) mod 2^32;
//          h ^= h >> 13; h = (h * kMix2) mod 2^32; h ^= h >> 16
//   bucket = h mod kBuckets; in when bucket < share in basis points.
// Every intermediate value fits a signed 64-bit integer, which is all SQL
// engines offer (SQLite turns an overflowing product into a float).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tandem {

inline constexpr std::uint32_t kFnvOffset = 2166136261u;
inline constexpr std::uint32_t kFnvPrime = 16777619u;
inline constexpr std::uint32_t kMix1 = 0x85ebca6bu;
inline constexpr std::uint32_t kMix2 = 0xc2b2ae35u;
inline constexpr int kMixShift1 = 16;
inline constexpr int kMixShift2 = 13;
inline constexpr int kMixShift3 = 16;
// Shares are kept in basis points (hundredths of a percent): 10,000 buckets
// let a ramp start at 0.01% and keep every comparison in integers.
inline constexpr int kBuckets = 10000;
inline constexpr char kFlagKeySeparator = ':';

// The hash of `subject` for the flag `flag`, both UTF-8. A byte that does
// not start a valid UTF-8 sequence counts as U+FFFD (neither database
// stores such text).
std::uint32_t FlagHash(std::string_view flag, std::string_view subject);

// FlagHash(...) mod kBuckets: 0 to 9,999.
int FlagBucket(std::string_view flag, std::string_view subject);

// True when `subject` is in at `basis_points` (0: nobody, kBuckets: everyone).
bool FlagSelects(std::string_view flag, std::string_view subject, int basis_points);

// A share as people write it, "10%", "0.5%", "25" (a percentage either way),
// in basis points; kInvalidInput for anything else, more than two decimals
// or a value outside 0-100%.
Result<int> ParseFlagShare(std::string_view text);

// Basis points as a percentage with no trailing zeros: 1000 -> "10%", 50 -> "0.5%".
std::string FormatFlagShare(int basis_points);

}  // namespace tandem
