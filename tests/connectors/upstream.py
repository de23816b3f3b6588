"""A third-party TAXII 2.1 server for pull tests: medallion 3.0.0 (memory backend) on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from taxii2client.v21 import Collection, as_pages

from tests.conftest import DATA
from tests.hubprocess import free_port

USER, PASSWORD = "mamori", "upstream-password-123"
ACCEPT = "application/taxii+json;version=2.1"


@dataclass(frozen=True)
class Medallion:
    api_root: str
    collection_id: str

    @property
    def collection_url(self) -> str:
        return f"{self.api_root}collections/{self.collection_id}/"

    def collection(self) -> Collection:
        return Collection(self.collection_url, user=USER, password=PASSWORD)

    def held(self) -> set[tuple[str, str]]:
        """(id, version) of every object the server holds, read independently of the puller."""
        out: set[tuple[str, str]] = set()
        with self.collection() as coll:
            for page in as_pages(coll.get_objects, per_request=50, version="all"):
                for obj in page.get("objects", []):
                    out.add((obj["id"], obj.get("modified") or obj.get("created") or ""))
        return out


def oasis_objects() -> list[list[dict[str, Any]]]:
    """The OASIS example bundles as lists of objects (one file is a lone object)."""
    out = []
    for path in sorted((DATA / "oasis").glob("*.json")):
        doc = json.loads(path.read_text())
        out.append(doc["objects"] if doc.get("type") == "bundle" else [doc])
    return out


@contextmanager
def medallion(workdir: Path) -> Iterator[Medallion]:
    try:
        import medallion as _  # noqa: F401
    except ImportError:
        pytest.skip("medallion is not installed: pip install medallion==3.0.0")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    collection_id = str(uuid.uuid4())
    data = {
        "/discovery": {
            "title": "upstream",
            "description": "medallion for Mamori's pull tests",
            "default": f"{base}/api1/",
            "api_roots": [f"{base}/api1/"],
        },
        "api1": {
            "information": {
                "title": "api1",
                "description": "",
                "versions": [ACCEPT],
                "max_content_length": 10 * 1024 * 1024,
            },
            "status": [],
            "collections": [
                {
                    "id": collection_id,
                    "title": "OASIS examples",
                    "description": "",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    (workdir / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(workdir / "data.json"),
        },
        "users": {USER: PASSWORD},
        "taxii": {"max_page_size": 100},
    }
    (workdir / "config.json").write_text(json.dumps(config))
    log = (workdir / "medallion.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "medallion.scripts.run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            str(workdir / "config.json"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError((workdir / "medallion.log").read_text()[-2000:])
            try:
                r = httpx.get(
                    f"{base}/taxii2/", auth=(USER, PASSWORD), headers={"Accept": ACCEPT}, timeout=1
                )
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("medallion did not start")
            time.sleep(0.1)
        server = Medallion(f"{base}/api1/", collection_id)
        with server.collection() as coll:
            for objects in oasis_objects():
                coll.add_objects({"objects": objects})
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)
