#include "common/rfc3339.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace tandem {
namespace {

bool DigitsAt(std::string_view text, size_t at, size_t count) {
  if (at + count > text.size()) return false;
  for (size_t i = at; i < at + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace

std::string NowRfc3339() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long long>(millis.count()));
  return text;
}

std::optional<std::string> DatabaseTimeToRfc3339(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // YYYY-MM-DD HH:MM:SS
  bool shaped = DigitsAt(text, 0, 4) && text[4] == '-' && DigitsAt(text, 5, 2) && text[7] == '-' &&
                DigitsAt(text, 8, 2) && text.size() >= 19 && (text[10] == ' ' || text[10] == 'T') &&
                DigitsAt(text, 11, 2) && text[13] == ':' && DigitsAt(text, 14, 2) &&
                text[16] == ':' && DigitsAt(text, 17, 2);
  if (!shaped) return std::string(text);
  std::string out(text.substr(0, 19));
  out[10] = 'T';
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    size_t end = at + 1;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    out.append(text.substr(at, end - at));
    at = end;
  }
  std::string_view zone = text.substr(at);
  if (zone.empty() || zone == "Z") return out + "Z";
  // PostgreSQL prints offsets as +HH, +HH:MM or +HH:MM:SS.
  if ((zone[0] == '+' || zone[0] == '-') && DigitsAt(zone, 1, 2)) {
    if (zone.size() == 3) return out + std::string(zone) + ":00";
    if (zone.size() == 6 && zone[3] == ':' && DigitsAt(zone, 4, 2)) return out + std::string(zone);
  }
  return std::string(text);
}

std::optional<std::time_t> ParseTimestamp(std::string_view text) {
  std::optional<std::string> normal = DatabaseTimeToRfc3339(text);
  if (!normal || normal->size() < 20 || (*normal)[10] != 'T') return std::nullopt;
  const std::string& t = *normal;
  auto number = [&](size_t at, size_t count) { return std::stoi(t.substr(at, count)); };
  std::tm tm{};
  tm.tm_year = number(0, 4) - 1900;
  tm.tm_mon = number(5, 2) - 1;
  tm.tm_mday = number(8, 2);
  tm.tm_hour = number(11, 2);
  tm.tm_min = number(14, 2);
  tm.tm_sec = number(17, 2);
  std::time_t at = timegm(&tm);
  size_t zone = t.find_first_of("Z+-", 19);
  if (zone == std::string::npos) return std::nullopt;
  if (t[zone] == 'Z') return at;
  if (!DigitsAt(t, zone + 1, 2) || !DigitsAt(t, zone + 4, 2)) return std::nullopt;
  long offset = number(zone + 1, 2) * 3600L + number(zone + 4, 2) * 60L;
  return t[zone] == '+' ? at - offset : at + offset;
}

}  // namespace tandem
