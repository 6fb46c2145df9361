// Fuzz target: the definition index file `{repo}/.swamp/.fen/definition-index`
// (src/models/definition_index.h), which any process can write. Its bytes are the input; a small
// repo of real definition files is made once. Invariants: nothing crashes or throws; a lookup
// through the index never fails and never returns a definition that does not carry the name
// or id asked for (the returned file is always parsed and checked; an entry forged with a
// matching stamp can at most hide a file, as any cache of fen's can); the index fen rewrites
// is its own format.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "fen/env/env.h"
#include "fen/models/definition_repository.h"

namespace {

const char kIdA[] = "22222222-0000-4000-8000-00000000000a";
const char kIdB[] = "22222222-0000-4000-8000-00000000000b";

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc | std::ios::binary) << text;
}

// Removed at exit (libFuzzer exits through exit()).
struct TempRepo {
  std::string dir;
  ~TempRepo() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

const std::string& Repo() {
  static const TempRepo repo{[] {
    const std::string d = "/tmp/fen-definition-index-fuzz-" + std::to_string(getpid());
    std::filesystem::create_directories(d + "/models/command/shell");
    std::filesystem::create_directories(d + "/.swamp/.fen");
    for (const auto& [name, id] : {std::pair{"a", kIdA}, std::pair{"b", kIdB}}) {
      Write(d + "/models/command/shell/" + name + ".yaml",
            std::string("type: command/shell\nid: ") + id + "\nname: " + name +
                "\nversion: 1\nglobalArguments:\n  run: 'true'\nmethods: {}\n");
    }
    Write(d + "/models/command/shell/broken.yaml", "name: [unclosed\n");
    return d;
  }()};
  return repo.dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& repo = Repo();
  const std::string index = repo + "/.swamp/.fen/definition-index";
  for (const char* key : {"a", kIdB, "missing"}) {
    Write(index, std::string(reinterpret_cast<const char*>(data), size));
    fen::models::DefinitionRepository defs(fen::Env::Default(), repo, repo + "/.swamp");
    defs.EnableIndex(0);
    std::vector<std::string> warnings;
    auto found = defs.Find(key, &warnings);
    if (!found.ok()) __builtin_trap();
    if (found->has_value() && (*found)->name != key && (*found)->id != key) __builtin_trap();
  }
  // What fen wrote back is its own format (or nothing was written).
  std::ifstream in(index, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text != std::string(reinterpret_cast<const char*>(data), size) &&
      text.find("\"format\":\"fen-definition-index-1\"") == std::string::npos) {
    __builtin_trap();
  }
  return 0;
}
