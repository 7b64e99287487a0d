#include "serve/web_assets.h"

#include <string>

namespace tandem::serve {
namespace {

const char* ContentType(std::string_view name) {
  auto ends_with = [name](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace

std::vector<WebAsset> WebAssets() {
  std::vector<WebAsset> assets;
  for (const WebFile& file : WebFiles()) {
    assets.push_back({"/" + std::string(file.name), ContentType(file.name), file.text});
  }
  return assets;
}

}  // namespace tandem::serve
