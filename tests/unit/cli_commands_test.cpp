#include "cli/commands.hpp"

#include <gtest/gtest.h>

namespace cascade::cli {
namespace {

// Port 1 on loopback: any request would fail, so these tests show that the
// checks run before the manager is contacted.
AdminClient unreachable_client() {
  return AdminClient(http::Url::parse("http://127.0.0.1:1").value(), "token");
}

TEST(CliCommands, MisspeltOptionIsUsageError) {
  auto client = unreachable_client();
  Arguments arguments;
  arguments.words = {"group", "create", "other"};
  arguments.options["parnet"] = "core";
  EXPECT_EQ(run_command(client, arguments), 2);
}

TEST(CliCommands, OptionOfAnotherCommandIsUsageError) {
  auto client = unreachable_client();
  Arguments arguments;
  arguments.words = {"group", "list"};
  arguments.options["group"] = "core";
  EXPECT_EQ(run_command(client, arguments), 2);
}

TEST(CliCommands, UnknownCommandIsUsageError) {
  auto client = unreachable_client();
  Arguments arguments;
  arguments.words = {"frobnicate"};
  EXPECT_EQ(run_command(client, arguments), 2);
}

TEST(CliCommands, PublishWithoutVersionIsUsageError) {
  auto client = unreachable_client();
  Arguments arguments;
  arguments.words = {"release", "publish", "/tmp"};
  arguments.options["name"] = "debs";
  EXPECT_EQ(run_command(client, arguments), 2);
}

TEST(CliCommands, UnreachableManagerFails) {
  auto client = unreachable_client();
  Arguments arguments;
  arguments.words = {"group", "list"};
  EXPECT_EQ(run_command(client, arguments), 1);
}

}  // namespace
}  // namespace cascade::cli
