#include "common/config_file.hpp"

#include <gtest/gtest.h>

namespace cascade {
namespace {

TEST(ConfigFile, ParsesKeysAndSkipsComments) {
  auto config = ConfigFile::parse("# comment\n\nmanager_url = http://127.0.0.1:7000\nport=6881\n",
                                  "test.conf");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->require("manager_url").value(), "http://127.0.0.1:7000");
  EXPECT_EQ(config->get_int("port", 0).value(), 6881);
  EXPECT_EQ(config->get("missing", "fallback"), "fallback");
}

TEST(ConfigFile, RejectsLineWithoutEquals) {
  auto config = ConfigFile::parse("manager_url http://x\n", "test.conf");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("line 1"), std::string::npos);
}

TEST(ConfigFile, MissingRequiredKeyNamesIt) {
  auto config = ConfigFile::parse("", "node.conf");
  ASSERT_TRUE(config.ok());
  auto value = config->require("data_dir");
  ASSERT_FALSE(value.ok());
  EXPECT_NE(value.error().message.find("data_dir"), std::string::npos);
  EXPECT_NE(value.error().message.find("node.conf"), std::string::npos);
}

TEST(ConfigFile, NonNumericIntegerIsRejected) {
  auto config = ConfigFile::parse("port = eighty\n", "node.conf");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->get_int("port", 0).ok());
}

}  // namespace
}  // namespace cascade

namespace cascade {
namespace {

TEST(ConfigFile, UnknownKeyIsRejected) {
  auto config = ConfigFile::parse("listen_prot = 7777\n", "node.conf");
  ASSERT_TRUE(config.ok());
  auto known = config->reject_unknown({"listen_port", "data_dir"});
  ASSERT_FALSE(known.ok());
  EXPECT_NE(known.error().message.find("listen_prot"), std::string::npos);
  EXPECT_NE(known.error().message.find("listen_port"), std::string::npos);
}

TEST(ConfigFile, KnownKeysPass) {
  auto config = ConfigFile::parse("listen_port = 7777\n", "node.conf");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->reject_unknown({"listen_port", "data_dir"}).ok());
}

}  // namespace
}  // namespace cascade
