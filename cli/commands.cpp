#include "cli/commands.hpp"

#include <filesystem>
#include <iostream>
#include <set>

#include "cli/table.hpp"

namespace cascade::cli {

using nlohmann::json;

namespace {

int usage_error(const std::string& message) {
  std::cerr << "cascadectl: " << message << " (see `cascadectl --help`)\n";
  return 2;
}

int report(const Result<json>& result, const Arguments& arguments, const std::string& done) {
  if (!result) {
    std::cerr << "cascadectl: " << result.error().message << "\n";
    return 1;
  }
  if (arguments.json) {
    std::cout << result->dump(2) << "\n";
  } else {
    std::cout << done << "\n";
  }
  return 0;
}

std::string text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

int group_command(AdminClient& client, const Arguments& arguments) {
  const auto& words = arguments.words;
  const std::string action = words.size() > 1 ? words[1] : "";
  if (action == "list") {
    auto groups = client.call("GET", "/v1/groups");
    if (!groups || arguments.json) return report(groups, arguments, "");
    std::vector<std::vector<std::string>> rows;
    for (const auto& group : *groups) {
      rows.push_back({text(group["name"]), text(group["update_source"]), text(group["tier"]),
                      text(group["relays"]), text(group["agents"]),
                      group["peer_sharing"].get<bool>() ? "on" : "off",
                      text(group["proxy_url"])});
    }
    print_table(std::cout, {"GROUP", "UPDATE SOURCE", "TIER", "RELAYS", "AGENTS", "PEER SHARING", "PROXY"},
                rows);
    return 0;
  }
  if (action == "create" && words.size() == 3) {
    json body{{"name", words[2]},
              {"parent", arguments.option("parent")},
              {"proxy_url", arguments.option("proxy")},
              {"peer_sharing", arguments.option("peer-sharing") == "true" ||
                                  arguments.option("peer-sharing") == "on"}};
    return report(client.call("POST", "/v1/groups", body), arguments,
                  "created group " + words[2]);
  }
  if (action == "update" && words.size() == 3) {
    json body = json::object();
    if (arguments.options.count("parent")) body["parent"] = arguments.option("parent");
    if (arguments.options.count("primary")) body["parent"] = "";
    if (arguments.options.count("proxy")) body["proxy_url"] = arguments.option("proxy");
    if (arguments.options.count("peer-sharing")) {
      const auto value = arguments.option("peer-sharing");
      if (value != "on" && value != "off") {
        return usage_error("--peer-sharing takes on or off");
      }
      body["peer_sharing"] = value == "on";
    }
    if (body.empty()) {
      return usage_error("`group update NAME` needs --parent GROUP, --primary, --proxy URL or "
                         "--peer-sharing on|off");
    }
    return report(client.call("POST", "/v1/groups/" + words[2], body), arguments,
                  "updated group " + words[2]);
  }
  if (action == "delete" && words.size() == 3) {
    return report(client.call("DELETE", "/v1/groups/" + words[2]), arguments,
                  "deleted group " + words[2]);
  }
  return usage_error("expected `group list`, `group create NAME [--parent GROUP]`, "
                     "`group update NAME ...` or `group delete NAME`");
}

int node_role_command(AdminClient& client, const Arguments& arguments) {
  const auto& words = arguments.words;
  if (words.size() != 3) {
    return usage_error("expected `relay enable NODE --group GROUP`, `relay disable NODE` or "
                       "`agent assign NODE --group GROUP`");
  }
  auto node = client.resolve_node(words[2]);
  if (!node) {
    std::cerr << "cascadectl: " << node.error().message << "\n";
    return 1;
  }
  const std::string group = arguments.option("group");
  const std::string command = words[0] + " " + words[1];
  if ((command == "relay enable" || command == "agent assign") && group.empty()) {
    return usage_error("`" + command + "` needs --group GROUP");
  }
  if (command == "relay enable") {
    return report(client.call("POST", "/v1/nodes/" + *node + "/relay", {{"group", group}}),
                  arguments, "node " + words[2] + " is now a relay of group " + group);
  }
  if (command == "relay disable") {
    return report(client.call("DELETE", "/v1/nodes/" + *node + "/relay"), arguments,
                  "node " + words[2] + " is now an agent");
  }
  if (command == "agent assign") {
    return report(client.call("POST", "/v1/nodes/" + *node + "/group", {{"group", group}}),
                  arguments, "node " + words[2] + " is now an agent of group " + group);
  }
  return usage_error("unknown command `" + command + "`");
}

int node_list_command(AdminClient& client, const Arguments& arguments) {
  auto nodes = client.call("GET", "/v1/nodes");
  if (!nodes || arguments.json) return report(nodes, arguments, "");
  std::vector<std::vector<std::string>> rows;
  for (const auto& node : *nodes) {
    rows.push_back({text(node["id"]), text(node["hostname"]),
                    text(node["address"]) + ":" + text(node["port"]), text(node["role"]),
                    text(node["group"]), text(node["state"])});
  }
  print_table(std::cout, {"NODE", "HOSTNAME", "ADDRESS", "ROLE", "GROUP", "STATE"}, rows);
  return 0;
}

int release_command(AdminClient& client, const Arguments& arguments) {
  const auto& words = arguments.words;
  const std::string action = words.size() > 1 ? words[1] : "";
  if (action == "publish" && words.size() == 3) {
    const std::string name = arguments.option("name");
    const std::string version = arguments.option("version");
    if (name.empty() || version.empty()) {
      return usage_error("`release publish DIR` needs --name NAME and --version VERSION");
    }
    std::error_code error;
    auto path = std::filesystem::absolute(words[2], error).string();
    auto result = client.call("POST", "/v1/releases",
                              {{"name", name}, {"version", version}, {"path", path}});
    std::string done;
    if (result) {
      done = "published " + name + " " + version + ": " + text((*result)["files"]) + " files, " +
             format_bytes((*result)["total_bytes"].get<double>()) + ", info hash " +
             text((*result)["info_hash"]);
    }
    return report(result, arguments, done);
  }
  if (action == "list") {
    auto releases = client.call("GET", "/v1/releases");
    if (!releases || arguments.json) return report(releases, arguments, "");
    std::vector<std::vector<std::string>> rows;
    for (const auto& release : *releases) {
      rows.push_back({text(release["name"]), text(release["version"]), text(release["files"]),
                      format_bytes(release["total_bytes"].get<double>()),
                      text(release["info_hash"]).substr(0, 16)});
    }
    print_table(std::cout, {"RELEASE", "VERSION", "FILES", "SIZE", "INFO HASH"}, rows);
    return 0;
  }
  return usage_error("expected `release publish DIR --name NAME --version VERSION` or "
                     "`release list`");
}

int status_command(AdminClient& client, const Arguments& arguments) {
  auto status = client.call("GET", "/v1/status");
  if (!status || arguments.json) return report(status, arguments, "");
  std::vector<std::vector<std::string>> rows;
  for (const auto& release : (*status)["releases"]) {
    const double size = std::max(1.0, release["total_bytes"].get<double>());
    std::string outside;
    for (const auto& [group, figures] : release["groups"].items()) {
      if (!outside.empty()) outside += ", ";
      char ratio[16];
      std::snprintf(ratio, sizeof(ratio), "%.2f", figures["outside_ratio"].get<double>());
      outside += group + " " + format_bytes(figures["outside_bytes"].get<double>()) + " (" +
                 ratio + "x)";
    }
    char origin_ratio[16];
    std::snprintf(origin_ratio, sizeof(origin_ratio), "%.2f",
                  release["origin_bytes"].get<double>() / size);
    const auto& nodes = release["nodes"];
    rows.push_back({text(release["name"]) + " " + text(release["version"]),
                    format_bytes(release["total_bytes"].get<double>()), text(nodes["done"]),
                    text(nodes["downloading"]), text(nodes["failed"]), text(nodes["pending"]),
                    format_bytes(release["origin_bytes"].get<double>()) + " (" + origin_ratio + "x)",
                    outside});
  }
  print_table(std::cout,
              {"RELEASE", "SIZE", "DONE", "IN PROGRESS", "FAILED", "PENDING", "FROM ORIGIN",
               "PULLED FROM OUTSIDE GROUP"},
              rows);
  return 0;
}

}  // namespace

int run_command(AdminClient& client, const Arguments& arguments) {
  const auto& words = arguments.words;
  if (words.empty()) {
    return usage_error("missing command");
  }
  // A misspelt option must fail, not fall back to a default.
  const std::string command = words[0] + (words.size() > 1 ? " " + words[1] : "");
  std::set<std::string> allowed = {"manager", "token-file"};
  if (command == "group create") allowed.insert({"parent", "proxy", "peer-sharing"});
  if (command == "group update") allowed.insert({"parent", "primary", "proxy", "peer-sharing"});
  if (command == "relay enable" || command == "agent assign") allowed.insert("group");
  if (command == "release publish") allowed.insert({"name", "version"});
  for (const auto& [name, value] : arguments.options) {
    if (allowed.count(name) == 0) {
      return usage_error("unknown option --" + name + " for `" + command + "`");
    }
  }
  if (words[0] == "group") return group_command(client, arguments);
  if (words[0] == "relay" || words[0] == "agent") return node_role_command(client, arguments);
  if (words[0] == "node" && words.size() == 2 && words[1] == "list") {
    return node_list_command(client, arguments);
  }
  if (words[0] == "release") return release_command(client, arguments);
  if (words[0] == "status" && words.size() == 1) return status_command(client, arguments);
  return usage_error("unknown command `" + words[0] + "`");
}

}  // namespace cascade::cli
