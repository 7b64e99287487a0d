#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdio>

namespace tandem {
namespace {

// JSON's two-character escape of `c`, or "" when it has none.
std::string_view ShortEscape(char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return "";
  }
}

// The record's message as a JSON string literal. Bytes past ASCII pass
// through unchanged: messages quote database text, which tandem does not
// re-encode.
class JsonMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    dest.push_back('"');
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      std::string_view short_form = ShortEscape(c);
      if (!short_form.empty()) {
        dest.append(short_form);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
        dest.append(std::string_view(escaped));
      } else {
        dest.push_back(c);
      }
    }
    dest.push_back('"');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessage>();
  }
};

constexpr char kTime[] = "%Y-%m-%dT%H:%M:%S.%eZ";

}  // namespace

void InitLogging(int verbosity, bool quiet, LogFormat format) {
  auto logger = spdlog::stderr_color_mt("tandem");
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == LogFormat::kJson) {
    formatter->add_flag<JsonMessage>('*').set_pattern(std::string("{\"time\":\"") + kTime +
                                                      "\",\"level\":\"%l\",\"message\":%*}");
  } else {
    formatter->set_pattern(std::string(kTime) + " %^%l%$ %v");
  }
  logger->set_formatter(std::move(formatter));
  if (quiet) {
    logger->set_level(spdlog::level::warn);
  } else if (verbosity >= 2) {
    logger->set_level(spdlog::level::trace);
  } else if (verbosity == 1) {
    logger->set_level(spdlog::level::debug);
  } else {
    logger->set_level(spdlog::level::info);
  }
  spdlog::set_default_logger(logger);
}

}  // namespace tandem
