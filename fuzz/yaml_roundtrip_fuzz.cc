// Fuzz target: any string fen writes into a YAML file (names, tags, commands, run records)
// must read back as exactly the same string (yaml_writer.h contract). Input: NUL-separated
// strings, used as keys and values of a mapping and as items of a nested sequence, written in
// both quote styles. Invalid UTF-8 is out of scope (fen's YAML inputs are UTF-8 names/text).
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fen/base/yaml_writer.h"

namespace {
bool ValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= input.size(); ++i) {
    if (i == input.size() || input[i] == '\0') {
      parts.push_back(input.substr(start, i - start));
      start = i + 1;
    }
  }
  for (const auto& p : parts) {
    if (!ValidUtf8(p)) return 0;
  }
  fen::Json doc = fen::Json::object();
  fen::Json list = fen::Json::array();
  fen::Json keys = fen::Json::object();  // fuzzed strings as keys, in their own mapping
  for (size_t i = 0; i < parts.size(); ++i) {
    doc["k" + std::to_string(i)] = parts[i];
    keys[parts[i]] = "v";
    list.push_back(parts[i]);
  }
  doc["list"] = list;
  doc["keys"] = keys;
  for (auto style : {fen::YamlQuoteStyle::kSingle, fen::YamlQuoteStyle::kDouble}) {
    fen::YamlWriteOptions o;
    o.quote = style;
    std::string text = fen::ToYaml(doc, o);
    YAML::Node n;
    try {
      n = YAML::Load(text);
    } catch (const YAML::Exception&) {
      std::abort();  // fen wrote YAML that does not parse
    }
    for (size_t i = 0; i < parts.size(); ++i) {
      if (n["k" + std::to_string(i)].as<std::string>() != parts[i]) std::abort();
      if (n["list"][i].as<std::string>() != parts[i]) std::abort();
      if (n["keys"][parts[i]].as<std::string>("<missing>") != "v") std::abort();
    }
  }
  return 0;
}
