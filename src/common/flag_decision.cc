#include "common/flag_decision.h"

#include <cstdint>

namespace tandem {
namespace {

constexpr std::uint32_t kReplacement = 0xFFFD;
constexpr int kMaxPercent = 100;
constexpr int kBasisPointsPerPercent = kBuckets / kMaxPercent;

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// The code point starting at text[*i], advancing *i past it. PostgreSQL and
// SQLite both count characters this way (substr, length), so the SQL of
// the hash walks the same sequence.
std::uint32_t NextCodePoint(std::string_view text, size_t* i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(*i);
  int length = lead < 0x80           ? 1
               : (lead >> 5) == 0x6  ? 2
               : (lead >> 4) == 0xE  ? 3
               : (lead >> 3) == 0x1E ? 4
                                     : 0;
  if (length == 1) {
    ++*i;
    return lead;
  }
  if (length == 0 || *i + length > text.size()) {
    ++*i;
    return kReplacement;
  }
  std::uint32_t code = lead & (0x7F >> length);
  for (int k = 1; k < length; ++k) {
    if (!IsContinuation(byte(*i + k))) {
      ++*i;
      return kReplacement;
    }
    code = (code << 6) | (byte(*i + k) & 0x3F);
  }
  constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  if (code < kSmallest[length] || code > 0x10FFFF || surrogate) {
    ++*i;
    return kReplacement;
  }
  *i += length;
  return code;
}

std::uint32_t Fnv1a(std::uint32_t h, std::string_view text) {
  for (size_t i = 0; i < text.size();) h = (h ^ NextCodePoint(text, &i)) * kFnvPrime;
  return h;
}

// murmur3's fmix32; unsigned arithmetic is the mod 2^32 the SQL spells out.
std::uint32_t Finalize(std::uint32_t h) {
  h ^= h >> kMixShift1;
  h *= kMix1;
  h ^= h >> kMixShift2;
  h *= kMix2;
  h ^= h >> kMixShift3;
  return h;
}

Status BadShare(std::string_view text) {
  return Status::InvalidInput("\"" + std::string(text) +
                              "\" is not a share: give a percentage from 0% to 100% with at most "
                              "two decimals, e.g. 10% or 0.5%");
}

}  // namespace

std::uint32_t FlagHash(std::string_view flag, std::string_view subject) {
  std::uint32_t h = Fnv1a(kFnvOffset, flag);
  h = (h ^ static_cast<unsigned char>(kFlagKeySeparator)) * kFnvPrime;
  return Finalize(Fnv1a(h, subject));
}

int FlagBucket(std::string_view flag, std::string_view subject) {
  return static_cast<int>(FlagHash(flag, subject) % kBuckets);
}

bool FlagSelects(std::string_view flag, std::string_view subject, int basis_points) {
  return FlagBucket(flag, subject) < basis_points;
}

Result<int> ParseFlagShare(std::string_view text) {
  std::string_view number = text;
  if (!number.empty() && number.back() == '%') number.remove_suffix(1);
  size_t dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view decimals = dot == std::string_view::npos ? "" : number.substr(dot + 1);
  bool digits_only = true;
  for (std::string_view part : {whole, decimals}) {
    for (char c : part) digits_only = digits_only && c >= '0' && c <= '9';
  }
  // Digits are read one by one: strtod would take "1e2", "nan" or " 5".
  if (!digits_only || whole.empty() || whole.size() > 3 || decimals.size() > 2 ||
      (dot != std::string_view::npos && decimals.empty())) {
    return BadShare(text);
  }
  int basis_points = 0;
  for (char c : whole) basis_points = basis_points * 10 + (c - '0');
  basis_points *= kBasisPointsPerPercent;
  int scale = kBasisPointsPerPercent / 10;
  for (char c : decimals) {
    basis_points += (c - '0') * scale;
    scale /= 10;
  }
  if (basis_points > kBuckets) return BadShare(text);
  return basis_points;
}

std::string FormatFlagShare(int basis_points) {
  std::string text = std::to_string(basis_points / kBasisPointsPerPercent);
  int hundredths = basis_points % kBasisPointsPerPercent;
  if (hundredths != 0) {
    text += '.';
    text += static_cast<char>('0' + hundredths / 10);
    if (hundredths % 10 != 0) text += static_cast<char>('0' + hundredths % 10);
  }
  return text + "%";
}

}  // namespace tandem
