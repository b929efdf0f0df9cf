"""A relay that dies mid-transfer, or that serves a tampered file, costs
time but never the download: agents finish from the other relays and
install only verified files."""

import os
import signal
import sys
import tempfile
import time

import system_common as common

UPLOAD_LIMIT = 4_000_000  # bytes per second per relay, so a transfer lasts seconds


def core_group(bed, relays, agents, start_agents=True, upload_limit=0):
    bed.start_origin()
    bed.start_manager()
    bed.ctl("group", "create", "core")
    for index in range(1, relays + 1):
        bed.add_node(f"relay-{index}", upload_limit=upload_limit)
        bed.ctl("relay", "enable", f"relay-{index}", "--group", "core")
    for index in range(1, agents + 1):
        bed.add_node(f"agent-{index}", start=start_agents)
        bed.ctl("agent", "assign", f"agent-{index}", "--group", "core")


def node_progress(bed, version, name):
    release = bed.release_status(common.RELEASE, version)
    for row in release["node_details"] if release else []:
        if row["id"] == bed.nodes[name].node_id:
            return row
    return None


def test_relay_killed_mid_transfer(bed):
    content = common.make_content(tempfile.mkdtemp(dir=bed.work_dir), [16_000_000, 8_000_000])
    core_group(bed, relays=3, agents=2, upload_limit=UPLOAD_LIMIT)
    bed.ctl("release", "publish", content, "--name", common.RELEASE, "--version", "1")

    def agent_midway():
        row = node_progress(bed, "1", "agent-1")
        return row and 0.15 < row["bytes_done"] / max(row["bytes_total"], 1) < 0.7
    bed.wait_until(agent_midway, 60, interval=0.2, what="agent-1 to be midway")
    bed.nodes["relay-2"].stop(kill=True)

    common.wait_nodes_done(bed, "1", ["agent-1", "agent-2", "relay-1", "relay-3"], 120)
    for name in ("agent-1", "agent-2"):
        assert common.verify_installed(bed.nodes[name], "1") == [], f"{name} did not verify"


def test_agent_crash_resumes(bed):
    content = common.make_content(tempfile.mkdtemp(dir=bed.work_dir), [16_000_000, 8_000_000])
    core_group(bed, relays=2, agents=1, upload_limit=UPLOAD_LIMIT)
    published = bed.ctl("release", "publish", content, "--name", common.RELEASE, "--version", "1")

    def agent_midway():
        row = node_progress(bed, "1", "agent-1")
        return row and 0.2 < row["bytes_done"] / max(row["bytes_total"], 1) < 0.7
    bed.wait_until(agent_midway, 60, interval=0.2, what="agent-1 to be midway")
    agent = bed.nodes["agent-1"]
    agent.stop(kill=True)
    assert not os.path.exists(agent.release_dir(common.RELEASE, "1")), "installed before done"

    agent.start()
    release = common.wait_nodes_done(bed, "1", ["agent-1"], 120)
    assert common.verify_installed(agent, "1") == [], "agent-1 did not verify after a restart"
    row = next(r for r in release["node_details"] if r["hostname"] == "agent-1")
    after_restart = sum(row["peers"].values()) + row["origin_bytes"]
    assert after_restart < published["total_bytes"], (
        f"agent-1 fetched {after_restart} of {published['total_bytes']} bytes after the "
        "restart: it started over instead of resuming")


def test_restart_keeps_older_releases(bed):
    core_group(bed, relays=1, agents=1)
    for version, seed in (("1", 1), ("2", 2)):
        content = common.make_content(tempfile.mkdtemp(dir=bed.work_dir), [2_000_000], seed=seed)
        bed.ctl("release", "publish", content, "--name", common.RELEASE, "--version", version)
        common.wait_nodes_done(bed, version, ["relay-1", "agent-1"], 60)

    restarted_at = int(time.time())
    for name in ("relay-1", "agent-1"):
        bed.nodes[name].stop()
        bed.nodes[name].start()

    def reported_since_restart(version):
        release = bed.release_status(common.RELEASE, version)
        rows = [r for r in release["node_details"] if r["hostname"] in ("relay-1", "agent-1")]
        return release if len(rows) == 2 and all(r["updated_at"] >= restarted_at for r in rows) else None

    for version in ("1", "2"):
        release = bed.wait_until(lambda: reported_since_restart(version), 30,
                                 what=f"reports on version {version} after the restart")
        states = {row["hostname"]: (row["state"], row["error"]) for row in release["node_details"]}
        assert states["relay-1"] == ("done", ""), f"relay-1 on {version}: {states['relay-1']}"
        assert states["agent-1"] == ("done", ""), f"agent-1 on {version}: {states['agent-1']}"

    # A new agent still gets version 1 from the restarted relay, not the origin.
    bed.add_node("agent-2")
    bed.ctl("agent", "assign", "agent-2", "--group", "core")
    release = common.wait_nodes_done(bed, "1", ["agent-2"], 60)
    row = next(r for r in release["node_details"] if r["hostname"] == "agent-2")
    assert row["origin_bytes"] == 0, "agent-2 fell back to the origin: the relay stopped seeding"
    assert common.verify_installed(bed.nodes["agent-2"], "1") == []


def tamper(path, length=1_000_000):
    """Flips bytes at the start of a file in place (same inode)."""
    with open(path, "r+b") as stream:
        data = bytearray(stream.read(length))
        for i in range(0, len(data), 97):
            data[i] ^= 0xFF
        stream.seek(0)
        stream.write(data)


def test_tampered_file_on_relay(bed):
    content = common.make_content(tempfile.mkdtemp(dir=bed.work_dir), [6_000_000, 4_000_000, 5_000_000])
    core_group(bed, relays=2, agents=2, start_agents=False)
    bed.ctl("release", "publish", content, "--name", common.RELEASE, "--version", "1")

    def relays_done():
        release = bed.release_status(common.RELEASE, "1")
        return release and release["nodes"]["done"] == 2
    bed.wait_until(relays_done, 60, what="both relays to finish")
    relay = bed.nodes["relay-1"]
    tampered = 0
    for root, _, files in os.walk(relay.release_dir(common.RELEASE, "1")):
        for name in files:
            tamper(os.path.join(root, name))
            tampered += 1
    assert tampered == 3

    for name in ("agent-1", "agent-2"):
        bed.nodes[name].start()
    release = common.wait_nodes_done(bed, "1", ["agent-1", "agent-2"], 120)
    failures = 0
    for row in release["node_details"]:
        if row["hostname"].startswith("agent"):
            failures += row["hash_failures"]
            assert common.verify_installed(bed.nodes[row["hostname"]], "1") == []
    assert failures > 0, "no agent saw a hash failure, so the tampered relay was never used"


if __name__ == "__main__":
    sys.exit(common.run([test_relay_killed_mid_transfer, test_agent_crash_resumes,
                         test_restart_keeps_older_releases, test_tampered_file_on_relay]))
