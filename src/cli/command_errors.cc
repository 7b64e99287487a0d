#include "cli/command_errors.h"

#include <string_view>
#include <vector>

#include "reader/messages.h"

namespace tandem::cli {
namespace {

constexpr char kSeeHelp[] = "; run `tandem --help` for the commands and their options";

}  // namespace

Status NoCommandError(CLI::App& app) {
  std::vector<std::string> words = app.remaining();
  if (words.empty()) return Status::InvalidInput(std::string("no command given") + kSeeHelp);
  const std::string& word = words.front();
  if (word.starts_with("-")) {
    return Status::InvalidInput("unknown option \"" + word + "\"" + kSeeHelp);
  }
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(command->get_name());
  }
  std::vector<std::string_view> candidates(names.begin(), names.end());
  std::string closest = reader::ClosestMatch(word, candidates);
  std::string guess = closest.empty() ? "" : " (did you mean \"" + closest + "\"?)";
  return Status::InvalidInput("unknown command \"" + word + "\"" + guess + kSeeHelp);
}

}  // namespace tandem::cli
