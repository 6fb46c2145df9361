#include "cli/app.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "cli/command_registry.h"
#include "cli/output.h"

namespace fen::cli {
namespace {

const std::set<std::string>& GlobalValueOptions() {
  static const std::set<std::string> kOpts = {"--repo-dir", "--log-level", "--datastore"};
  return kOpts;
}

void AddGlobalOptions(CLI::App& app, GlobalOptions& g) {
  app.add_flag("--json", g.json, "Machine-readable output: one JSON document on stdout");
  app.add_flag("--log", g.log, "Force non-interactive log output");
  app.add_option("--log-level", g.log_level, "trace|debug|info|warning|error|fatal");
  app.add_flag("-q,--quiet", g.quiet, "Only log errors");
  app.add_flag("-v,--verbose", g.verbose, "Log at debug level");
  app.add_flag("--no-color", g.no_color, "Disable colours");
  app.add_flag("--no-telemetry", g.no_telemetry, "Accepted for swamp compatibility (fen has none)");
  app.add_flag("--show-properties", g.show_properties, "Accepted for swamp compatibility");
  app.add_option("--repo-dir", g.repo_dir, "Repository directory (default: discovered upward)");
  app.add_option("--datastore", g.datastore,
                 "Datastore override, e.g. filesystem:/path (see `fen datastore status`)");
}

std::vector<std::string> SubcommandNames(CLI::App* app) {
  std::vector<std::string> names;
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

CLI::App* FindSubcommand(CLI::App* app, const std::string& name) {
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) {
    if (sub->check_name(name)) return sub;
  }
  return nullptr;
}

std::string CommandPath(CLI::App* app) {
  std::string path;
  for (CLI::App* a = app; a != nullptr; a = a->get_parent()) {
    path = path.empty() ? a->get_name() : a->get_name() + " " + path;
  }
  return path;
}

// Walks argv down the command tree the way the parser will, so an unknown command word is
// reported as such (exit 2, with a suggestion) rather than as a stray positional.
Status CheckCommandWords(CLI::App* root, const std::vector<std::string>& args) {
  CLI::App* current = root;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (!a.empty() && a[0] == '-') {
      if (GlobalValueOptions().count(a) != 0) ++i;  // skip the option's value
      continue;
    }
    if (current->get_subcommands([](CLI::App*) { return true; }).empty()) break;  // a leaf
    CLI::App* next = FindSubcommand(current, a);
    if (next == nullptr) {
      std::string msg = "Unknown command \"" + a + "\".";
      std::string guess = SuggestClosest(a, SubcommandNames(current));
      if (!guess.empty()) msg += " Did you mean \"" + guess + "\"?";
      msg += " Run \"" + CommandPath(current) + " --help\" for available subcommands.";
      return Status(ErrorCode::kUnknownCommand, msg);
    }
    current = next;
  }
  return Status::Ok();
}

std::vector<std::string> OptionNames(CLI::App* leaf) {
  std::vector<std::string> names;
  for (CLI::App* a = leaf; a != nullptr; a = a->get_parent()) {
    for (const CLI::Option* opt : a->get_options()) {
      for (const auto& n : opt->get_lnames()) names.push_back("--" + n);
    }
  }
  return names;
}

Status UsageErrorFromParse(const CLI::ParseError& e, CLI::App* root,
                           const std::vector<std::string>& args) {
  std::string what = e.what();
  // CLI11's messages have no final period ("shell is required"): end the sentence.
  if (!what.empty() && what.back() != '.') what += '.';
  // Find the deepest command the user named, for option suggestions.
  CLI::App* leaf = root;
  for (const auto& a : args) {
    if (a.empty() || a[0] == '-') continue;
    if (CLI::App* next = FindSubcommand(leaf, a)) leaf = next;
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    for (const auto& a : args) {
      if (a.size() > 1 && a[0] == '-' && what.find(a) != std::string::npos) {
        std::string flag = a.substr(0, a.find('='));
        std::string msg = "Unknown option \"" + flag + "\".";
        std::string guess = SuggestClosest(flag, OptionNames(leaf));
        if (!guess.empty()) msg += " Did you mean \"" + guess + "\"?";
        msg += " Run \"" + CommandPath(leaf) + " --help\" for usage.";
        return Status(ErrorCode::kUsage, msg);
      }
    }
    return Status(ErrorCode::kUnknownCommand, "Too many arguments: " + what + " Run \"" +
                                                  CommandPath(leaf) + " --help\" for usage.");
  }
  return Status(ErrorCode::kUsage, what + " Run \"" + CommandPath(leaf) + " --help\" for usage.");
}

// The level chosen by flags or the environment, if any (cli.md §9.1).
bool ExplicitLogLevel(const GlobalOptions& g, LogLevel* level) {
  if (g.quiet) {
    *level = LogLevel::kError;
    return true;
  }
  if (!g.log_level.empty() && ParseLogLevel(g.log_level, level)) return true;
  if (const char* env = std::getenv("SWAMP_LOG_LEVEL"); env != nullptr && *env != '\0') {
    if (ParseLogLevel(env, level)) return true;
  }
  if (g.verbose) {
    *level = LogLevel::kDebug;
    return true;
  }
  return false;
}

LogLevel EffectiveLogLevel(const GlobalOptions& g) {
  LogLevel level = LogLevel::kInfo;
  return ExplicitLogLevel(g, &level) ? level : LogLevel::kInfo;
}

}  // namespace

