#include "manager/registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "manager/registry_schema.hpp"

namespace cascade::manager {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A fresh directory under the system temporary directory, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "registry_test.XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// Everything a rejected change must leave as it was.
struct Snapshot {
  std::vector<Group> groups;
  std::vector<Node> nodes;
  std::vector<Release> releases;
  bool operator==(const Snapshot&) const = default;
};

// Builds a release whose info hash repeats `hash_digit` 64 times.
Release make_release(const std::string& name, const std::string& version, char hash_digit) {
  Release release;
  release.name = name;
  release.version = version;
  release.metadata_version = 1;
  release.info_hash = std::string(64, hash_digit);
  release.total_bytes = 1000;
  release.file_count = 2;
  release.published_at = 1700000000;
  return release;
}

// A report of `node_id` about release openssl 3.0.1.
ReleaseStatus make_report(const std::string& node_id, const std::string& state,
                          std::uint64_t bytes_done) {
  ReleaseStatus status;
  status.node_id = node_id;
  status.release_name = "openssl";
  status.release_version = "3.0.1";
  status.state = state;
  status.bytes_done = bytes_done;
  status.bytes_total = 1000;
  status.peer_bytes_json = "{}";
  status.updated_at = 1700000100;
  return status;
}

// A registry in a fresh SQLite file, with shortcuts for setting up state.
// `registry->` reaches the Registry itself.
class TestRegistry {
 public:
  TestRegistry() {
    if (auto opened = reopen(); !opened) throw std::runtime_error(opened.error().message);
  }

  Registry* operator->() { return registry_.get(); }

  // Closes the file and opens it again.
  Status reopen() {
    registry_.reset();
    auto opened = Registry::open(path);
    if (!opened) return opened.error();
    registry_ = std::move(*opened);
    return ok_status();
  }

  Snapshot snapshot() {
    auto groups = registry_->list_groups();
    auto nodes = registry_->list_nodes();
    auto releases = registry_->list_releases();
    if (!groups || !nodes || !releases) throw std::runtime_error("snapshot: list failed");
    return {*groups, *nodes, *releases};
  }

  void create(const std::string& name, const std::string& parent = "") {
    auto created = registry_->create_group(Group{name, parent, "", false});
    ASSERT_TRUE(created.ok()) << created.error().message;
  }

  void add(const std::string& id, const std::string& group = kDefaultGroup,
           NodeRole role = NodeRole::agent) {
    Node node;
    node.id = id;
    node.public_key_hex = std::string(64, 'a');
    node.announce_key = "key-" + id;
    node.hostname = id + ".lan";
    node.address = "127.0.0.2";
    node.port = 6881;
    node.role = role;
    node.group = group;
    node.enrolled_at = 1700000000;
    auto added = registry_->add_node(node);
    ASSERT_TRUE(added.ok()) << added.error().message;
  }

  TempDir dir;
  const std::string path = dir.file("registry.sqlite");

