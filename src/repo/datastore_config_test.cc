#include "fen/repo/datastore_config.h"

#include <gtest/gtest.h>

namespace fen {
namespace {

TEST(DatastoreConfigTest, StringForms) {
  auto a = ParseDatastoreString("filesystem:/srv/ds", "/cwd", "SWAMP_DATASTORE");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->type, "filesystem");
  EXPECT_EQ(a->path, "/srv/ds");
  EXPECT_FALSE(a->has_ns);

  auto rel = ParseDatastoreString("filesystem:data/../ds/", "/cwd", "x");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->path, "/cwd/ds");

  auto bare = ParseDatastoreString("/srv/a#b:c", "/cwd", "x");  // bare paths are literal
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->path, "/srv/a#b:c");
  EXPECT_FALSE(bare->has_ns);

  auto bare_rel = ParseDatastoreString("./store", "/cwd", "x");
  ASSERT_TRUE(bare_rel.ok());
  EXPECT_EQ(bare_rel->path, "/cwd/store");

  auto ns = ParseDatastoreString("filesystem:/srv/ds#team-a", "/cwd", "x");
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(ns->path, "/srv/ds");
  EXPECT_EQ(ns->ns, "team-a");
  EXPECT_TRUE(ns->has_ns);
}

TEST(DatastoreConfigTest, UnknownTypeNamesValueAndSupportedTypes) {
  auto r = ParseDatastoreString("s3:bucket", "/cwd", "SWAMP_DATASTORE");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidConfig);
  EXPECT_NE(r.status().message().find("\"s3:bucket\""), std::string::npos);
  EXPECT_NE(r.status().message().find("SWAMP_DATASTORE"), std::string::npos);
  EXPECT_NE(r.status().message().find("supported types: filesystem"), std::string::npos);

  Json cfg = Json::object();
  cfg["type"] = "s3";
  auto c = ParseDatastoreConfig(cfg, "/repo", "/repo/.swamp.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidConfig);
  EXPECT_NE(c.status().message().find("\"s3\""), std::string::npos);
  EXPECT_NE(c.status().message().find("/repo/.swamp.yaml"), std::string::npos);
}

TEST(DatastoreConfigTest, BadNamespacesAndEmptyPath) {
  for (const char* bad : {"filesystem:/p#Upper", "filesystem:/p#-x", "filesystem:/p#x-",
                          "filesystem:/p#a/b", "filesystem:/p#..", "filesystem:/p#"}) {
    auto r = ParseDatastoreString(bad, "/", "--datastore");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidConfig) << bad;
  }
  EXPECT_FALSE(ParseDatastoreString("filesystem:", "/", "x").ok());
  EXPECT_FALSE(ParseDatastoreString("filesystem:#ns", "/", "x").ok());
}

TEST(DatastoreConfigTest, NamespaceSlugRule) {
  EXPECT_TRUE(IsValidNamespace("a"));
  EXPECT_TRUE(IsValidNamespace("team-a-1"));
  EXPECT_TRUE(IsValidNamespace(std::string(64, 'a')));
  EXPECT_FALSE(IsValidNamespace(std::string(65, 'a')));
  EXPECT_FALSE(IsValidNamespace(""));
  EXPECT_FALSE(IsValidNamespace("-a"));
  EXPECT_FALSE(IsValidNamespace("a_b"));
  EXPECT_FALSE(IsValidNamespace("a.b"));
}

TEST(DatastoreConfigTest, MappingForm) {
  auto def = ParseDatastoreConfig(Json(nullptr), "/repo", "m");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->path, "/repo/.swamp");

  Json cfg = Json::parse(R"({"type": "filesystem", "path": "../shared", "namespace": "ns1",
                             "directories": ["outputs"]})");
  auto c = ParseDatastoreConfig(cfg, "/work/repo", "m");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->path, "/work/shared");
  EXPECT_EQ(c->ns, "ns1");
  EXPECT_FALSE(c->data_in_tier);

  Json solo = Json::parse(R"({"namespace": ""})");
  auto s = ParseDatastoreConfig(solo, "/r", "m");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ns, "");
  EXPECT_EQ(s->path, "/r/.swamp");

  EXPECT_FALSE(ParseDatastoreConfig(Json::parse(R"({"namespace": "Bad"})"), "/r", "m").ok());
  EXPECT_FALSE(ParseDatastoreConfig(Json::parse(R"({"path": 3})"), "/r", "m").ok());
  EXPECT_FALSE(ParseDatastoreConfig(Json::parse("[1]"), "/r", "m").ok());

  auto str = ParseDatastoreConfig(Json("filesystem:store"), "/r", "m");
  ASSERT_TRUE(str.ok());
  EXPECT_EQ(str->path, "/r/store");  // relative to the repo in .swamp.yaml
}

}  // namespace
}  // namespace fen
