#include "cli/command_registry.h"

namespace fen::cli {

CLI::App* CommandRegistry::Group(CLI::App* parent, const std::string& name,
                                 const std::string& description) {
  if (parent == nullptr) parent = root_;
  for (CLI::App* existing : parent->get_subcommands([](CLI::App*) { return true; })) {
    if (existing->get_name() == name) return existing;
  }
  CLI::App* group = parent->add_subcommand(name, description);
  group->fallthrough();
  group->require_subcommand(0, 1);
  return group;
}

CLI::App* CommandRegistry::Command(CLI::App* parent, const std::string& name,
                                   const std::string& description, Handler handler) {
  if (parent == nullptr) parent = root_;
  CLI::App* cmd = parent->add_subcommand(name, description);
  cmd->fallthrough();
  handlers_[cmd] = std::move(handler);
  return cmd;
}

const Handler* CommandRegistry::HandlerFor(const CLI::App* app) const {
  auto it = handlers_.find(app);
  return it == handlers_.end() ? nullptr : &it->second;
}

}  // namespace fen::cli
