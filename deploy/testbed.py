"""Starts a Cascade deployment on loopback addresses: nginx as the primary
source, the manager and any number of nodes, each process on its own
127.x.y.z address. The demo and the system tests share it.

Every process started here is stopped by Testbed.close(), which also runs
at interpreter exit and on SIGINT or SIGTERM.
"""

import atexit
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

MANAGER_PORT = 7000
ORIGIN_PORT = 8080
NODE_PORT = 6881


class TestbedError(Exception):
    pass


def _free_subnet():
    """Returns a 127.X.Y. prefix whose manager address and port are free."""
    seed = os.getpid()
    for attempt in range(200):
        x = 100 + (seed + attempt * 7) % 150
        y = (seed // 150 + attempt) % 250 + 1
        prefix = f"127.{x}.{y}."
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((prefix + "2", MANAGER_PORT))
                return prefix
            except OSError:
                continue
    raise TestbedError("no free 127.x.y.0/24 block for the testbed")


def _wait_for_port(address, port, timeout, process=None, name=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise TestbedError(f"{name} exited with code {process.returncode} while starting")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.2)
            if probe.connect_ex((address, port)) == 0:
                return
        time.sleep(0.05)
    raise TestbedError(f"{name} did not listen on {address}:{port} within {timeout} s")


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Node:
    def __init__(self, testbed, name, address, upload_limit=0):
        self.upload_limit = upload_limit
        self.testbed = testbed
        self.name = name
        self.address = address
        self.data_dir = os.path.join(testbed.work_dir, "nodes", name)
        self.config_path = os.path.join(testbed.work_dir, "nodes", name + ".conf")
        self.log_path = os.path.join(testbed.work_dir, "logs", name + ".log")
        self.process = None
        self.node_id = None

    def write_config(self):
        with open(self.config_path, "w") as out:
            out.write(f"manager_url = {self.testbed.manager_url}\n")
            out.write(f"data_dir = {self.data_dir}\n")
            out.write(f"listen_address = {self.address}\n")
            out.write(f"listen_port = {NODE_PORT}\n")
            out.write(f"hostname = {self.name}\n")
            out.write(f"log_level = {self.testbed.log_level}\n")
            out.write(f"upload_limit = {self.upload_limit}\n")

    def enrol(self):
        self.write_config()
        token_file = os.path.join(self.testbed.manager_dir, "enrolment.token")
        result = subprocess.run(
            [self.testbed.binary("node/cascade-node"), "enrol", "--config", self.config_path,
             "--token-file", token_file],
            capture_output=True, text=True)
        if result.returncode != 0:
            raise TestbedError(f"enrol {self.name} failed: {result.stderr.strip()}")
        self.node_id = result.stdout.split()[2]

    def start(self):
        self.process = self.testbed.spawn(
            self.name, [self.testbed.binary("node/cascade-node"), "run", "--config", self.config_path])

    def stop(self, kill=False):
        if self.process and self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def release_dir(self, name, version):
        return os.path.join(self.data_dir, "releases", name, version)

    def staging_dir(self, name, version):
        return os.path.join(self.data_dir, "staging", name, version)

    def metadata_path(self, name, version):
        return os.path.join(self.data_dir, "metadata", name, version + ".json")


class Testbed:
    def __init__(self, build_dir, work_dir=None, log_level="info", stall_timeout=10):
        self.build_dir = os.path.abspath(build_dir)
        self.work_dir = work_dir or tempfile.mkdtemp(prefix="cascade-")
        # nginx workers run as an unprivileged user and must reach the origin.
        os.chmod(self.work_dir, 0o755)
        os.makedirs(os.path.join(self.work_dir, "logs"), exist_ok=True)
        os.makedirs(os.path.join(self.work_dir, "nodes"), exist_ok=True)
        self.prefix = _free_subnet()
        self.origin_address = self.prefix + "1"
        self.manager_address = self.prefix + "2"
        self.origin_url = f"http://{self.origin_address}:{ORIGIN_PORT}"
        self.manager_url = f"http://{self.manager_address}:{MANAGER_PORT}"
        self.origin_root = os.path.join(self.work_dir, "origin")
        self.manager_dir = os.path.join(self.work_dir, "manager")
        self.log_level = log_level
        self.stall_timeout = stall_timeout
        self.processes = []
        self.nodes = {}
        self._next_host = 10
        self._closed = False
        atexit.register(self.close)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum, frame):
        self.close()
        raise KeyboardInterrupt(f"stopped by signal {signum}")

    def binary(self, relative):
        path = os.path.join(self.build_dir, relative)
        if not os.access(path, os.X_OK):
            raise TestbedError(f"{path} is missing; build first (make build)")
        return path

    def spawn(self, name, argv):
        log = open(os.path.join(self.work_dir, "logs", name + ".log"), "ab")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.processes.append((name, process))
        return process

    # --- primary source -------------------------------------------------

    def start_origin(self):
        os.makedirs(self.origin_root, exist_ok=True)
        nginx_dir = os.path.join(self.work_dir, "nginx")
        os.makedirs(nginx_dir, exist_ok=True)
        self.origin_access_log = os.path.join(self.work_dir, "logs", "nginx-access.log")
        config = os.path.join(nginx_dir, "nginx.conf")
        with open(config, "w") as out:
            out.write(f"""
worker_processes 1;
daemon off;
pid {nginx_dir}/nginx.pid;
error_log {self.work_dir}/logs/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  log_format bytes '$remote_addr $status $body_bytes_sent "$request"';
  access_log {self.origin_access_log} bytes;
  client_body_temp_path {nginx_dir}/body;
  proxy_temp_path {nginx_dir}/proxy;
  fastcgi_temp_path {nginx_dir}/fastcgi;
  uwsgi_temp_path {nginx_dir}/uwsgi;
  scgi_temp_path {nginx_dir}/scgi;
  sendfile on;
  server {{
    listen {self.origin_address}:{ORIGIN_PORT};
    root {self.origin_root};
  }}
}}
""")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        process = self.spawn("nginx", [nginx, "-e", "stderr", "-p", nginx_dir, "-c", config])
        _wait_for_port(self.origin_address, ORIGIN_PORT, 10, process, "nginx")

    def origin_bytes_served(self):
        """Sums $body_bytes_sent over nginx's access log."""
        total = 0
        if not os.path.exists(self.origin_access_log):
            return 0
        with open(self.origin_access_log) as log:
            for line in log:
                fields = line.split()
                if len(fields) >= 3 and fields[2].isdigit():
                    total += int(fields[2])
        return total

    # --- manager ---------------------------------------------------------

    def start_manager(self):
        result = subprocess.run(
            [self.binary("manager/cascade-manager"), "init", "--data", self.manager_dir,
             "--listen", f"{self.manager_address}:{MANAGER_PORT}",
             "--origin-url", self.origin_url, "--origin-root", self.origin_root],
            capture_output=True, text=True)
        if result.returncode != 0:
            raise TestbedError(f"manager init failed: {result.stderr.strip()}")
        with open(os.path.join(self.manager_dir, "manager.conf"), "a") as out:
            out.write(f"stall_timeout_seconds = {self.stall_timeout}\n")
            out.write(f"log_level = {self.log_level}\n")
        self.manager = self.spawn(
            "manager", [self.binary("manager/cascade-manager"), "run", "--data", self.manager_dir])
        _wait_for_port(self.manager_address, MANAGER_PORT, 10, self.manager, "cascade-manager")

    def ctl(self, *args, check=True):
        """Runs cascadectl --json and returns the decoded reply."""
        argv = [self.binary("cli/cascadectl"), "--manager", self.manager_url,
                "--token-file", os.path.join(self.manager_dir, "admin.token"), "--json", *args]
        result = subprocess.run(argv, capture_output=True, text=True)
        if result.returncode != 0:
            if check:
                raise TestbedError(f"cascadectl {' '.join(args)} failed: {result.stderr.strip()}")
            return {"error": result.stderr.strip(), "exit_code": result.returncode}
        return json.loads(result.stdout) if result.stdout.strip() else {}

    # --- nodes -----------------------------------------------------------

    def add_node(self, name, start=True, upload_limit=0):
        address = self.prefix + str(self._next_host)
        self._next_host += 1
        node = Node(self, name, address, upload_limit)
        node.enrol()
        if start:
            node.start()
        self.nodes[name] = node
        return node

    def status(self):
        return self.ctl("status")["releases"]

    def release_status(self, name, version):
        for release in self.status():
            if release["name"] == name and release["version"] == version:
                return release
        return None

    def wait_until(self, predicate, timeout, interval=0.5, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise TestbedError(f"timed out after {timeout} s waiting for {what}")

    def close(self):
        if self._closed:
            return
        self._closed = True
        for name, process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for name, process in reversed(self.processes):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def remove_data(self):
        """Deletes the bulky directories, keeping logs and reports."""
        for sub in ("origin", "nodes"):
            shutil.rmtree(os.path.join(self.work_dir, sub), ignore_errors=True)
