"""Optional: Mamori beside OpenTAXII 0.9.3 and medallion 3.0.0 in one run, with ratios.

Nothing of theirs is part of Mamori. At run time each is installed from the package index
into a virtualenv of its own under /tmp (created once, reused after), started on
127.0.0.1, and loaded with the same objects `bench.taxii` publishes into Mamori:

* OpenTAXII 0.9.3: TAXII 2.1 only, SQLite persistence and SQLite accounts, gunicorn with
  one gthread worker of 8 threads, a JWT bearer token from its own account API; objects
  written into its database through its own models, as its add_objects writes them
  (one at a time, as add_objects goes, 100,000 objects would take many minutes).
* medallion 3.0.0: its memory backend behind its own `medallion` command (Flask, threaded),
  HTTP Basic, objects POSTed through its TAXII 2.1 endpoint. Only up to 1,000 objects:
  the memory backend scans every object for every request and slows to a crawl beyond.

Every server is measured by `bench.taxii.measure` with the same clients and durations,
one after another, so the ratios compare servers under the same machine load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.taxii import (
    ACCEPT,
    Target,
    _fresh_postgres,
    free_port,
    make_objects,
    measure,
    running_hub,
    seed_hub,
)

OPENTAXII = "opentaxii==0.9.3"
MEDALLION = "medallion==3.0.0"
MEDALLION_MAX_OBJECTS = 1000
# OpenTAXII picks the latest version of every object with a GROUP BY over the whole
# collection on each request, so one request costs seconds at 100,000 objects.
OPENTAXII_MAX_OBJECTS = 10_000
USER = "bench"
PASSWORD = "bench-password-0123456789"  # noqa: S105 (a throwaway account on 127.0.0.1)

# Run by OpenTAXII's own interpreter: API root, collection, an admin account, the objects.
_OPENTAXII_SEED = """
import datetime, json, sys
from opentaxii.cli import app
from opentaxii.entities import Account
from opentaxii.local import context
from opentaxii.persistence.sqldb import taxii2models
from opentaxii.taxii2.utils import DATETIMEFORMAT

objects = json.load(open(sys.argv[1]))
utc = datetime.timezone.utc
with app.app_context():
    context.account = Account(id=None, username="seed", permissions=None, is_admin=True)
    api = app.taxii_server.servers.taxii2.persistence.api
    root = api.add_api_root(title="bench", default=True, is_public=False)
    collection = api.add_collection(api_root_id=root.id, title="bench")
    app.taxii_server.auth.api.create_account(sys.argv[2], sys.argv[3], is_admin=True)
    token = app.taxii_server.auth.authenticate(sys.argv[2], sys.argv[3])
    # The rows its add_objects writes, in bulk: one object at a time would take minutes.
    start = datetime.datetime.now(utc)
    session = api.db.session
    for first in range(0, len(objects), 5000):
        session.bulk_save_objects([
            taxii2models.STIXObject(
                id=obj["id"],
                collection_id=collection.id,
                type=obj["id"].split("--")[0],
                spec_version=obj["spec_version"],
                date_added=start + datetime.timedelta(microseconds=first + i),
                version=datetime.datetime.strptime(obj["modified"], DATETIMEFORMAT).replace(
                    tzinfo=utc
                ),
                serialized_data={
                    k: v for k, v in obj.items() if k not in ("id", "type", "spec_version")
                },
            )
            for i, obj in enumerate(objects[first : first + 5000])
        ])
        session.commit()
