// Process-level tests of `fen model output get/search/data/logs` (cli.md §6.5;
// docs/design/models.md §9) over the fixture's real swamp run records and fen's own.
#include <gtest/gtest.h>

#include <fstream>

#include "fen/base/json_text.h"
#include "models/model_test_util.h"

namespace fen::models {
namespace {

using testing::CopyFixtureRepo;
using testing::RunFenProcess;
using testing::Slurp;
using testing::TempDir;

const char kHelloId[] = "84900049-e41d-42e9-941e-cca09d30cb7b";
const char kOutDir[] = "/.swamp/outputs/command/shell/execute/";

void Write(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

TEST(ModelOutputTest, GetByIdPrefixReturnsTheRecord) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  // Dashes are ignored and case does not matter; text mode prints JSON too.
  auto r = RunFenProcess({"model", "output", "get", "2229BE8AFC1F"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "definitionId", "modelName", "type", "methodName",
                                            "status", "startedAt", "completedAt", "durationMs",
                                            "retryCount", "provenance", "artifacts", "error"}));
  EXPECT_EQ(j["id"], "2229be8a-fc1f-4897-bc2b-08d0702c786b");
  EXPECT_EQ(j["definitionId"], kHelloId);
  EXPECT_EQ(j["modelName"], "hello");
  EXPECT_EQ(j["type"], "command/shell");
  EXPECT_EQ(j["methodName"], "execute");
  EXPECT_EQ(j["status"], "succeeded");
  EXPECT_EQ(j["startedAt"], "2026-11-26T20:31:22.121Z");
  EXPECT_EQ(j["completedAt"], "2026-11-26T20:31:22.143Z");
  EXPECT_EQ(j["durationMs"], 22);
  EXPECT_EQ(j["retryCount"], 0);
  EXPECT_EQ(j["provenance"]["modelVersion"], "2026.02.09.1");
  EXPECT_EQ(j["provenance"]["definitionHash"],
            "b2433185513ec1da8ab85f4c045790c7ae44e326fdc23c0e0513fcc91985f832");
  ASSERT_EQ(j["artifacts"]["dataArtifacts"].size(), 2u);
  EXPECT_EQ(j["artifacts"]["dataArtifacts"][0]["name"], "result");
  EXPECT_EQ(j["artifacts"]["dataArtifacts"][1]["tags"]["type"], "file");
  EXPECT_TRUE(j["error"].is_null());
}

TEST(ModelOutputTest, GetByModelReturnsLatestRecord) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto r = RunFenProcess({"model", "output", "get", "hello", "--json"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["id"], "5bb07d1b-9123-446b-8394-a9a8bf3ee0b9");
  // A fen run becomes the model's latest record.
  auto run = RunFenProcess({"model", "method", "run", "hello", "execute", "--json"}, repo);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto after = RunFenProcess({"model", "output", "get", kHelloId, "--json"}, repo);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  Json j = Json::parse(after.out);
  EXPECT_NE(j["id"], "5bb07d1b-9123-446b-8394-a9a8bf3ee0b9");
  EXPECT_GT(j["startedAt"].get<std::string>(), "2026-11-26T20:31:23.822Z");
  EXPECT_EQ(j["modelName"], "hello");
  EXPECT_EQ(j["status"], "succeeded");
  // Its data and its log (the fen fix of the logs quirk) read back.
  std::string id = j["id"];
  auto data = RunFenProcess({"model", "output", "data", id, "--json"}, repo);
  ASSERT_EQ(data.exit_code, 0) << data.err;
  EXPECT_EQ(Json::parse(data.out)["dataName"], "result");
  EXPECT_EQ(Json::parse(data.out)["data"]["stdout"], "hello world");
  auto logs = RunFenProcess({"model", "output", "logs", id, "--json"}, repo);
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(Json::parse(logs.out)["lines"], Json::parse(R"(["[stdout]", "hello world"])"));
}

TEST(ModelOutputTest, NotFoundAndAmbiguousErrors) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto none = RunFenProcess({"model", "output", "get", "nope", "--json"}, repo);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(Json::parse(none.err)["error"], "Output or model not found: nope");
  EXPECT_EQ(Json::parse(none.err)["code"], "output_not_found");
  auto hex = RunFenProcess({"model", "output", "get", "abcdef", "--json"}, repo);
  EXPECT_EQ(Json::parse(hex.err)["error"], "Output or model not found: abcdef");