void ApplyRepoLogLevel(CommandContext& ctx, const std::string& repo_log_level) {
  LogLevel level = LogLevel::kInfo;
  if (repo_log_level.empty() || ExplicitLogLevel(ctx.global, &level)) return;
  if (ParseLogLevel(repo_log_level, &level)) ctx.out.set_log_level(level);
}

std::string SuggestClosest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    // Levenshtein distance, O(|word|*|c|): both are short.
    std::vector<size_t> prev(c.size() + 1), cur(c.size() + 1);
    for (size_t j = 0; j <= c.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= word.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= c.size(); ++j) {
        size_t sub = prev[j - 1] + (word[i - 1] == c[j - 1] ? 0 : 1);
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      }
      std::swap(prev, cur);
    }
    size_t d = prev[c.size()];
    bool prefix = c.rfind(word, 0) == 0 && word.size() >= 2;
    if (prefix) d = std::min<size_t>(d, 1);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  size_t limit = std::max<size_t>(2, word.size() / 3);
  return best_d <= limit ? best : std::string();
}

namespace {

// The first word of argv that is not an option (nor a global option's value): the top-level
// command group, or "" when argv names none.
std::string FirstCommandWord(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return "";
    if (a.empty() || a[0] != '-') return a;
    if (GlobalValueOptions().count(a) != 0) ++i;  // skip the option's value
  }
  return "";
}

}  // namespace

void BuildFenApp(CLI::App& app, GlobalOptions& global, bool& show_version,
                 CommandRegistry& registry, const std::vector<std::string>* args) {
  app.name("fen");
  app.require_subcommand(0, 1);
  AddGlobalOptions(app, global);
  app.add_flag("--version", show_version, "Print fen's version and exit");
  // Each top-level word and the registrations that build its group.
  using Register = void (*)(CommandRegistry&);
  static const std::vector<std::pair<std::string, std::vector<Register>>> kGroups = {
      {"version", {RegisterVersionCommand}},
      {"completions", {RegisterCompletionsCommand}},
      {"repo", {RegisterRepoCommands}},
      {"datastore", {RegisterDatastoreCommands, RegisterLockCommands}},
      {"model", {RegisterModelCommands}},
      {"data", {RegisterDataCommands}},
      {"doctor", {RegisterDoctorCommands}},
  };
  const std::string word = args != nullptr ? FirstCommandWord(*args) : "";
  // `completions` describes the whole tree; an absent or unknown word needs every name (help,
  // suggestions).
  if (!word.empty() && word != "completions") {
    for (const auto& [name, registrations] : kGroups) {
      if (name != word) continue;
      for (Register r : registrations) r(registry);
      return;
    }
  }
  for (const auto& group : kGroups) {
    for (Register r : group.second) r(registry);
  }
}

int RunFen(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, Env* env,
           const RunOptions& options) {
  // JSON mode iff --json appears anywhere in argv (raw match, as swamp): decided before
  // parsing so that even parser errors are rendered as JSON.
  bool json = std::find(args.begin(), args.end(), "--json") != args.end();
  Output output(out, err, json, isatty(STDERR_FILENO) == 1);

  CLI::App app{"fen: a fast, crash-safe datastore for swamp repos"};
  GlobalOptions global;
  bool show_version = false;
  CommandRegistry registry(&app);
  BuildFenApp(app, global, show_version, registry, &args);

  if (Status s = CheckCommandWords(&app, args); !s.ok()) {
    output.Error(s);
    return ExitCodeFor(s.code());
  }

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    CLI::App* leaf = &app;
    for (const auto& a : args) {
      if (a.empty() || a[0] == '-') continue;
      if (CLI::App* next = FindSubcommand(leaf, a)) leaf = next;
    }
    out << leaf->help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    Status s = UsageErrorFromParse(e, &app, args);
    output.Error(s);
    return ExitCodeFor(s.code());
  }
  output.set_log_level(EffectiveLogLevel(global));

  CLI::App* leaf = &app;
  while (true) {
    auto selected = leaf->get_subcommands();
    if (selected.empty()) break;
    leaf = selected.front();
  }
  if (leaf == &app && show_version) {
    const Handler* h = nullptr;
    if (CLI::App* v = FindSubcommand(&app, "version")) h = registry.HandlerFor(v);
    if (h != nullptr) leaf = FindSubcommand(&app, "version");
  }
  const Handler* handler = registry.HandlerFor(leaf);
  if (handler == nullptr) {
    std::vector<std::string> available = SubcommandNames(leaf);
    if (json) {
      Json extra = Json::object();
      extra["availableCommands"] = available;
      output.Error(Status(ErrorCode::kMissingSubcommand, "No subcommand specified"), extra);
      return 1;
    }
    // Log mode shows help (cli.md §9.3). A bare `fen` asked for nothing wrong: help on stdout,
    // exit 0. A group without its subcommand is a usage failure: help on stderr, exit 1, so
    // stdout stays empty for scripts and the failure always says why.
    if (leaf == &app) {
      out << leaf->help();
      return 0;
    }
    err << leaf->help();
    return 1;
  }
  if (!options.dispatch) return 0;
  CommandContext ctx{global, output, env, &app};
  Status status;
  try {
    status = (*handler)(ctx);
  } catch (const std::exception& e) {
    status = Status(ErrorCode::kInternalError, std::string("internal error: ") + e.what());
  }
  if (!status.ok()) {
    output.Error(status);
    return ExitCodeFor(status.code());
  }
  return 0;
}

}  // namespace fen::cli
