"""A node accepts BitTorrent connections only from addresses the tracker
could have paired it with: a relay drops a peer outside its group at the
handshake, but serves an agent of its own group."""

import socket
import sys
import tempfile
import time

import system_common as common


def handshake(source_address, relay, info_hash_hex, timeout=5.0):
    """Connects from `source_address`, sends a BitTorrent handshake and
    returns the bytes received until the relay closes or goes quiet."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.bind((source_address, 0))
        sock.connect((relay.address, common.tb.NODE_PORT))
        reserved = bytes([0, 0, 0, 0, 0, 0x10, 0, 0x05])  # extension protocol, fast, DHT bits
        sock.sendall(bytes([19]) + b"BitTorrent protocol" + reserved +
                     bytes.fromhex(info_hash_hex[:40]) + b"-TS0001-123456789012")
        received = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
            if len(received) > 68:
                break  # handshake and at least one message: the relay kept us
        return received


def test_relay_drops_peer_outside_group(bed):
    content = common.make_content(tempfile.mkdtemp(dir=bed.work_dir), [3_000_000])
    bed.start_origin()
    bed.start_manager()
    bed.ctl("group", "create", "core")
    relay = bed.add_node("relay")
    bed.ctl("relay", "enable", "relay", "--group", "core")
    agent = bed.add_node("agent")
    bed.ctl("agent", "assign", "agent", "--group", "core")
    published = bed.ctl("release", "publish", content, "--name", common.RELEASE, "--version", "1")
    common.wait_all_done(bed, "1", 2, 60)

    kept = handshake(agent.address, relay, published["info_hash"])
    assert len(kept) > 68, f"relay closed on its own group's agent after {len(kept)} bytes"

    stranger = bed.prefix + "250"
    dropped = handshake(stranger, relay, published["info_hash"])
    assert len(dropped) <= 68, f"relay sent {len(dropped)} bytes to an unknown address"


if __name__ == "__main__":
    sys.exit(common.run([test_relay_drops_peer_outside_group]))