  auto created = RunFenProcess({"model", "create", "command/shell", "idle", "--json"}, repo);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto idle = RunFenProcess({"model", "output", "get", "idle", "--json"}, repo);
  EXPECT_EQ(Json::parse(idle.err)["error"], "Output not found: no outputs for model: idle");
  EXPECT_EQ(Json::parse(idle.err)["code"], "output_not_found");

  // A second record whose id shares the prefix "2229".
  std::string rec =
      Slurp(repo + kOutDir + std::string(kHelloId) + "-2026-11-26T20-31-22-121Z.yaml");
  rec.replace(rec.find("2229be8a-fc1f"), 13, "2229ffff-0000");
  Write(repo + kOutDir + std::string(kHelloId) + "-2026-11-26T20-40-00-000Z.yaml", rec);
  auto amb = RunFenProcess({"model", "output", "get", "2229", "--json"}, repo);
  EXPECT_EQ(amb.exit_code, 1);
  Json e = Json::parse(amb.err);
  EXPECT_EQ(e["code"], "ambiguous_id");
  std::string msg = e["error"];
  EXPECT_EQ(msg.rfind("Ambiguous ID prefix \"2229\" matches:\n  ", 0), 0u) << msg;
  EXPECT_NE(msg.find("\n  2229be8a-fc1f-4897-bc2b-08d0702c786b"), std::string::npos);
  EXPECT_NE(msg.find("\n  2229ffff-0000-4897-bc2b-08d0702c786b"), std::string::npos);
  auto unique = RunFenProcess({"model", "output", "get", "2229-b", "--json"}, repo);
  EXPECT_EQ(Json::parse(unique.out)["id"], "2229be8a-fc1f-4897-bc2b-08d0702c786b");

  auto data = RunFenProcess({"model", "output", "data", "nope", "--json"}, repo);
  EXPECT_EQ(Json::parse(data.err)["error"], "Output not found: nope");
  EXPECT_EQ(Json::parse(data.err)["code"], "output_not_found");
}

TEST(ModelOutputTest, SearchSortsByStartedAtAndFilters) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto r = RunFenProcess({"model", "output", "search", "--json"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["query"], "");
  ASSERT_EQ(j["results"].size(), 8u);
  EXPECT_EQ(j["results"][0]["id"], "eb64f79d-f089-4012-9681-b4cf824f6ae4");
  EXPECT_EQ(j["results"][7]["id"], "2229be8a-fc1f-4897-bc2b-08d0702c786b");
  for (size_t i = 1; i < j["results"].size(); ++i) {
    EXPECT_GE(j["results"][i - 1]["startedAt"].get<std::string>(),
              j["results"][i]["startedAt"].get<std::string>());
  }
  std::vector<std::string> keys;
  for (auto it = j["results"][0].begin(); it != j["results"][0].end(); ++it) {
    keys.push_back(it.key());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "definitionId", "modelName", "type", "methodName",
                                            "status", "startedAt", "durationMs"}));
  auto hello = RunFenProcess({"model", "output", "list", "HELLO", "--json"}, repo);
  Json h = Json::parse(hello.out);
  EXPECT_EQ(h["query"], "HELLO");
  ASSERT_EQ(h["results"].size(), 3u);
  for (const auto& x : h["results"]) EXPECT_EQ(x["modelName"], "hello");
  auto none = RunFenProcess({"model", "output", "search", "zzz", "--json"}, repo);
  EXPECT_EQ(Json::parse(none.out)["results"].size(), 0u);
}

