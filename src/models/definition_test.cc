#include "fen/models/definition.h"

#include <gtest/gtest.h>

#include "fen/models/definition_repository.h"
#include "fen/models/model_type.h"
#include "models/model_test_util.h"

namespace fen::models {
namespace {

using testing::CopyFixtureRepo;
using testing::Slurp;
using testing::TempDir;
using testing::WriteText;

TEST(DefinitionTest, FixtureHashesMatchSpec) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  DefinitionRepository defs(Env::Default(), repo, repo + "/.swamp");
  auto hello = defs.Load(repo + "/models/command/shell/hello.yaml");
  ASSERT_TRUE(hello.ok()) << hello.status().ToString();
  EXPECT_EQ(DefinitionHashText(*hello),
            "{\"globalArguments\":{},\"id\":\"84900049-e41d-42e9-941e-cca09d30cb7b\",\"methods\":{"
            "\"execute\":{\"arguments\":{\"run\":\"echo hello world\"}}},\"name\":\"hello\","
            "\"tags\":{},\"version\":1}");
  EXPECT_EQ(DefinitionHash(*hello),
            "b2433185513ec1da8ab85f4c045790c7ae44e326fdc23c0e0513fcc91985f832");
  auto counter = defs.Load(repo + "/models/command/shell/counter.yaml");
  ASSERT_TRUE(counter.ok());
  EXPECT_EQ(DefinitionHash(*counter),
            "be5a611449a663e486b43abbc9dfbe561f9ec589fcb56153136f3f95aa3bda28");
}

TEST(DefinitionTest, EvaluatedCopyMatchesSwampSerializer) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  DefinitionRepository defs(Env::Default(), repo, repo + "/.swamp");
  auto hello = defs.Load(repo + "/models/command/shell/hello.yaml");
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(SerializeDefinition(*hello),
            Slurp(repo + "/.swamp/definitions-evaluated/command/shell/hello.yaml"));
}

TEST(DefinitionTest, RoundTripKeepsUnknownKeysAfterKnownOnes) {
  const char* text =
      "owner: team-a\n"
      "name: web\n"
      "id: 11111111-2222-4333-8444-555555555555\n"
      "type: Command/Shell\n"
      "version: 1\n"
      "notes:\n  - one\n  - two\n"
      "methods:\n  execute:\n    arguments:\n      run: \"echo hi\"\n      timeout: 5000\n"
      "inputs: {properties: {who: {type: string, default: world}}}\n";
  auto def = ParseDefinition(text, "");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->type, "command/shell");
  EXPECT_EQ(SerializeDefinition(*def),
            "type: command/shell\n"
            "id: 11111111-2222-4333-8444-555555555555\n"
            "name: web\n"
            "version: 1\n"
            "tags: {}\n"
            "globalArguments: {}\n"
            "methods:\n  execute:\n    arguments:\n      run: echo hi\n      timeout: 5000\n"
            "inputs:\n  properties:\n    who:\n      type: string\n      default: world\n"
            "owner: team-a\n"
            "notes:\n  - one\n  - two\n");
  // And it parses back to the same thing.
  auto again = ParseDefinition(SerializeDefinition(*def), "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(DefinitionToJson(*again), DefinitionToJson(*def));
}

TEST(DefinitionTest, YamlScalarsResolveLikeYaml12Core) {
  auto j = YamlToJson("a: 1\nb: '1'\nc: true\nd: ~\ne: 1.0\nf: 2026.02.09.1\ng: 1.5\nh: \"x\"\n");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(ToCompactJson(*j),
            "{\"a\":1,\"b\":\"1\",\"c\":true,\"d\":null,\"e\":1,\"f\":\"2026.02.09.1\",\"g\":1.5,"
            "\"h\":\"x\"}");
  EXPECT_FALSE(YamlToJson("a: [1, 2").ok());
}

// yaml-cpp keeps both pairs of a repeated key; js-yaml (swamp) refuses the file, and so does fen.
TEST(DefinitionTest, DuplicatedKeyIsRejected) {
  const std::string base = "id: 11111111-2222-4333-8444-555555555555\nname: x\nversion: 1\n";
  auto dup = ParseDefinition(base + "globalArguments:\n  run: a\n  run: b\n", "command/shell");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "duplicated mapping key 'run' (line 6, column 3)");
  EXPECT_FALSE(YamlToJson("a: 1\nb: [{c: 1, c: 2}]\n").ok());
  EXPECT_TRUE(YamlToJson("a: {c: 1}\nb: {c: 2}\n").ok());  // the same key in two mappings
}