print(json.dumps({"api_root": str(root.id), "collection": str(collection.id), "token": token}))
"""


def ensure_venv(path: Path, *requirements: str) -> Path:
    """A virtualenv at `path` with `requirements` installed; its bin directory."""
    python = path / "bin" / "python"
    marker = path / ".mamori-bench"
    wanted = "\n".join(requirements)
    if not python.exists() or not marker.exists() or marker.read_text() != wanted:
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *requirements],
            check=True,
        )
        marker.write_text(wanted)
    return path / "bin"


def wait_until_up(url: str, proc: subprocess.Popen[bytes], **kwargs: Any) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            httpx.get(url, timeout=1, **kwargs)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url}")


@contextmanager
def stopping(proc: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def opentaxii(bindir: Path, workdir: Path, objects: list[dict[str, Any]]) -> Iterator[Target]:
    """OpenTAXII on 127.0.0.1 over SQLite, loaded with `objects`."""
    port = free_port()
    config = workdir / "opentaxii.yml"
    config.write_text(
        json.dumps(
            {
                "domain": f"127.0.0.1:{port}",
                "support_basic_auth": True,
                "return_server_error_details": False,
                "auth_api": {
                    "class": "opentaxii.auth.sqldb.SQLDatabaseAPI",
                    "parameters": {
                        "db_connection": f"sqlite:///{workdir / 'auth.db'}",
                        "create_tables": True,
                        "secret": uuid.uuid4().hex + uuid.uuid4().hex,
                        "token_ttl_secs": 86400,
                    },
                },
                "taxii1": None,
                "taxii2": {
                    "title": "bench",
                    "max_content_length": 100 * 1024 * 1024,
                    "public_discovery": True,
                    "persistence_api": {
                        "class": "opentaxii.persistence.sqldb.Taxii2SQLDatabaseAPI",
                        "parameters": {
                            "db_connection": f"sqlite:///{workdir / 'taxii2.db'}",
                            "create_tables": True,
                        },
                    },
                },
                "logging": {"opentaxii": "warning", "root": "warning"},
            }
        )  # JSON is YAML
    )
    env = os.environ | {"OPENTAXII_CONFIG": str(config), "PYTHONWARNINGS": "ignore"}
    (workdir / "objects.json").write_text(json.dumps(objects))
    (workdir / "seed_opentaxii.py").write_text(_OPENTAXII_SEED)
    seeded = subprocess.run(
        [
            str(bindir / "python"),
            str(workdir / "seed_opentaxii.py"),
            str(workdir / "objects.json"),
            USER,
            PASSWORD,
        ],
        env=env,
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(seeded.stdout.strip().splitlines()[-1])
    proc = subprocess.Popen(
        [
            str(bindir / "gunicorn"),
            "opentaxii.http:app",
            "--config",
            "python:opentaxii.http",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "8",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with stopping(proc):
        base = f"http://127.0.0.1:{port}/taxii2/"
        wait_until_up(base, proc)
        yield Target(
            "opentaxii-0.9.3",
            f"{base}{info['api_root']}/collections/{info['collection']}/",
            {"Authorization": f"Bearer {info['token']}"},
            None,
            len(objects),
        )


@contextmanager
def medallion(bindir: Path, workdir: Path, objects: list[dict[str, Any]]) -> Iterator[Target]:
    """medallion's memory backend on 127.0.0.1, loaded with `objects` through its POST."""
    port = free_port()
    collection = str(uuid.uuid4())
    root = f"http://127.0.0.1:{port}/bench/"
    data = {
        "/discovery": {
            "title": "bench",
            "description": "bench",
            "default": root,
            "api_roots": [root],
        },
        "bench": {
            "information": {
                "title": "bench",
                "description": "bench",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 100 * 1024 * 1024,
            },
            "status": [],
            "collections": [
                {
                    "id": collection,
                    "title": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    (workdir / "medallion-data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(workdir / "medallion-data.json"),
        },
        "users": {USER: PASSWORD},
        "taxii": {"max_page_size": 1000},
    }
    (workdir / "medallion.json").write_text(json.dumps(config))
    proc = subprocess.Popen(
        [
            str(bindir / "medallion"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "ERROR",
            str(workdir / "medallion.json"),
        ],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with stopping(proc):
        auth = (USER, PASSWORD)
        wait_until_up(root, proc, auth=auth, headers=ACCEPT)
        url = f"{root}collections/{collection}/"
        with httpx.Client(auth=auth, timeout=120) as c:
            for start in range(0, len(objects), 500):
                posted = c.post(
                    f"{url}objects/",
                    content=json.dumps({"objects": objects[start : start + 500]}),
                    headers=ACCEPT | {"Content-Type": "application/taxii+json;version=2.1"},
                )
                posted.raise_for_status()
        yield Target("medallion-3.0.0", url, {}, auth, len(objects))


@contextmanager
def mamori(
    workdir: Path, n: int, postgres: str | None, workers: int
) -> Iterator[tuple[Target, float]]:
    """The hub over SQLite (or `postgres`), loaded through hub.publish; (target, objects/s)."""
    if postgres:
        url = _fresh_postgres(postgres)
        name = "mamori-postgresql"
    else:
        url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        name = "mamori-sqlite"
    if workers > 1:
        name += f"-w{workers}"
    collection, key, rate = asyncio.run(seed_hub(url, n))
    with running_hub(url, workdir, workers) as base:
        yield (
            Target(
                name,
                f"{base}/taxii2/mamori/collections/{collection}/",
                {"Authorization": f"Bearer {key}"},
                None,
                n,
            ),
            rate,
        )


def ratios(rows: list[dict[str, Any]], baseline: str) -> list[dict[str, Any]]:
    """Each other server's figures over the baseline's, per collection size and metric."""
    by: dict[tuple[str, int, str], dict[str, Any]] = {
        (r["server"], r["objects"], r["metric"]): r for r in rows
    }
    out: list[dict[str, Any]] = []
    for (server, n, metric), row in by.items():
        if server == baseline:
            continue
        base = by.get((baseline, n, metric))
        if base is None:
            continue
        entry: dict[str, Any] = {"ratio_to": baseline, "server": server, "objects": n}
        entry["metric"] = metric
        if "objects_per_s" in row and base["objects_per_s"]:
            entry["throughput_x"] = round(row["objects_per_s"] / base["objects_per_s"], 2)
        if "requests_per_s" in row:
            rate = base["requests_per_s"]
            entry["throughput_x"] = round(row["requests_per_s"] / rate, 2) if rate else None
            slow, fast = base["p99_ms"], row["p99_ms"]
            entry["p99_fraction"] = round(fast / slow, 3) if slow and fast else None
        if metric == "last_vs_first_page":
            entry["last_over_first"] = row["ratio"]
            entry["baseline_last_over_first"] = base["ratio"]
        out.append(entry)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("--objects", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--postgres", metavar="URL", help="run Mamori on this PostgreSQL database")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers for Mamori")
    parser.add_argument("--venvs", type=Path, default=Path("/tmp"), help="where the venvs go")
    parser.add_argument("--no-opentaxii", action="store_true")
    parser.add_argument(
        "--opentaxii-max",
        type=int,
        default=OPENTAXII_MAX_OBJECTS,
        help="largest collection to load into OpenTAXII (default 10000)",
    )
    parser.add_argument("--no-medallion", action="store_true")
    args = parser.parse_args()

    rows: list[dict[str, Any]] = []

    def emit(row: dict[str, Any]) -> None:
        rows.append(row)
        # The machine is shared: the 1-minute load average tells how busy it was meanwhile.
        print(json.dumps(row | {"load1": round(os.getloadavg()[0], 2)}), flush=True)

    ot_bin = (
        None
        if args.no_opentaxii
        else ensure_venv(args.venvs / "mamori-bench-opentaxii", OPENTAXII, "gunicorn>=21,<24")
    )
    med_bin = (
        None if args.no_medallion else ensure_venv(args.venvs / "mamori-bench-medallion", MEDALLION)
    )
    for n in args.objects:
        objects = make_objects(n)
        with tempfile.TemporaryDirectory(prefix="mamori-compare-") as tmp:
            workdir = Path(tmp)
            (workdir / "mamori").mkdir()
            with mamori(workdir / "mamori", n, args.postgres, args.workers) as (target, rate):
                emit(
                    {
                        "server": target.name,
                        "objects": n,
                        "metric": "publish",
                        "objects_per_s": round(rate, 1),
                    }
                )
                measure(target, args.seconds, emit)
            if ot_bin is not None and n <= args.opentaxii_max:
                (workdir / "opentaxii").mkdir()
                started = time.perf_counter()
                with opentaxii(ot_bin, workdir / "opentaxii", objects) as target:
                    load = {"objects_per_s": round(n / (time.perf_counter() - started), 1)}
                    emit({"server": target.name, "objects": n, "metric": "publish"} | load)
                    measure(target, args.seconds, emit)
            if med_bin is not None and n <= MEDALLION_MAX_OBJECTS:
                (workdir / "medallion").mkdir()
                with medallion(med_bin, workdir / "medallion", objects) as target:
                    measure(target, args.seconds, emit)
    mamori_name = next((r["server"] for r in rows if r["server"].startswith("mamori")), None)
    for baseline in ("opentaxii-0.9.3", "medallion-3.0.0"):
        for entry in ratios(rows, baseline):
            if entry["server"] == mamori_name:
                print(json.dumps(entry), flush=True)


if __name__ == "__main__":
    main()
