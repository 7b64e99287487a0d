#include "common/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace tandem {

void InitLogging(int verbosity, bool quiet) {
  auto logger = spdlog::stderr_color_mt("tandem");
  logger->set_pattern("%^%l%$ %v");
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
