"""Shared helpers of the system tests: content, a tracker probe and a
runner. Each test gets its own Testbed (real nginx, manager and nodes on
loopback addresses) and stops every process it started."""

import argparse
import os
import random
import sys
import traceback
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy"))
import testbed as tb  # noqa: E402,F401

RELEASE = "system-test"


def make_content(directory, sizes, seed=7):
    """Writes files of the given sizes with seeded random bytes."""
    generator = random.Random(seed)
    os.makedirs(os.path.join(directory, "pool"), exist_ok=True)
    for index, size in enumerate(sizes):
        path = os.path.join(directory, "pool" if index % 2 else "", f"file-{index}.bin")
        with open(path, "wb") as out:
            out.write(generator.randbytes(size))
    return directory


def bdecode(data, index=0):
    """Decodes one bencoded value; returns (value, next index)."""
    kind = data[index:index + 1]
    if kind == b"i":
        end = data.index(b"e", index)
        return int(data[index + 1:end]), end + 1
    if kind == b"l":
        index += 1
        items = []
        while data[index:index + 1] != b"e":
            item, index = bdecode(data, index)
            items.append(item)
        return items, index + 1
    if kind == b"d":
        index += 1
        items = {}
        while data[index:index + 1] != b"e":
            key, index = bdecode(data, index)
            value, index = bdecode(data, index)
            items[key] = value
        return items, index + 1
    colon = data.index(b":", index)
    length = int(data[index:colon])
    return data[colon + 1:colon + 1 + length], colon + 1 + length


def announce_url_of(node):
    with open(os.path.join(node.data_dir, "enrolment.conf")) as conf:
        for line in conf:
            if line.startswith("announce_url"):
                return line.split("=", 1)[1].strip()
    raise tb.TestbedError(f"{node.name} has no announce_url")


def announce(url, info_hash_hex, peer_id=b"-TS0001-000000000000", port=6999):
    """Sends one HTTP announce and returns the decoded reply dictionary."""
    query = urllib.parse.urlencode({
        "info_hash": bytes.fromhex(info_hash_hex[:40]), "peer_id": peer_id, "port": port,
        "uploaded": 0, "downloaded": 0, "left": 1000, "compact": 1,
    })
    with urllib.request.urlopen(f"{url}?{query}", timeout=10) as reply:
        return bdecode(reply.read())[0]


def compact_addresses(peers):
    return {".".join(str(b) for b in peers[i:i + 4]) for i in range(0, len(peers), 6)}


def verify_installed(node, version):
    """Returns the files whose installed bytes differ from the signed sha256."""
    import json
    with open(node.metadata_path(RELEASE, version)) as stream:
        targets = json.load(stream)["signed"]["targets"]
    bad = []
    for path, target in targets.items():
        full = os.path.join(node.release_dir(RELEASE, version), path)
        if not os.path.isfile(full) or tb.sha256_file(full) != target["hashes"]["sha256"]:
            bad.append(path)
    return bad


def wait_all_done(bed, version, node_count, timeout):
    def finished():
        release = bed.release_status(RELEASE, version)
        return release if release and release["nodes"]["done"] == node_count else None
    return bed.wait_until(finished, timeout, what=f"{node_count} nodes to finish {version}")


def wait_nodes_done(bed, version, names, timeout):
    """Waits until each named node reports the release done."""
    ids = {bed.nodes[name].node_id for name in names}

    def finished():
        release = bed.release_status(RELEASE, version)
        if not release:
            return None
        done = {row["id"] for row in release["node_details"] if row["state"] == "done"}
        return release if ids <= done else None
    return bed.wait_until(finished, timeout, what=f"{', '.join(names)} to finish {version}")


def run(tests):
    """Runs each test(bed) on a fresh testbed and prints the totals."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    args = parser.parse_args()
    passed = failed = 0
    for test in tests:
        # A short stall timeout makes failure tests fast; a test that
        # measures origin bytes sets `stall_timeout` like the default.
        bed = tb.Testbed(args.build_dir, stall_timeout=getattr(test, "stall_timeout", 3))
        name = test.__name__
        try:
            test(bed)
            passed += 1
            print(f"PASS {name}", flush=True)
        except Exception:  # a failed check or a broken testbed both fail the test
            failed += 1
            print(f"FAIL {name} (logs in {bed.work_dir}/logs)", flush=True)
            traceback.print_exc()
        finally:
            bed.close()
            bed.remove_data()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
