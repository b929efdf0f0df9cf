#!/usr/bin/env python3
"""Cascade's end-to-end demo on loopback addresses.

Starts nginx as the primary source, the manager, a tier-1 relay group
`core` with 2 relays, a child group `branch` (parent `core`) with 2
relays, and 4 agents in each group; publishes a release of real Debian
packages (or --content DIR); follows progress; and ends with a report,
printed and written as JSON. Exits 0 when every agent verified every
file and every target was met, 1 when an agent did not verify, 3 when
only a target was missed.
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testbed as tb  # noqa: E402

# About 104 MB of .deb files from Debian 12; a fixed list so runs compare.
DEMO_PACKAGES = [
    "libllvm14", "gcc-12", "libclang-cpp14", "g++-12", "cpp-12",
    "libicu72", "git", "libz3-4", "vim-runtime",
]
RELEASE_NAME = "debian-packages"
TIMEOUT_SECONDS = 300


def default_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cascade", "demo-debs")


def fetch_packages(cache_dir):
    """Downloads the demo packages once with `apt-get download`."""
    os.makedirs(cache_dir, exist_ok=True)
    present = [name for name in os.listdir(cache_dir) if name.endswith(".deb")]
    # apt-get download names files PACKAGE_VERSION_ARCH.deb.
    missing = [package for package in DEMO_PACKAGES
               if not any(name.startswith(package + "_") for name in present)]
    if not missing:
        return
    print(f"demo: downloading {len(DEMO_PACKAGES)} Debian packages into {cache_dir} (once)")
    for attempt in range(2):
        result = subprocess.run(["apt-get", "download", *missing], cwd=cache_dir)
        if result.returncode == 0:
            return
        if attempt == 0:
            # A fresh machine may have no package lists yet.
            subprocess.run(["apt-get", "update", "-q"], check=False)
    raise tb.TestbedError("apt-get download failed; check the machine's Debian package sources")


def build_topology(bed):
    bed.ctl("group", "create", "core")
    bed.ctl("group", "create", "branch", "--parent", "core")
    roles = {}
    for group in ("core", "branch"):
        for index in (1, 2):
            name = f"{group}-relay-{index}"
            bed.add_node(name)
            bed.ctl("relay", "enable", name, "--group", group)
            roles[name] = ("relay", group)
        for index in (1, 2, 3, 4):
            name = f"{group}-agent-{index}"
            bed.add_node(name)
            bed.ctl("agent", "assign", name, "--group", group)
            roles[name] = ("agent", group)
    return roles


def show_progress(release, started):
    nodes = release["nodes"]
    done_bytes = sum(row["bytes_done"] for row in release["node_details"])
    total = release["total_bytes"] * max(1, len(release["node_details"]))
    print(f"  {time.monotonic() - started:5.1f} s  done {nodes['done']:2d}  "
          f"in progress {nodes['downloading']:2d}  failed {nodes['failed']}  "
          f"pending {nodes['pending']:2d}  bytes {100.0 * done_bytes / max(total, 1):5.1f} %",
          flush=True)


def verify_agent(node, version, relay_ids):
    """Checks an agent's installed files against the signed metadata."""
    with open(node.metadata_path(RELEASE_NAME, version)) as stream:
        targets = json.load(stream)["signed"]["targets"]
    root = node.release_dir(RELEASE_NAME, version)
    files = []
    for path, target in sorted(targets.items()):
        full = os.path.join(root, path)
        entry = {"path": path, "sha256_ok": False, "dpkg_deb_ok": None}
        if os.path.isfile(full):
            entry["sha256_ok"] = tb.sha256_file(full) == target["hashes"]["sha256"]
            if path.endswith(".deb"):
                check = subprocess.run(["dpkg-deb", "--info", full], capture_output=True)
                entry["dpkg_deb_ok"] = check.returncode == 0
        files.append(entry)
    return files


def make_report(bed, roles, release, version, elapsed):
    size = release["total_bytes"]
    relay_ids = {bed.nodes[name].node_id for name, (role, _) in roles.items() if role == "relay"}
    names_by_id = {node.node_id: name for name, node in bed.nodes.items()}
    details = {row["id"]: row for row in release["node_details"]}
    agents = []
    for name, (role, group) in sorted(roles.items()):
        if role != "agent":
            continue
        node = bed.nodes[name]
        row = details.get(node.node_id, {})
        files = verify_agent(node, version, relay_ids) if row.get("state") == "done" else []
        from_relays = {names_by_id.get(peer, peer): count
                       for peer, count in row.get("peers", {}).items() if peer in relay_ids}
        verified = bool(files) and all(
            f["sha256_ok"] and f["dpkg_deb_ok"] is not False for f in files)
        agents.append({
            "agent": name, "group": group, "state": row.get("state", "missing"),
            "files": len(files), "files_verified": verified,
            "bytes_from_relays": from_relays,
            "relays_used": sum(1 for count in from_relays.values() if count > 0),
            "origin_bytes": row.get("origin_bytes", 0),
            "error": row.get("error", ""), "file_checks": files,
        })
    nginx_bytes = bed.origin_bytes_served()
    groups = {group: {"outside_bytes": figures["outside_bytes"],
                      "outside_ratio": figures["outside_bytes"] / max(size, 1)}
              for group, figures in release["groups"].items()}
    branch_ratio = groups.get("branch", {}).get("outside_ratio", 0.0)
    targets = {
        "nginx_at_most_1.1x": nginx_bytes <= 1.1 * size,
        "branch_pulls_at_most_1.1x": branch_ratio <= 1.1,
        "every_agent_uses_2_relays": all(a["relays_used"] >= 2 for a in agents),
    }
    return {
        "release": {"name": RELEASE_NAME, "version": version, "bytes": size,
                    "files": release["files"], "info_hash": release["info_hash"]},
        "seconds_to_all_done": round(elapsed, 2),
        "nginx_bytes_served": nginx_bytes,
        "nginx_ratio": nginx_bytes / max(size, 1),
        "groups": groups,
        "agents": agents,
        "targets": targets,
        "all_agents_verified": all(a["files_verified"] for a in agents),
    }