TEST(DefinitionTest, InvalidUtf8IsRejected) {
  auto bad = YamlToJson("name: caf\xe9\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "invalid UTF-8 or a non-printable character (byte 10)");
  EXPECT_FALSE(YamlToJson(std::string("run: \"a\0b\"\n", 12)).ok());
  EXPECT_FALSE(YamlToJson("run: \"a\x7f\"\n").ok());
  EXPECT_TRUE(YamlToJson("run: \"tab\there\"\r\n").ok());
  EXPECT_TRUE(YamlToJson("name: caf\xc3\xa9\n").ok());
}

TEST(DefinitionTest, RejectsDriverAndMissingFields) {
  const std::string base = "id: 11111111-2222-4333-8444-555555555555\nname: x\nversion: 1\n";
  EXPECT_TRUE(ParseDefinition(base, "command/shell").ok());
  EXPECT_FALSE(ParseDefinition(base + "driver: docker\n", "command/shell").ok());
  EXPECT_FALSE(ParseDefinition(base + "driverConfig: {}\n", "command/shell").ok());
  EXPECT_FALSE(ParseDefinition("name: x\nversion: 1\n", "command/shell").ok());
  EXPECT_FALSE(ParseDefinition("id: a\nversion: 1\n", "command/shell").ok());
  EXPECT_FALSE(ParseDefinition("id: a\nname: x\n", "command/shell").ok());
  EXPECT_FALSE(ParseDefinition("id: a\nname: ../x\nversion: 1\n", "command/shell").ok());
  EXPECT_FALSE(ParseDefinition("- a\n- b\n", "command/shell").ok());
  auto typed = ParseDefinition(base, "command/shell");
  EXPECT_EQ(typed->type, "command/shell");  // derived from the path
  auto legacy = ParseDefinition(base + "typeVersion: 1\n", "command/shell");
  EXPECT_EQ(legacy->type_version, "");  // numeric legacy value reads as unset
}

TEST(DefinitionTest, NameRules) {
  EXPECT_TRUE(ValidateNewDefinitionName("my-server_1").ok());
  EXPECT_TRUE(ValidateNewDefinitionName("@acme/web").ok());
  Status upper = ValidateNewDefinitionName("MyServer");
  EXPECT_EQ(upper.code(), ErrorCode::kValidationFailed);
  EXPECT_EQ(upper.message(),
            "Definition name must be lowercase alphanumeric with hyphens or underscores (e.g. "
            "'my-server'). Must start with a letter or number.");
  EXPECT_FALSE(ValidateNewDefinitionName("-x").ok());
  EXPECT_FALSE(ValidateNewDefinitionName("").ok());
  EXPECT_EQ(ValidateNewDefinitionName(std::string(65, 'a')).message(),
            "Definition name must be at most 64 characters.");
  // Loading is permissive.
  EXPECT_TRUE(ValidateLoadedDefinitionName("My Server").ok());
  EXPECT_TRUE(ValidateLoadedDefinitionName("@acme/web").ok());
  EXPECT_FALSE(ValidateLoadedDefinitionName("a/b").ok());
  EXPECT_FALSE(ValidateLoadedDefinitionName("a..b").ok());
  EXPECT_FALSE(ValidateLoadedDefinitionName("a\\b").ok());
}

TEST(DefinitionTest, FindExpressionReportsPath) {
  Json j = Json::parse(R"({"methods":{"execute":{"arguments":{"run":"echo ${{ inputs.who }}"}}}})");
  std::string path, expr;
  ASSERT_TRUE(FindExpression(j, "", &path, &expr));
  EXPECT_EQ(path, "methods.execute.arguments.run");
  EXPECT_EQ(expr, "inputs.who");
  EXPECT_FALSE(FindExpression(Json::parse(R"({"a":"${ {x}"})"), "", &path, &expr));
}

TEST(DefinitionRepositoryTest, LookupSkipsBrokenFilesAndUsesNameField) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  WriteText(repo + "/models/command/shell/broken.yaml", "id: [\n");
  // File name and `name:` disagree: lookup goes by the `name:` field.
  WriteText(repo + "/models/command/shell/filename.yaml",
            "type: command/shell\nid: 11111111-2222-4333-8444-555555555555\nname: realname\n"
            "version: 1\n");
  DefinitionRepository defs(Env::Default(), repo, repo + "/.swamp");
  std::vector<std::string> warnings;
  auto found = defs.Find("realname", &warnings);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, "11111111-2222-4333-8444-555555555555");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(
      warnings[0].rfind(
          "Skipping broken definition file " + repo + "/models/command/shell/broken.yaml: ", 0),
      0u);
  EXPECT_FALSE(defs.Find("filename", nullptr)->has_value());
  // By id.
  auto by_id = defs.Find("84900049-e41d-42e9-941e-cca09d30cb7b", nullptr);
  ASSERT_TRUE(by_id->has_value());
  EXPECT_EQ((*by_id)->name, "hello");
}

TEST(DefinitionRepositoryTest, SaveIsNameBasedAndMigratesLegacyFiles) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  std::string legacy = repo + "/models/command/shell/11111111-2222-4333-8444-555555555555.yaml";
  WriteText(legacy,
            "type: command/shell\nid: 11111111-2222-4333-8444-555555555555\nname: web\n"
            "version: 1\nextra: kept\n");
  DefinitionRepository defs(Env::Default(), repo, repo + "/.swamp");
  auto def = defs.Load(legacy);
  ASSERT_TRUE(def.ok());
  ASSERT_TRUE(defs.Save(&*def).ok());
  EXPECT_EQ(def->path, repo + "/models/command/shell/web.yaml");
  EXPECT_FALSE(std::filesystem::exists(legacy));
  EXPECT_NE(Slurp(def->path).find("extra: kept\n"), std::string::npos);
  // Scoped names are stored as <id>.yaml.
  Definition scoped = *def;
  scoped.name = "@acme/web";
  scoped.path.clear();
  EXPECT_EQ(defs.PathFor(scoped), legacy);
  ASSERT_TRUE(defs.Remove(*def).ok());
  EXPECT_FALSE(std::filesystem::exists(def->path));
}

TEST(ModelTypeTest, Normalizes) {
  EXPECT_EQ(*NormalizeModelType("Command/Shell"), "command/shell");
  EXPECT_EQ(*NormalizeModelType("AWS::EC2::VPC"), "aws/ec2/vpc");
  EXPECT_FALSE(NormalizeModelType("  ").ok());
  EXPECT_TRUE(IsKnownModelType("command/shell"));
  EXPECT_EQ(UnknownModelTypeError("bogus").message(),
            "Unknown model type: bogus. Available types: command/shell");
}

}  // namespace
}  // namespace fen::models
