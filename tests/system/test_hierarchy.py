"""The tracker hands each node only the peers its group may use. An agent
of `branch` never gets a `core` relay, a `branch` relay gets the `core`
relays, and unknown announce keys are rejected."""

import sys
import tempfile

import system_common as common


def test_branch_agent_never_gets_core_relay(bed):
    content = common.make_content(tempfile.mkdtemp(dir=bed.work_dir), [2_000_000, 1_000_000])
    bed.start_origin()
    bed.start_manager()
    bed.ctl("group", "create", "core")
    bed.ctl("group", "create", "branch", "--parent", "core")
    core_relay = bed.add_node("core-relay")
    bed.ctl("relay", "enable", "core-relay", "--group", "core")
    branch_relay = bed.add_node("branch-relay")
    bed.ctl("relay", "enable", "branch-relay", "--group", "branch")
    branch_agent = bed.add_node("branch-agent")
    bed.ctl("agent", "assign", "branch-agent", "--group", "branch")

    published = bed.ctl("release", "publish", content, "--name", common.RELEASE, "--version", "1")
    release = common.wait_all_done(bed, "1", 3, 60)
    info_hash = published["info_hash"]

    details = {row["id"]: row for row in release["node_details"]}
    agent_peers = details[branch_agent.node_id]["peers"]
    assert core_relay.node_id not in agent_peers, f"branch agent received from core: {agent_peers}"
    assert agent_peers.get(branch_relay.node_id, 0) > 0, "branch agent got nothing from its relay"

    # Ask the tracker directly, as each node.
    reply = common.announce(common.announce_url_of(branch_agent), info_hash)
    given = common.compact_addresses(reply[b"peers"])
    assert core_relay.address not in given, f"tracker gave a core relay to a branch agent: {given}"
    assert branch_relay.address in given, f"tracker withheld the branch relay: {given}"

    reply = common.announce(common.announce_url_of(branch_relay), info_hash)
    given = common.compact_addresses(reply[b"peers"])
    assert core_relay.address in given, f"branch relay did not get its parent relay: {given}"

    # A parent that would close a cycle is rejected and changes nothing.
    before = bed.ctl("group", "list")
    cycle = bed.ctl("group", "update", "core", "--parent", "branch", check=False)
    assert cycle.get("exit_code") == 1, f"cycle was accepted: {cycle}"
    assert "cycle" in cycle["error"], cycle["error"]
    assert bed.ctl("group", "list") == before, "a rejected cycle changed the groups"

    unknown = bed.manager_url + "/announce/" + "0" * 32
    reply = common.announce(unknown, info_hash)
    assert b"failure reason" in reply, f"unknown key was not rejected: {reply}"


if __name__ == "__main__":
    sys.exit(common.run([test_branch_agent_never_gets_core_relay]))
