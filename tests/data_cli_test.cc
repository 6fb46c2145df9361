// Process-level tests of `fen data ...` against a copy of the swamp fixture: outputs are
// compared with swamp's own --json outputs (shared/fixtures/swamp-repo-outputs), and the files
// fen writes are checked on disk by swamp's format rules.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "fen/storage/data_format.h"
#include "hardening_test_util.h"
#include "storage/storage_test_util.h"

namespace fen {
namespace {

using storage::testing::CopyFixtureRepo;
using storage::testing::Exists;
using storage::testing::Slurp;
using storage::testing::TempDir;
using OJson = nlohmann::ordered_json;

// Real fen processes: the one helper the process-level tests share.
using hardening::FenRun;
using hardening::SpawnFen;

const char kCounter[] = "5f9277e4-133a-42e4-848a-8f0df54b77c7";
const char kHello[] = "84900049-e41d-42e9-941e-cca09d30cb7b";

class DataCliTest : public ::testing::Test {
 protected:
  void SetUp() override { repo_ = CopyFixtureRepo(dir_.path()); }
  FenRun Fen(std::vector<std::string> args) { return SpawnFen(repo_, args, dir_.path()); }
  std::string Expected(const std::string& file) {
    std::string text = Slurp(std::string(FEN_FIXTURES_DIR) + "/swamp-repo-outputs/" + file);
    for (size_t p; (p = text.find("$REPO")) != std::string::npos;) text.replace(p, 5, repo_);
    return text;
  }
  std::string ModelDir(const char* id) { return repo_ + "/.swamp/data/command/shell/" + id; }
  TempDir dir_;
  std::string repo_;
};

std::vector<std::string> Keys(const OJson& j) {
  std::vector<std::string> k;
  for (auto it = j.begin(); it != j.end(); ++it) k.push_back(it.key());
  return k;
}

TEST_F(DataCliTest, ReadCommandsReproduceSwampOutputsExactly) {
  struct Case {
    const char* file;
    std::vector<std::string> args;
  } cases[] = {
      {"data_get_hello_result.json", {"data", "get", "hello", "result", "--json"}},
      {"data_get_hello_result_v2.json",
       {"data", "get", "hello", "result", "--version", "2", "--json"}},
      {"data_versions_hello_result.json", {"data", "versions", "hello", "result", "--json"}},
      {"data_versions_counter_result.json", {"data", "versions", "counter", "result", "--json"}},
      {"data_list_hello.json", {"data", "list", "hello", "--json"}},
      {"data_list_counter.json", {"data", "list", "counter", "--json"}},
      {"data_search.json", {"data", "search", "--json"}},
      {"data_gc_dry.json", {"data", "gc", "--dry-run", "--json"}},
  };
  for (const auto& c : cases) {
    FenRun r = Fen(c.args);
    EXPECT_EQ(r.rc, 0) << c.file << r.err;
    EXPECT_EQ(r.out, Expected(c.file)) << c.file;
    EXPECT_EQ(r.err, "") << c.file;
  }
  // By id as well as by name; --model/--name flags override positionals.
  FenRun by_id = Fen({"data", "get", "--model", kHello, "--name", "result", "--json"});
  EXPECT_EQ(by_id.out, Expected("data_get_hello_result.json"));
  // Latest lookups follow the rename tombstone of counter/log.
  FenRun renamed = Fen({"data", "get", "counter", "log", "--json", "--no-content"});
  OJson j = OJson::parse(renamed.out);
  EXPECT_EQ(j["name"], "log-renamed");
  EXPECT_FALSE(j.contains("content"));
  // Explicit versions never follow.
  FenRun tomb = Fen({"data", "get", "counter", "log", "--version", "6", "--json"});
  EXPECT_EQ(OJson::parse(tomb.out)["content"]["renamedTo"], "log-renamed");
}

TEST_F(DataCliTest, ErrorsCarrySwampMessagesAndCodes) {
  struct Case {
    const char* file;
    std::vector<std::string> args;
    const char* code;
  } cases[] = {
      {"err_nomodel.json", {"data", "list", "nosuchmodel", "--json"}, "model_not_found"},
      {"err_nodata.json", {"data", "delete", "hello", "nope", "--json"}, "data_not_found"},
      {"err_version99.json",
       {"data", "delete", "hello", "result", "--version", "99", "--json"},
       "version_not_found"},
  };
  for (const auto& c : cases) {
    FenRun r = Fen(c.args);
    EXPECT_EQ(r.rc, 1) << c.file;
    EXPECT_EQ(r.out, "");
    OJson got = OJson::parse(r.err);
    OJson want = OJson::parse(Expected(c.file));
    EXPECT_EQ(got["error"], want["error"]) << c.file;
    EXPECT_EQ(got["code"], c.code) << c.file;
    EXPECT_EQ(Keys(got), (std::vector<std::string>{"error", "code"}));
  }
  // No mutation on failed pre-checks.
  EXPECT_TRUE(Exists(ModelDir(kHello) + "/result/3/raw"));
}

TEST_F(DataCliTest, ArgumentValidationMessages) {
  struct Case {
    std::vector<std::string> args;
    const char* error;
    const char* code;
  } cases[] = {
      {{"data", "get", "--json"},
       "Either a model name or --workflow is required.",
       "invalid_arguments"},
      {{"data", "get", "hello", "--json"},
       "A data name is required. Usage: swamp data get <model> <data_name>",
       "invalid_arguments"},
      {{"data", "get", "hello", "result", "--workflow", "w", "--json"},
       "Too many arguments. Usage: swamp data get --workflow <name> <data_name>",
       "invalid_arguments"},
      {{"data", "get", "hello", "nope", "--json"},
       "Data not found: \"nope\" for model \"hello\"",
       "data_not_found"},
      {{"data", "get", "hello", "result", "--version", "9", "--json"},
       "Data not found: \"result\" for model \"hello\" (version 9)",
       "data_not_found"},
      {{"data", "list", "hello", "--workflow", "w", "--json"},
       "Cannot specify both a model and --workflow. Use one or the other.",
       "invalid_arguments"},
      {{"data", "list", "--json"},
       "Either a model name or --workflow is required.",
       "invalid_arguments"},
      {{"data", "versions", "hello", "--json"},
       "Both model and data name are required. Use positional arguments (swamp data versions "
       "<model> <name>) or flags (--model <model> --name <name>).",
       "invalid_arguments"},
      {{"data", "versions", "hello", "nope", "--json"},
       "Data not found: \"nope\" for model \"hello\"",
       "data_not_found"},
      {{"data", "delete", "--all", "--json"},
       "Model is required for batch delete. Use positional argument (swamp data delete <model> "
       "--prefix <prefix>) or flag (--model <model>).",
       "invalid_arguments"},
      {{"data", "delete", "hello", "--all", "--version", "1", "--json"},
       "Cannot combine --version with --prefix or --all. Version-specific delete only applies "
       "to single data names.",
       "invalid_arguments"},
      {{"data", "delete", "hello", "--prefix", "", "--json"},
       "--prefix value cannot be empty. Use --all to delete all data.",
       "invalid_arguments"},
      {{"data", "delete", "hello", "--prefix", "r", "--all", "--json"},
       "Cannot combine --prefix and --all. Use one or the other.",
       "invalid_arguments"},
      {{"data", "delete", "hello", "result", "--dry-run", "--json"},
       "--dry-run is only supported with --prefix or --all.",
       "invalid_arguments"},
      {{"data", "delete", "hello", "--prefix", "zz", "--json"},
       "No data matching prefix \"zz\" found for model hello",
       "data_not_found"},
      {{"data", "rename", "counter", "result", "result", "--json"},
       "Old name and new name must be different.",
       "invalid_arguments"},
      {{"data", "rename", "counter", "log", "x", "--json"},
       "Data \"log\" is already deleted or renamed",
       "already_deleted"},
      {{"data", "rename", "counter", "result", "log-renamed", "--json"},
       "Data \"log-renamed\" already exists",
       "already_exists"},
      {{"data", "rename", "counter", "nope", "x", "--json"},
       "Data \"nope\" not found",
       "data_not_found"},
      {{"data", "search", "--tag", "=x", "--json"},
       "Invalid tag format: \"=x\". Expected KEY=VALUE",
       "invalid_arguments"},
      {{"data", "search", "--since", "3q", "--json"},
       "Invalid duration format: \"3q\". Expected format like 1h, 1d, 7d, 1w, 1mo",
       "invalid_arguments"},
      {{"data", "search", "--model", "nosuch", "--json"},
       "Model not found: nosuch",
       "model_not_found"},
      {{"data", "delete", "hello", "result", "--all", "--json"},
       "Cannot combine data name with --prefix or --all. Use either a data name or "
       "--prefix/--all.",
       "invalid_arguments"},
      {{"data", "delete", "hello", "--json"},
       "Both model and data name are required. Usage: swamp data delete <model> <data_name> "
       "[--version <n>]",
       "invalid_arguments"},
      {{"data", "rename", "counter", "result", "--json"},
       "Model, current name, and new name are all required. Usage: swamp data rename <model> "
       "<old_name> <new_name>",
       "invalid_arguments"},
      {{"data", "get", "result", "--workflow", "w", "--json"},
       "Workflow-scoped data lookups (--workflow) are not supported yet.",
       "invalid_arguments"},
      {{"data", "list", "--workflow", "w", "--json"},
       "Workflow-scoped data listings (--workflow) are not supported yet.",
       "invalid_arguments"},
      {{"data", "rename", "counter", "result", "latest", "--json"},
       "Data name 'latest' is reserved for internal use. Use a different name.",
       "validation_failed"},
  };
  for (const auto& c : cases) {
    FenRun r = Fen(c.args);
    EXPECT_EQ(r.rc, 1) << c.error << r.err;
    OJson got = OJson::parse(r.err, nullptr, false);
    ASSERT_FALSE(got.is_discarded()) << r.err;
    EXPECT_EQ(got["error"], c.error);
    EXPECT_EQ(got["code"], c.code) << c.error;
  }
}

TEST_F(DataCliTest, DeleteVersionMatchesSwampShapeAndKeepsHwm) {
  FenRun r = Fen({"data", "delete", "counter", "result", "--version", "5", "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  OJson got = OJson::parse(r.out);
  OJson want = OJson::parse(Expected("data_delete_counter_result_v2.json"));
  EXPECT_EQ(Keys(got), Keys(want));
  want["version"] = 5;
  EXPECT_EQ(got, want);
  const std::string dir = ModelDir(kCounter) + "/result";
  EXPECT_FALSE(Exists(dir + "/5"));
  EXPECT_EQ(Slurp(dir + "/latest"), "4");  // re-pointed to the max survivor
  EXPECT_EQ(Slurp(repo_ + "/.swamp/.fen/hwm/command/shell/" + kCounter + "/result"), "5");
  EXPECT_TRUE(std::filesystem::is_empty(repo_ + "/.swamp/.fen/trash"));
  // Whole-artifact delete in log mode; then the name is gone for readers.
  FenRun all = Fen({"data", "delete", "counter", "result"});
  EXPECT_EQ(all.rc, 0) << all.err;
  EXPECT_EQ(all.out, "Deleted 3 version(s) of result for counter (command/shell)\n");
  EXPECT_FALSE(Exists(dir));
  FenRun after = Fen({"data", "versions", "counter", "result", "--json"});
  EXPECT_EQ(after.rc, 1);
}

TEST_F(DataCliTest, RenameMatchesSwampShapeAndWritesSwampFiles) {
  FenRun r = Fen({"data", "rename", "counter", "log-renamed", "log", "--json"});  // rename back
  ASSERT_EQ(r.rc, 0) << r.err;
  OJson got = OJson::parse(r.out);
  OJson want = OJson::parse(Expected("data_rename.json"));
  EXPECT_EQ(Keys(got), Keys(want));
  EXPECT_EQ(got["copiedVersion"], 1);
  EXPECT_EQ(got["newVersion"], 7);
  EXPECT_EQ(got["warning"],
            "Any workflows or models that produce data under \"log-renamed\" will overwrite the "
            "forward reference. Update them to use \"log\" instead.");
  const std::string m = ModelDir(kCounter);
  EXPECT_EQ(Slurp(m + "/log/latest"), "7");
  EXPECT_EQ(Slurp(m + "/log/7/raw"), Slurp(m + "/log-renamed/1/raw"));
  EXPECT_EQ(Slurp(m + "/log-renamed/latest"), "2");
  std::string tomb = Slurp(m + "/log-renamed/2/metadata.yaml");
  auto rec = storage::ParseMetadataYaml(tomb);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(storage::MetadataToYaml(*rec), tomb);  // swamp's shape, byte for byte
  EXPECT_NE(tomb.find("lifecycle: deleted\nrenamedTo: log\n"), std::string::npos) << tomb;
  EXPECT_EQ(tomb.find("size:"), std::string::npos);
  // data list shows `log`, not the tombstoned `log-renamed`.
  OJson list = OJson::parse(Fen({"data", "list", "counter", "--json"}).out);
  EXPECT_EQ(list["groups"][0]["items"][0]["name"], "log");
}

TEST_F(DataCliTest, ListTypeFilterAndLogMode) {
  OJson reports = OJson::parse(Fen({"data", "list", "counter", "--type", "report", "--json"}).out);
  ASSERT_EQ(reports["groups"].size(), 1u);
  EXPECT_EQ(reports["groups"][0]["type"], "report");
  EXPECT_EQ(reports["total"], 2);
  FenRun get = Fen({"data", "get", "hello", "log"});
  EXPECT_EQ(get.rc, 0) << get.err;
  EXPECT_EQ(get.out.rfind("Data: log (v3)\nModel: hello (command/shell)\n", 0), 0u) << get.out;
  EXPECT_NE(get.out.find("Path: .swamp/data/command/shell/" + std::string(kHello) + "/log/3/raw"),
            std::string::npos);
  FenRun versions = Fen({"data", "versions", "hello", "result"});  // JSON even in log mode
  EXPECT_EQ(versions.out, Expected("data_versions_hello_result.json"));
  FenRun err = Fen({"data", "get", "nosuchmodel", "x"});
  EXPECT_EQ(err.rc, 1);
  EXPECT_EQ(err.err, "Error: Model not found: nosuchmodel\n");
}

TEST_F(DataCliTest, BatchDeleteByPrefixAndAll) {
  FenRun dry = Fen({"data", "delete", "hello", "--prefix", "report", "--dry-run", "--json"});
  ASSERT_EQ(dry.rc, 0) << dry.err;
  OJson d = OJson::parse(dry.out);
  EXPECT_EQ(Keys(d), (std::vector<std::string>{"modelId", "modelName", "modelType", "totalDeleted",
                                               "totalVersionsDeleted", "failed", "dryRun"}));
  EXPECT_EQ(d["totalDeleted"], 2);
  EXPECT_EQ(d["totalVersionsDeleted"], 6);
  EXPECT_EQ(d["dryRun"], true);
  EXPECT_TRUE(Exists(ModelDir(kHello) + "/report-swamp-method-summary"));
  FenRun real = Fen({"data", "delete", "hello", "--prefix", "report"});
  EXPECT_EQ(real.rc, 0) << real.err;
  EXPECT_EQ(real.out, "Deleted 2 data artifact(s) (6 version(s)) from hello (command/shell)\n");
  EXPECT_FALSE(Exists(ModelDir(kHello) + "/report-swamp-method-summary"));
  EXPECT_FALSE(Exists(ModelDir(kHello) + "/report-swamp-method-summary-json"));
  FenRun all = Fen({"data", "delete", "--model", "hello", "--all", "--json"});
  OJson a = OJson::parse(all.out);
  EXPECT_EQ(a["totalDeleted"], 2);
  EXPECT_EQ(a["dryRun"], false);
  FenRun none = Fen({"data", "delete", "hello", "--all", "--json"});
  EXPECT_EQ(OJson::parse(none.err)["error"], "No data matching any data found for model hello");
  EXPECT_TRUE(Exists(ModelDir(kHello)));  // the model directory stays (as swamp)
}

TEST_F(DataCliTest, RenameWithoutContentFails) {
  std::filesystem::remove(ModelDir(kCounter) + "/result/5/raw");
  FenRun r = Fen({"data", "rename", "counter", "result", "res2", "--json"});
  EXPECT_EQ(r.rc, 1);
  OJson e = OJson::parse(r.err);
  EXPECT_EQ(e["error"], "Content not found for \"result\" version 5");
  EXPECT_EQ(e["code"], "content_not_found");
  EXPECT_FALSE(Exists(ModelDir(kCounter) + "/res2"));
}

TEST_F(DataCliTest, CorruptMetadataIsReportedNotFatal) {  // S-e, F5
  std::filesystem::resize_file(ModelDir(kHello) + "/result/3/metadata.yaml", 20);
  FenRun list = Fen({"data", "list", "hello", "--json"});
  EXPECT_EQ(list.rc, 0);
  OJson j = OJson::parse(list.out);
  EXPECT_EQ(j["total"], 3);  // the other artifacts of the model stay visible
  OJson warning = OJson::parse(list.err.substr(0, list.err.find('\n')));
  EXPECT_EQ(warning["warning"], "corrupt_data");
  EXPECT_EQ(warning["path"], ModelDir(kHello) + "/result/3/metadata.yaml");
  FenRun versions = Fen({"data", "versions", "hello", "result", "--json"});
  EXPECT_EQ(versions.rc, 0);
  EXPECT_EQ(OJson::parse(versions.out)["total"], 2);
  FenRun get = Fen({"data", "get", "hello", "result", "--json"});
  EXPECT_EQ(get.rc, 1);
  EXPECT_EQ(OJson::parse(get.err)["code"], "corrupt_data");
  FenRun search = Fen({"data", "search", "--json"});
  EXPECT_EQ(OJson::parse(search.out)["total"], 7);
  FenRun log_mode = Fen({"data", "list", "hello"});
  EXPECT_NE(log_mode.err.find("Warning: skipping corrupt data "), std::string::npos);
}

TEST_F(DataCliTest, SearchFilters) {
  auto total = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"data", "search"});
    args.push_back("--json");
    FenRun r = Fen(args);
    EXPECT_EQ(r.rc, 0) << r.err;
    return OJson::parse(r.out);
  };
  EXPECT_EQ(total({"--type", "resource"})["total"], 2);
  EXPECT_EQ(total({"--model", "hello"})["total"], 4);
  EXPECT_EQ(total({"--streaming"})["total"], 2);
  EXPECT_EQ(total({"--tag", "reportScope=method"})["total"], 4);
  EXPECT_EQ(total({"REPORT-swamp"})["total"], 4);
  OJson limited = total({"--limit", "3"});
  EXPECT_EQ(limited["results"].size(), 3u);
  EXPECT_EQ(limited["total"], 8);
  EXPECT_EQ(limited["limited"], true);
  OJson f = total({"--streaming", "--tag", "type=file", "--lifetime", "infinite"});
  EXPECT_EQ(f["filters"].dump(), R"({"lifetime":"infinite","tag:type":"file","streaming":"true"})");
}

TEST_F(DataCliTest, PruneReclaimsOrphansIncludingTombstoneOnlyModels) {
  // Remove counter's definition: its data (incl. the tombstoned `log`) is orphaned.
  std::filesystem::remove(repo_ + "/models/command/shell/counter.yaml");
  FenRun dry = Fen({"data", "prune", "--dry-run", "--json"});
  ASSERT_EQ(dry.rc, 0) << dry.err;
  OJson d = OJson::parse(dry.out);
  EXPECT_EQ(d["modelsReclaimed"], 1);
  EXPECT_EQ(d["dataEntriesReclaimed"], 5);  // log, log-renamed, result, 2 reports
  EXPECT_EQ(d["reclaimedModels"][0]["modelName"], "counter");
  EXPECT_TRUE(Exists(ModelDir(kCounter) + "/log"));
  FenRun real = Fen({"data", "prune", "--json"});
  OJson r = OJson::parse(real.out);
  EXPECT_EQ(r["versionsDeleted"], d["versionsDeleted"]);
  EXPECT_EQ(r["bytesReclaimed"], d["bytesReclaimed"]);
  for (auto& e : std::filesystem::directory_iterator(ModelDir(kCounter))) {
    ADD_FAILURE() << "left behind: " << e.path();
  }
  EXPECT_TRUE(Exists(ModelDir(kHello) + "/result/3/raw"));
}

}  // namespace
}  // namespace fen
