"""Start a throwaway Mamori on 127.0.0.1 for a benchmark run, seeded with the demo community."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BenchHub:
    """``mamori serve`` in a temporary folder; SQLite unless a database URL is given."""

    def __init__(self, database_url: str | None = None, workers: int = 1) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mamori-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {
            **os.environ,
            "MAMORI_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{self.dir / 'hub.db'}",
            "MAMORI_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "MAMORI_LOG_LEVEL": "WARNING",
            "MAMORI_MAX_BODY_BYTES": str(64 * 1024 * 1024),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.seeded: dict[str, Any] = {}

    def _cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "api.cli", *args],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return done.stdout

    def __enter__(self) -> BenchHub:
        self.seeded = json.loads(self._cli("demo", "--json", "--base-url", self.url))
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "api.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            cwd=self.dir,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the hub did not start")

    def key(self, role: str, member: str | None = None) -> str:
        for c in self.seeded["credentials"]:
            if c["role"] == role and (member is None or c["member"] == member):
                return str(c["key"])
        raise KeyError(role)

    def __exit__(self, *_: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
