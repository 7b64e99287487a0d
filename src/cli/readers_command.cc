#include "cli/readers_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/rfc3339.h"
#include "readers/findings.h"

namespace tandem::cli {

Status RunReaders(core::Runner& runner, bool json, const std::string& scan_dir) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<readers::Reader> found, runner.Readers(scan_dir));
  for (const auto& r : found) {
    if (json) {
      nlohmann::json line = {{"event", "reader"}, {"time", NowRfc3339()}, {"kind", r.kind},
                             {"name", r.name},    {"uses", r.uses},       {"action", r.action},
                             {"blocks", r.blocks}};
      std::printf("%s\n", line.dump().c_str());
    } else {
      std::printf("%s\n", readers::ReaderLine(r).c_str());
    }
  }
  std::fflush(stdout);
  // Statements not run since the window opened are shown, never counted.
  bool shown = !found.empty();
  std::erase_if(found, [](const readers::Reader& r) { return !r.blocks; });
  if (found.empty()) {
    if (!json && shown) {
      std::printf(
          "no hidden reader blocks complete: the statements above have not run since "
          "the observation window opened\n");
    } else if (!json) {
      std::printf("no hidden readers: nothing else uses what complete drops or renames\n");
    }
    return Status::Ok();
  }
  bool one = found.size() == 1;
  std::string which =
      one ? "the hidden reader listed above still uses"
          : "the " + std::to_string(found.size()) + " hidden readers listed above still use";
  return Status::Refused(which + " what complete drops or renames; change " +
                         (one ? "it" : "them") +
                         " before `tandem complete` (or complete with --force --reason TEXT)");
}

}  // namespace tandem::cli