 private:
  std::unique_ptr<Registry> registry_;
};

// Opens a raw SQLite connection for checks the Registry API does not expose.
struct RawDatabase {
  explicit RawDatabase(const std::string& path) { sqlite3_open(path.c_str(), &db); }
  ~RawDatabase() { sqlite3_close(db); }
  std::string text(const char* sql) {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &statement, nullptr);
    std::string value;
    if (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
    return value;
  }
  bool has_table(const std::string& name) {
    return text(("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '" + name + "'")
                    .c_str()) == name;
  }
  sqlite3* db = nullptr;
};

// --- open and schema ---------------------------------------------------------

TEST(Registry, OpenCreatesDefaultGroup) {
  TestRegistry registry;
  auto group = registry->get_group(kDefaultGroup);
  ASSERT_TRUE(group.ok()) << group.error().message;
  EXPECT_EQ(group->parent, "");
  EXPECT_EQ(registry->group_tier(kDefaultGroup).value(), 1);
  EXPECT_EQ(registry->schema_version(), registry_migrations().back().version);
}

TEST(Registry, OpenEnablesWalJournal) {
  TestRegistry registry;
  RawDatabase raw(registry.path);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
}

TEST(Registry, ReopenKeepsDataAndSchemaVersion) {
  TestRegistry registry;
  registry.create("core");
  registry.add("n1", "core");
  ASSERT_TRUE(registry->set_setting("download_center", "https://dl.example").ok());
  const Snapshot before = registry.snapshot();
  const int version = registry->schema_version();

  auto reopened = registry.reopen();
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_EQ(registry->schema_version(), version);
  EXPECT_EQ(registry.snapshot(), before);
  EXPECT_EQ(registry->get_setting("download_center"), "https://dl.example");
}

TEST(Registry, SchemaRejectsRowWithUnknownParent) {
  TestRegistry registry;
  // A write that bypasses the Registry checks still meets the foreign key.
  RawDatabase raw(registry.path);
  sqlite3_exec(raw.db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
  int code = sqlite3_exec(raw.db, "INSERT INTO groups (name, parent) VALUES ('x', 'missing')",
                          nullptr, nullptr, nullptr);
  EXPECT_EQ(code, SQLITE_CONSTRAINT);
}

TEST(RegistrySchema, MigrationsApplyOnlyMissingSteps) {
  TempDir dir;
  RawDatabase raw(dir.file("schema.sqlite"));
  // Step 1 fails if it runs twice, because its table already exists.
  const Migration first[] = {{1, "CREATE TABLE one (x INTEGER);"}};
  const Migration both[] = {{1, "CREATE TABLE one (x INTEGER);"},
                            {2, "CREATE TABLE two (y INTEGER);"}};

  ASSERT_TRUE(apply_migrations(raw.db, first).ok());
  EXPECT_EQ(read_schema_version(raw.db).value(), 1);

  auto applied = apply_migrations(raw.db, both);
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(read_schema_version(raw.db).value(), 2);
  EXPECT_TRUE(raw.has_table("two"));

  ASSERT_TRUE(apply_migrations(raw.db, both).ok());
  EXPECT_EQ(read_schema_version(raw.db).value(), 2);
}

TEST(RegistrySchema, FailedMigrationIsRolledBack) {
  TempDir dir;
  RawDatabase raw(dir.file("schema.sqlite"));
  const Migration steps[] = {{1, "CREATE TABLE one (x INTEGER);"},
                             {2, "CREATE TABLE two (y INTEGER); INSERT INTO missing VALUES (1);"}};

  auto applied = apply_migrations(raw.db, steps);
  ASSERT_FALSE(applied.ok());
  EXPECT_THAT(applied.error().message, HasSubstr("migration 2"));
  EXPECT_EQ(read_schema_version(raw.db).value(), 1);
  EXPECT_TRUE(raw.has_table("one"));
  EXPECT_FALSE(raw.has_table("two"));
}

TEST(RegistrySchema, OutOfOrderStepsAreRejected) {
  TempDir dir;
  RawDatabase raw(dir.file("schema.sqlite"));
  const Migration steps[] = {{1, "CREATE TABLE one (x INTEGER);"},
                             {3, "CREATE TABLE three (x INTEGER);"}};

  EXPECT_FALSE(apply_migrations(raw.db, steps).ok());
  EXPECT_FALSE(raw.has_table("three"));
}

TEST(RegistrySchema, NewerFileIsRejected) {
  TempDir dir;
  const std::string path = dir.file("registry.sqlite");
  ASSERT_TRUE(Registry::open(path).ok());
  {
    RawDatabase raw(path);
    ASSERT_EQ(sqlite3_exec(raw.db, "INSERT INTO schema_version VALUES (999, 0)", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
  }

  auto reopened = Registry::open(path);
  ASSERT_FALSE(reopened.ok());
  EXPECT_THAT(reopened.error().message, HasSubstr("999"));
  EXPECT_THAT(reopened.error().message, HasSubstr("newer cascade-manager"));
}

// --- groups ------------------------------------------------------------------

TEST(Registry, CreateGroupStoresFields) {
  TestRegistry registry;
  registry.create("core");
  ASSERT_TRUE(registry->create_group(Group{"edge", "core", "http://proxy:3128", true}).ok());

  auto edge = registry->get_group("edge");
  ASSERT_TRUE(edge.ok()) << edge.error().message;
  EXPECT_EQ(*edge, (Group{"edge", "core", "http://proxy:3128", true}));
}

TEST(Registry, CreateGroupAcceptsAllowedCharacters) {
  TestRegistry registry;
  registry.create("Site-1.rack_2");
  registry.create(std::string(64, 'g'));
}

TEST(Registry, CreateGroupRejectsInvalidNames) {
  TestRegistry registry;
  const Snapshot before = registry.snapshot();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {"has space", "contains ' '"},
      {"slash/name", "contains '/'"},
      {"caf\xc3\xa9", "contains"},
      {std::string(65, 'g'), "65 characters"},
  };
  for (const auto& [name, reason] : cases) {
    auto created = registry->create_group(Group{name, "", "", false});
    ASSERT_FALSE(created.ok()) << name;
    EXPECT_THAT(created.error().message, HasSubstr(reason)) << name;
  }
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, CreateGroupRejectsDuplicate) {
  TestRegistry registry;
  ASSERT_TRUE(registry->create_group(Group{"core", "", "http://a", false}).ok());
  const Snapshot before = registry.snapshot();

  auto duplicate = registry->create_group(Group{"core", "", "http://b", true});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_THAT(duplicate.error().message, HasSubstr("'core'"));
  EXPECT_THAT(duplicate.error().message, HasSubstr("already exists"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, CreateGroupRejectsUnknownParent) {
  TestRegistry registry;
  const Snapshot before = registry.snapshot();

  auto created = registry->create_group(Group{"edge", "nowhere", "", false});
  ASSERT_FALSE(created.ok());
  EXPECT_THAT(created.error().message, HasSubstr("parent group 'nowhere' not found"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, CreateGroupRejectsSelfParent) {
  TestRegistry registry;
  const Snapshot before = registry.snapshot();

  auto created = registry->create_group(Group{"loop", "loop", "", false});
  ASSERT_FALSE(created.ok());
  EXPECT_THAT(created.error().message, HasSubstr("own parent"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, UpdateGroupRejectsSelfParent) {
  TestRegistry registry;
  registry.create("core");
  const Snapshot before = registry.snapshot();

  auto updated = registry->update_group(Group{"core", "core", "", false});
  ASSERT_FALSE(updated.ok());
  EXPECT_THAT(updated.error().message, HasSubstr("own parent"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, UpdateGroupRejectsCycle) {
  TestRegistry registry;
  registry.create("a");
  registry.create("b", "a");
  registry.create("c", "b");
  const Snapshot before = registry.snapshot();

  auto updated = registry->update_group(Group{"a", "c", "", false});
  ASSERT_FALSE(updated.ok());
  EXPECT_THAT(updated.error().message, HasSubstr("update group 'a'"));
  EXPECT_THAT(updated.error().message, HasSubstr("cycle a -> c -> b -> a"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, UpdateGroupMovesToAnotherParent) {
  TestRegistry registry;
  registry.create("a");
  registry.create("b");
  registry.create("c", "a");

  ASSERT_TRUE(registry->update_group(Group{"c", "b", "http://proxy", true}).ok());
  EXPECT_EQ(registry->get_group("c").value(), (Group{"c", "b", "http://proxy", true}));

  ASSERT_TRUE(registry->update_group(Group{"c", "", "", false}).ok());
  EXPECT_EQ(registry->get_group("c")->parent, "");
}

TEST(Registry, UpdateGroupRejectsUnknownGroup) {
  TestRegistry registry;
  const Snapshot before = registry.snapshot();

  auto updated = registry->update_group(Group{"ghost", "", "", false});
  ASSERT_FALSE(updated.ok());
  EXPECT_THAT(updated.error().message, HasSubstr("'ghost'"));
  EXPECT_THAT(updated.error().message, HasSubstr("not found"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, DefaultGroupParentStaysEmpty) {
  TestRegistry registry;
  registry.create("core");
  const Snapshot before = registry.snapshot();

  auto updated = registry->update_group(Group{kDefaultGroup, "core", "", false});
  ASSERT_FALSE(updated.ok());
  EXPECT_THAT(updated.error().message, HasSubstr("primary source"));
  EXPECT_EQ(registry.snapshot(), before);

  // Its other fields may change.
  ASSERT_TRUE(registry->update_group(Group{kDefaultGroup, "", "http://proxy", true}).ok());
  EXPECT_EQ(registry->get_group(kDefaultGroup)->proxy_url, "http://proxy");
}

TEST(Registry, DefaultGroupCannotBeDeleted) {
  TestRegistry registry;
  const Snapshot before = registry.snapshot();

  auto deleted = registry->delete_group(kDefaultGroup);
  ASSERT_FALSE(deleted.ok());
  EXPECT_THAT(deleted.error().message, HasSubstr("cannot be deleted"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, DeleteGroupInUseNamesCounts) {
  TestRegistry registry;
  registry.create("core");
  registry.create("edge", "core");
  registry.add("r1", "core", NodeRole::relay);
  registry.add("r2", "core", NodeRole::relay);
  for (const char* id : {"a1", "a2", "a3", "a4"}) registry.add(id, "core");
  const Snapshot before = registry.snapshot();

  auto deleted = registry->delete_group("core");
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().message,
            "delete group 'core': it still has 2 relays, 4 agents and 1 child group; "
            "move or delete them first");
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, DeleteGroupInUseListsOnlyPresentUsers) {
  TestRegistry registry;
  registry.create("core");
  registry.add("a1", "core");

  auto deleted = registry->delete_group("core");
  ASSERT_FALSE(deleted.ok());
  EXPECT_THAT(deleted.error().message, HasSubstr("it still has 1 agent; move"));
}

TEST(Registry, DeleteGroupRejectsUnknownGroup) {
  TestRegistry registry;
  auto deleted = registry->delete_group("ghost");
  ASSERT_FALSE(deleted.ok());
  EXPECT_THAT(deleted.error().message, HasSubstr("'ghost'"));
  EXPECT_THAT(deleted.error().message, HasSubstr("not found"));
}

TEST(Registry, DeleteUnusedGroup) {
  TestRegistry registry;
  registry.create("core");

  ASSERT_TRUE(registry->delete_group("core").ok());
  EXPECT_FALSE(registry->get_group("core").ok());
}

TEST(Registry, GroupTierFollowsParents) {
  TestRegistry registry;
  registry.create("core");
  registry.create("site", "core");
  registry.create("floor", "site");

  EXPECT_EQ(registry->group_tier("core").value(), 1);
  EXPECT_EQ(registry->group_tier("site").value(), 2);
  EXPECT_EQ(registry->group_tier("floor").value(), 3);
}

TEST(Registry, GroupTierOfUnknownGroupFails) {
  TestRegistry registry;
  auto tier = registry->group_tier("ghost");
  ASSERT_FALSE(tier.ok());
  EXPECT_THAT(tier.error().message, HasSubstr("'ghost'"));
}

// --- nodes -------------------------------------------------------------------

TEST(Registry, AddNodeStoresFields) {
  TestRegistry registry;
  registry.add("n1");

  auto node = registry->get_node("n1");
  ASSERT_TRUE(node.ok()) << node.error().message;
  EXPECT_EQ(node->announce_key, "key-n1");
  EXPECT_EQ(node->group, kDefaultGroup);
  EXPECT_EQ(node->role, NodeRole::agent);
  EXPECT_EQ(node->state, NodeState::active);
  EXPECT_EQ(node->port, 6881);
  EXPECT_EQ(node->enrolled_at, 1700000000);
  EXPECT_EQ(registry->find_node_by_announce_key("key-n1"), *node);
  EXPECT_FALSE(registry->find_node_by_announce_key("other").has_value());
}

TEST(Registry, AddNodeRejectsDuplicateId) {
  TestRegistry registry;
  registry.add("n1");
  const Snapshot before = registry.snapshot();
  Node node = registry->get_node("n1").value();
  node.announce_key = "fresh";

  auto added = registry->add_node(node);
  ASSERT_FALSE(added.ok());
  EXPECT_THAT(added.error().message, HasSubstr("'n1'"));
  EXPECT_THAT(added.error().message, HasSubstr("already exists"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, AddNodeRejectsDuplicateAnnounceKey) {
  TestRegistry registry;
  registry.add("n1");
  const Snapshot before = registry.snapshot();
  Node node = registry->get_node("n1").value();
  node.id = "n2";

  auto added = registry->add_node(node);
  ASSERT_FALSE(added.ok());
  EXPECT_THAT(added.error().message, HasSubstr("already used by node 'n1'"));
  EXPECT_THAT(added.error().message, ::testing::Not(HasSubstr("key-n1")));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, AddNodeRejectsUnknownGroup) {
  TestRegistry registry;
  const Snapshot before = registry.snapshot();
  Node node;
  node.id = "n1";
  node.announce_key = "k";
  node.group = "ghost";

  auto added = registry->add_node(node);
  ASSERT_FALSE(added.ok());
  EXPECT_THAT(added.error().message, HasSubstr("group 'ghost' not found"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, AddNodeRejectsEmptyId) {
  TestRegistry registry;
  const Snapshot before = registry.snapshot();
  Node node;
  node.announce_key = "k";
  node.group = kDefaultGroup;

  auto added = registry->add_node(node);
  ASSERT_FALSE(added.ok());
  EXPECT_THAT(added.error().message, HasSubstr("id is empty"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, EnableRelaySetsRoleAndGroup) {
  TestRegistry registry;
  registry.create("core");
  registry.add("n1");

  ASSERT_TRUE(registry->enable_relay("n1", "core").ok());
  auto node = registry->get_node("n1");
  EXPECT_EQ(node->role, NodeRole::relay);
  EXPECT_EQ(node->group, "core");
}

TEST(Registry, DisableRelayKeepsGroup) {
  TestRegistry registry;
  registry.create("core");
  registry.add("n1", "core", NodeRole::relay);

  ASSERT_TRUE(registry->disable_relay("n1").ok());
  auto node = registry->get_node("n1");
  EXPECT_EQ(node->role, NodeRole::agent);
  EXPECT_EQ(node->group, "core");
}

TEST(Registry, EnableRelayRejectsUnknownGroup) {
  TestRegistry registry;
  registry.add("n1");
  const Snapshot before = registry.snapshot();

  auto enabled = registry->enable_relay("n1", "ghost");
  ASSERT_FALSE(enabled.ok());
  EXPECT_THAT(enabled.error().message, HasSubstr("group 'ghost' not found"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, EnableRelayRejectsRevokedNode) {
  TestRegistry registry;
  registry.add("n1");
  ASSERT_TRUE(registry->revoke_node("n1").ok());
  const Snapshot before = registry.snapshot();

  auto enabled = registry->enable_relay("n1", kDefaultGroup);
  ASSERT_FALSE(enabled.ok());
  EXPECT_THAT(enabled.error().message, HasSubstr("revoked"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, AssignAgentMovesAgent) {
  TestRegistry registry;
  registry.create("core");
  registry.add("n1");

  ASSERT_TRUE(registry->assign_agent("n1", "core").ok());
  EXPECT_EQ(registry->get_node("n1")->group, "core");
}

TEST(Registry, AssignAgentRejectsRelay) {
  TestRegistry registry;
  registry.create("core");
  registry.create("edge");
  registry.add("n1", "core", NodeRole::relay);
  const Snapshot before = registry.snapshot();

  auto assigned = registry->assign_agent("n1", "edge");
  ASSERT_FALSE(assigned.ok());
  EXPECT_THAT(assigned.error().message,
              HasSubstr("node 'n1' is a relay of group 'core'; disable the relay role first"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, AssignAgentRejectsUnknownGroup) {
  TestRegistry registry;
  registry.add("n1");
  const Snapshot before = registry.snapshot();

  auto assigned = registry->assign_agent("n1", "ghost");
  ASSERT_FALSE(assigned.ok());
  EXPECT_THAT(assigned.error().message, HasSubstr("group 'ghost' not found"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, UnknownNodeIsRejected) {
  TestRegistry registry;
  const Snapshot before = registry.snapshot();
  const std::vector<std::pair<std::string, Status>> calls = {
      {"enable_relay", registry->enable_relay("ghost", kDefaultGroup)},
      {"disable_relay", registry->disable_relay("ghost")},
      {"assign_agent", registry->assign_agent("ghost", kDefaultGroup)},
      {"revoke_node", registry->revoke_node("ghost")},
      {"update_node_endpoint", registry->update_node_endpoint("ghost", "127.0.0.9", 7000)},
  };
  for (const auto& [call, status] : calls) {
    ASSERT_FALSE(status.ok()) << call;
    EXPECT_THAT(status.error().message, HasSubstr("node 'ghost'")) << call;
    EXPECT_THAT(status.error().message, HasSubstr("node not found")) << call;
  }
  EXPECT_FALSE(registry->get_node("ghost").ok());
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, RevokeNodeMarksRevoked) {
  TestRegistry registry;
  registry.add("n1");

  ASSERT_TRUE(registry->revoke_node("n1").ok());
  EXPECT_EQ(registry->get_node("n1")->state, NodeState::revoked);
}

TEST(Registry, UpdateNodeEndpointStoresAddress) {
  TestRegistry registry;
  registry.add("n1");

  ASSERT_TRUE(registry->update_node_endpoint("n1", "127.0.0.7", 7001).ok());
  auto node = registry->get_node("n1");
  EXPECT_EQ(node->address, "127.0.0.7");
  EXPECT_EQ(node->port, 7001);
}

TEST(Registry, RoleAndStateNames) {
  EXPECT_STREQ(to_string(NodeRole::agent), "agent");
  EXPECT_STREQ(to_string(NodeRole::relay), "relay");
  EXPECT_STREQ(to_string(NodeState::active), "active");
  EXPECT_STREQ(to_string(NodeState::revoked), "revoked");
}

// --- releases and reports ------------------------------------------------------

TEST(Registry, AddReleaseStoresFields) {
  TestRegistry registry;
  Release added = make_release("openssl", "3.0.1", 'a');
  added.metadata_version = 7;
  ASSERT_TRUE(registry->add_release(added).ok());

  EXPECT_EQ(registry->get_release("openssl", "3.0.1").value(), added);
  EXPECT_EQ(registry->find_release_by_info_hash(std::string(64, 'a')), added);
  EXPECT_FALSE(registry->find_release_by_info_hash(std::string(64, 'b')).has_value());
  EXPECT_EQ(registry->latest_metadata_version().value(), 7u);
}

TEST(Registry, LatestMetadataVersionIsZeroWithoutReleases) {
  TestRegistry registry;
  EXPECT_EQ(registry->latest_metadata_version().value(), 0u);
}

TEST(Registry, AddReleaseRejectsDuplicate) {
  TestRegistry registry;
  ASSERT_TRUE(registry->add_release(make_release("openssl", "3.0.1", 'a')).ok());
  const Snapshot before = registry.snapshot();

  auto added = registry->add_release(make_release("openssl", "3.0.1", 'b'));
  ASSERT_FALSE(added.ok());
  EXPECT_THAT(added.error().message, HasSubstr("release 'openssl' version '3.0.1'"));
  EXPECT_THAT(added.error().message, HasSubstr("already exists"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, AddReleaseRejectsReusedInfoHash) {
  TestRegistry registry;
  ASSERT_TRUE(registry->add_release(make_release("openssl", "3.0.1", 'a')).ok());
  const Snapshot before = registry.snapshot();

  auto added = registry->add_release(make_release("openssl", "3.0.2", 'a'));
  ASSERT_FALSE(added.ok());
  EXPECT_THAT(added.error().message, HasSubstr("already belongs to release 'openssl'"));
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, AddReleaseRejectsInvalidFields) {
  TestRegistry registry;
  const Snapshot before = registry.snapshot();
  Release uppercase = make_release("openssl", "3.0.1", 'A');
  Release short_hash = make_release("openssl", "3.0.1", 'a');
  short_hash.info_hash.resize(40);
  Release no_version = make_release("openssl", "", 'a');
  Release huge = make_release("openssl", "3.0.1", 'a');
  huge.total_bytes = ~std::uint64_t{0};

  for (const Release& bad : {uppercase, short_hash, no_version, huge}) {
    EXPECT_FALSE(registry->add_release(bad).ok()) << bad.info_hash << " " << bad.version;
  }
  EXPECT_EQ(registry.snapshot(), before);
}

TEST(Registry, RecordStatusReplacesPrevious) {
  TestRegistry registry;
  registry.add("n1");
  registry.add("n2");
  ASSERT_TRUE(registry->add_release(make_release("openssl", "3.0.1", 'a')).ok());
  ReleaseStatus first = make_report("n1", "downloading", 100);
  first.error = "slow relay";
  ReleaseStatus latest = make_report("n1", "done", 1000);
  latest.fallbacks = 2;
  latest.peer_bytes_json = R"({"127.0.0.2": 1000})";
  ReleaseStatus other = make_report("n2", "failed", 10);

  ASSERT_TRUE(registry->record_status(first).ok());
  ASSERT_TRUE(registry->record_status(other).ok());
  ASSERT_TRUE(registry->record_status(latest).ok());

  auto statuses = registry->list_status("openssl", "3.0.1");
  ASSERT_TRUE(statuses.ok()) << statuses.error().message;
  ASSERT_EQ(statuses->size(), 2u);
  EXPECT_EQ((*statuses)[0], latest);
  EXPECT_EQ((*statuses)[1], other);
}

TEST(Registry, RecordStatusRejectsUnknownNode) {
  TestRegistry registry;
  ASSERT_TRUE(registry->add_release(make_release("openssl", "3.0.1", 'a')).ok());

  auto recorded = registry->record_status(make_report("ghost", "done", 1000));
  ASSERT_FALSE(recorded.ok());
  EXPECT_THAT(recorded.error().message, HasSubstr("node 'ghost'"));
  EXPECT_THAT(recorded.error().message, HasSubstr("node not found"));
  EXPECT_TRUE(registry->list_status("openssl", "3.0.1")->empty());
}

TEST(Registry, RecordStatusRejectsUnknownRelease) {
  TestRegistry registry;
  registry.add("n1");
  ASSERT_TRUE(registry->add_release(make_release("openssl", "3.0.1", 'a')).ok());
  ReleaseStatus status = make_report("n1", "done", 1000);
  status.release_version = "9.9";

  auto recorded = registry->record_status(status);
  ASSERT_FALSE(recorded.ok());
  EXPECT_THAT(recorded.error().message, HasSubstr("release 'openssl' version '9.9'"));
  EXPECT_THAT(recorded.error().message, HasSubstr("release not found"));
  EXPECT_TRUE(registry->list_status("openssl", "3.0.1")->empty());
}

TEST(Registry, RecordStatusRejectsInvalidState) {
  TestRegistry registry;
  registry.add("n1");
  ASSERT_TRUE(registry->add_release(make_release("openssl", "3.0.1", 'a')).ok());

  auto recorded = registry->record_status(make_report("n1", "unknown", 0));
  ASSERT_FALSE(recorded.ok());
  EXPECT_THAT(recorded.error().message, HasSubstr("state 'unknown' is invalid"));
  EXPECT_TRUE(registry->list_status("openssl", "3.0.1")->empty());
}

TEST(Registry, ListStatusOfUnknownReleaseFails) {
  TestRegistry registry;
  EXPECT_FALSE(registry->list_status("ghost", "1").ok());
}

// --- settings ----------------------------------------------------------------

TEST(Registry, SettingsRoundTrip) {
  TestRegistry registry;
  EXPECT_FALSE(registry->get_setting("download_center").has_value());

  ASSERT_TRUE(registry->set_setting("download_center", "on").ok());
  EXPECT_EQ(registry->get_setting("download_center"), "on");

  ASSERT_TRUE(registry->set_setting("download_center", "off").ok());
  EXPECT_EQ(registry->get_setting("download_center"), "off");
  EXPECT_FALSE(registry->set_setting("", "x").ok());
}

}  // namespace
}  // namespace cascade::manager