TEST(ModelOutputTest, CorruptRecordIsSkippedWithWarning) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  Write(repo + kOutDir + std::string(kHelloId) + "-2026-11-26T21-00-00-000Z.yaml",
        "id: [unclosed\n  definitionId: {{\n");
  Write(repo + kOutDir + std::string(kHelloId) + "-2026-11-26T21-00-01-000Z.yaml",
        "just a string\n");
  auto r = RunFenProcess({"model", "output", "search", "--json"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["results"].size(), 8u);
  EXPECT_NE(r.err.find("Skipping malformed run record"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("21-00-00-000Z.yaml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("21-00-01-000Z.yaml"), std::string::npos) << r.err;
  auto g = RunFenProcess({"model", "output", "get", "hello", "--json"}, repo);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(Json::parse(g.out)["id"], "5bb07d1b-9123-446b-8394-a9a8bf3ee0b9");
}

TEST(ModelOutputTest, DataReadsArtifactContent) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto r = RunFenProcess({"model", "output", "data", "2229be8a", "--json"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"outputId", "methodName", "dataId", "dataName",
                                            "version", "contentType", "field", "data"}));
  EXPECT_EQ(j["outputId"], "2229be8a-fc1f-4897-bc2b-08d0702c786b");
  EXPECT_EQ(j["dataId"], "0e0b8597-a3d2-4dc2-9ba5-5835e8fba3b3");
  EXPECT_EQ(j["dataName"], "result");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["contentType"], "application/json");
  EXPECT_TRUE(j["field"].is_null());
  EXPECT_EQ(j["data"]["command"], "echo hello world");
  EXPECT_EQ(j["data"]["exitCode"], 0);

  auto field =
      RunFenProcess({"model", "output", "data", "2229be8a", "--field", "stdout", "--json"}, repo);
  ASSERT_EQ(field.exit_code, 0) << field.err;
  EXPECT_EQ(Json::parse(field.out)["field"], "stdout");
  EXPECT_EQ(Json::parse(field.out)["data"], "hello world");

  auto log = RunFenProcess({"model", "output", "data", "2229be8a", "--name", "log"}, repo);
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_EQ(log.out, "[stdout]\nhello world\n");

  auto missing =
      RunFenProcess({"model", "output", "data", "2229be8a", "--name", "nope", "--json"}, repo);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(Json::parse(missing.err)["code"], "data_not_found");
}

TEST(ModelOutputTest, LogsAcceptsShellLogArtifact) {
  TempDir tmp;
  std::string repo = CopyFixtureRepo(tmp.path());
  auto r = RunFenProcess({"model", "output", "logs", "2229be8a", "--json"}, repo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["outputId"], "2229be8a-fc1f-4897-bc2b-08d0702c786b");
  EXPECT_EQ(j["dataName"], "log");
  EXPECT_EQ(j["lines"], Json::parse(R"(["[stdout]", "hello world"])"));
  auto tail = RunFenProcess({"model", "output", "logs", "2229be8a", "--tail", "1"}, repo);
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(tail.out, "hello world\n");

  // A record without any log artifact keeps swamp's message.
  std::string rec =
      Slurp(repo + kOutDir + std::string(kHelloId) + "-2026-11-26T20-31-22-121Z.yaml");
  rec.replace(rec.find("2229be8a-fc1f"), 13, "77777777-0000");
  rec.replace(rec.find("name: log"), 9, "name: other");
  Write(repo + kOutDir + std::string(kHelloId) + "-2026-11-26T20-40-00-000Z.yaml", rec);
  auto none = RunFenProcess({"model", "output", "logs", "7777", "--json"}, repo);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(Json::parse(none.err)["error"],
            "Log artifacts not found: Output 77777777-0000-4897-bc2b-08d0702c786b has no log "
            "artifacts. Status: succeeded, Method: execute");
  EXPECT_EQ(Json::parse(none.err)["code"], "output_not_found");
}

}  // namespace
}  // namespace fen::models