def print_report(report, path):
    size = report["release"]["bytes"]
    print(f"\nrelease {report['release']['name']} {report['release']['version']}: "
          f"{report['release']['files']} files, {size / 1e6:.1f} MB, "
          f"all done in {report['seconds_to_all_done']} s")
    print(f"nginx served {report['nginx_bytes_served'] / 1e6:.1f} MB "
          f"= {report['nginx_ratio']:.3f} x the release")
    for group, figures in sorted(report["groups"].items()):
        print(f"group {group:7s} pulled {figures['outside_bytes'] / 1e6:7.1f} MB from outside "
              f"= {figures['outside_ratio']:.3f} x")
    print(f"\n{'agent':16s} {'group':7s} {'files':>5s}  verified  bytes from each relay")
    for agent in report["agents"]:
        relays = ", ".join(f"{name} {count / 1e6:.1f} MB"
                           for name, count in sorted(agent["bytes_from_relays"].items()))
        print(f"{agent['agent']:16s} {agent['group']:7s} {agent['files']:5d}  "
              f"{'yes' if agent['files_verified'] else 'NO ':8s}  {relays}")
    print("\ntargets:")
    for target, met in report["targets"].items():
        print(f"  {'met    ' if met else 'MISSED '} {target}")
    print(f"\nreport written to {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--content", help="publish this directory instead of the Debian packages")
    parser.add_argument("--keep", action="store_true", help="keep downloaded data after the run")
    parser.add_argument("--log-level", default="info", help="log level of every Cascade process")
    args = parser.parse_args()

    global RELEASE_NAME
    content = args.content
    if content is not None:
        RELEASE_NAME = "demo-content"
    if content is None:
        content = default_cache_dir()
        fetch_packages(content)
    content = os.path.abspath(content)
    if not os.path.isdir(content):
        print(f"demo: {content} is not a directory", file=sys.stderr)
        return 2

    bed = tb.Testbed(args.build_dir, log_level=args.log_level)
    print(f"demo: work directory {bed.work_dir} (logs in {bed.work_dir}/logs)")
    try:
        bed.start_origin()
        bed.start_manager()
        print(f"demo: nginx at {bed.origin_url}, manager at {bed.manager_url}")
        roles = build_topology(bed)
        print("demo: groups core (tier 1) and branch (parent core), "
              "2 relays and 4 agents in each")
        time.sleep(1.0)  # let every node pick up its role before the release

        version = time.strftime("%Y%m%d-%H%M%S")
        published = bed.ctl("release", "publish", content, "--name", RELEASE_NAME,
                            "--version", version)
        print(f"demo: published {RELEASE_NAME} {version}: {published['files']} files, "
              f"{published['total_bytes'] / 1e6:.1f} MB")
        started = time.monotonic()
        release = None
        while time.monotonic() - started < TIMEOUT_SECONDS:
            release = bed.release_status(RELEASE_NAME, version)
            show_progress(release, started)
            nodes = release["nodes"]
            if nodes["done"] == len(roles) or nodes["failed"] > 0 and nodes["downloading"] == 0 \
                    and nodes["pending"] == 0:
                break
            time.sleep(1.0)
        elapsed = time.monotonic() - started
        time.sleep(1.5)  # the last reports carry final byte counts
        release = bed.release_status(RELEASE_NAME, version)
        report = make_report(bed, roles, release, version, elapsed)
        path = os.path.join(bed.work_dir, "report.json")
        with open(path, "w") as out:
            json.dump(report, out, indent=2)
        print_report(report, path)
        if not report["all_agents_verified"]:
            print("demo: FAILED: an agent did not verify every file", file=sys.stderr)
            return 1
        missed = [name for name, met in report["targets"].items() if not met]
        if missed:
            print(f"demo: every agent verified, but targets were missed: {', '.join(missed)}",
                  file=sys.stderr)
            return 3
        return 0
    except tb.TestbedError as error:
        print(f"demo: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("demo: interrupted; stopping every process", file=sys.stderr)
        return 130
    finally:
        bed.close()
        if not args.keep:
            bed.remove_data()


if __name__ == "__main__":
    sys.exit(main())
