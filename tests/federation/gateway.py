"""Run @graphql-hive/gateway on loopback as a subprocess (tests and benchmarks)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from .node_tools import GATEWAY_BIN, GATEWAY_CONFIG, SUPERGRAPH


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gateway:
    """The merchant's setup from docs/federation.md: the checked-in supergraph, subgraph URLs from the env."""

    def __init__(self, *, node: str, saleor_url: str, aftersales_url: str, supergraph: Path = SUPERGRAPH):
        self.node = node
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self.env = {
            **os.environ,
            "SALEOR_GRAPHQL_URL": saleor_url,
            "AFTERSALES_GRAPHQL_URL": aftersales_url,
            "NODE_ENV": "production",
        }
        self.supergraph = supergraph
        self.process: subprocess.Popen | None = None
        self.log = None

    def start(self, timeout: float = 60.0) -> Gateway:
        command = [self.node, str(GATEWAY_BIN), "supergraph", str(self.supergraph)]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--config-path", str(GATEWAY_CONFIG)]
        # A file, not a pipe: a chatty gateway must never block on a full pipe buffer.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command, cwd=GATEWAY_CONFIG.parent, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"gateway exited: {self.log.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readiness", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gateway did not become ready")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()

    def query(self, document: str, variables: dict | None = None, token: str | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps({"query": document, "variables": variables or {}}).encode()
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read() or b"{}")
