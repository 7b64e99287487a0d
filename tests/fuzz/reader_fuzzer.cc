// libFuzzer target for the migration reader: any bytes must come back as a
// migration or as an invalid-input error that names the file, and never as a
// crash, a hang or runaway memory (the run's -timeout and -rss_limit_mb turn
// those into failures). Built only by scripts/fuzz-reader.sh, with clang.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "reader/reader.h"

namespace {

constexpr char kFileName[] = "fuzz.yaml";

// A refusal that is not a clean, located invalid-input error is a finding.
void CheckRefusal(const tandem::Status& status) {
  bool located = std::string_view(status.message()).starts_with(std::string(kFileName) + ":");
  if (status.kind() == tandem::ErrorKind::kInvalidInput && located) return;
  std::fprintf(stderr, "refused without kInvalidInput and a location: %s\n",
               status.message().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view content(reinterpret_cast<const char*>(data), size);
  tandem::Result<tandem::plan::Migration> read = tandem::reader::ParseMigration(content, kFileName);
  if (!read.ok()) CheckRefusal(read.status());
  return 0;
}
