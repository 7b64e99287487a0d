// The command center page's files (src/serve/web/), built into the binary
// by scripts/embed-web.cmake, with the HTTP content type of each.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tandem::serve {

// A file of src/serve/web as it was at build time.
struct WebFile {
  std::string_view name;  // "index.html"
  std::string_view text;
};

// Generated (web_files.cc in the build directory).
const std::vector<WebFile>& WebFiles();

struct WebAsset {
  std::string path;  // "/index.html"
  const char* content_type;
  std::string_view body;
};

// Every file with its path and content type.
std::vector<WebAsset> WebAssets();

}  // namespace tandem::serve
