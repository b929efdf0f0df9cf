"""The demo topology in small: core (tier 1) and branch (child of core),
2 relays and 2 agents each. Every agent installs a verified release from
at least 2 relays of its own group; nginx serves the release about once
and branch pulls it from core about once."""

import sys
import tempfile

import system_common as common


def test_release_reaches_every_agent(bed):
    content = common.make_content(tempfile.mkdtemp(dir=bed.work_dir), [12_000_000, 6_000_000, 11_000_000, 777])
    bed.start_origin()
    bed.start_manager()
    bed.ctl("group", "create", "core")
    bed.ctl("group", "create", "branch", "--parent", "core")
    roles = {}
    for group in ("core", "branch"):
        for kind, count in (("relay", 2), ("agent", 2)):
            for index in range(1, count + 1):
                name = f"{group}-{kind}-{index}"
                bed.add_node(name)
                if kind == "relay":
                    bed.ctl("relay", "enable", name, "--group", group)
                else:
                    bed.ctl("agent", "assign", name, "--group", group)
                roles[name] = (kind, group)
    bed.wait_until(lambda: len(bed.ctl("node", "list")) == len(roles), 10, what="nodes")

    published = bed.ctl("release", "publish", content, "--name", common.RELEASE, "--version", "1")
    size = published["total_bytes"]
    release = common.wait_all_done(bed, "1", len(roles), 120)

    relay_ids = {bed.nodes[n].node_id for n, (kind, _) in roles.items() if kind == "relay"}
    details = {row["id"]: row for row in release["node_details"]}
    for name, (kind, group) in roles.items():
        node = bed.nodes[name]
        assert common.verify_installed(node, "1") == [], f"{name} has files that do not verify"
        if kind == "agent":
            relays_used = [peer for peer, count in details[node.node_id]["peers"].items()
                           if peer in relay_ids and count > 0]
            assert len(relays_used) >= 2, f"{name} received from {relays_used}, expected 2 relays"

    nginx_bytes = bed.origin_bytes_served()
    assert nginx_bytes <= 1.1 * size, f"nginx served {nginx_bytes} bytes for a {size}-byte release"
    branch = release["groups"]["branch"]["outside_bytes"]
    assert branch <= 1.1 * size, f"branch pulled {branch} bytes from outside for {size}"


# Measures origin bytes, so a slow start must not trigger a fallback.
test_release_reaches_every_agent.stall_timeout = 10


def test_agents_share_when_group_allows(bed):
    content = common.make_content(tempfile.mkdtemp(dir=bed.work_dir), [10_000_000, 6_000_000])
    bed.start_origin()
    bed.start_manager()
    bed.ctl("group", "create", "lan", "--peer-sharing")
    # One slow relay, so agents gain by fetching pieces from each other.
    bed.add_node("relay", upload_limit=3_000_000)
    bed.ctl("relay", "enable", "relay", "--group", "lan")
    agents = [f"agent-{index}" for index in (1, 2, 3)]
    for name in agents:
        bed.add_node(name)
        bed.ctl("agent", "assign", name, "--group", "lan")

    bed.ctl("release", "publish", content, "--name", common.RELEASE, "--version", "1")
    release = common.wait_nodes_done(bed, "1", agents, 120)
    agent_ids = {bed.nodes[name].node_id for name in agents}
    from_agents = 0
    for row in release["node_details"]:
        if row["id"] in agent_ids:
            assert common.verify_installed(bed.nodes[row["hostname"]], "1") == []
            from_agents += sum(count for peer, count in row["peers"].items() if peer in agent_ids)
    assert from_agents > 0, "no agent received a piece from another agent"


if __name__ == "__main__":
    sys.exit(common.run([test_release_reaches_every_agent, test_agents_share_when_group_allows]))
