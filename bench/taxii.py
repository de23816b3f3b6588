"""TAXII 2.1 benchmark: polls, concurrent pollers, get-by-id, first vs last page; JSON lines out.

Starts the hub (uvicorn subprocess on 127.0.0.1) over SQLite and, with --postgres, over
PostgreSQL; loads N objects through `hub.publish`; or measures any TAXII 2.1 server given
with --url and --collection. Every measurement is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from hub.keys import Keyring
from hub.store.objects import publish

ACCEPT = {"Accept": "application/taxii+json;version=2.1"}
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Target:
    name: str
    collection_url: str  # ends with /
    headers: dict[str, str]
    auth: tuple[str, str] | None
    objects: int


def make_objects(n: int) -> list[dict[str, Any]]:
    """N objects: 90% indicators, 10% malware (the filtered poll asks for malware)."""
    out = []
    for i in range(n):
        if i % 10 == 9:
            out.append(
                {
                    "type": "malware",
                    "spec_version": "2.1",
                    "id": f"malware--{uuid.UUID(int=i)}",
                    "created": "2026-11-20T09:00:00.000Z",
                    "modified": "2026-11-20T09:00:00.000Z",
                    "name": f"family {i}",
                    "is_family": True,
                }
            )
        else:
            out.append(
                {
                    "type": "indicator",
                    "spec_version": "2.1",
                    "id": f"indicator--{uuid.UUID(int=i)}",
                    "created": "2026-11-20T09:00:00.000Z",
                    "modified": "2026-11-20T09:00:00.000Z",
                    "name": f"C2 {i}",
                    "pattern": f"[ipv4-addr:value = '10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}']",
                    "pattern_type": "stix",
                    "valid_from": "2026-11-20T09:00:00Z",
                }
            )
    return out


async def seed_hub(url: str, n: int) -> tuple[str, str, float]:
    """Migrate, add a sector and a reader, publish N objects; (collection id, key, objects/s)."""
    from hub import members, migrate
    from hub.db import make_engine, make_sessionmaker
    from hub.models import Role
    from hub.models.published import collection_uuid

    engine = make_engine(url)
    await migrate.upgrade(engine)
    maker = make_sessionmaker(engine, keyring=Keyring.of(SECRET))
    async with maker.begin() as db:
        await members.create_sector(db, "bench", "Bench")
        await members.create_member(db, "bench-co", "Bench Co", "bench", {})
        _, issued = await members.create_key(
            db, role=Role.READER, label="bench", member_slug="bench-co"
        )
    objects = make_objects(n)
    started = time.perf_counter()
    for start in range(0, n, 5000):
        async with maker.begin() as db:
            await publish(db, "sector-bench", objects[start : start + 5000])
    rate = n / (time.perf_counter() - started)
    await engine.dispose()
    if url.startswith("postgresql"):
        # Statistics for the freshly loaded table, as autovacuum would gather shortly after a
        # bulk load; without any, the planner sorts the whole collection for every page.
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute("ANALYZE")
    if url.startswith("sqlite"):
        # Fold the bulk load's WAL back into the database, as SQLite's own checkpointing
        # would during normal operation; readers otherwise search a huge WAL on every page.
        with sqlite3.connect(url.split(":///", 1)[1]) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return collection_uuid("sector-bench"), issued.key, rate


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_hub(database_url: str, workdir: Path, workers: int = 1) -> Iterator[str]:
    """The hub under uvicorn on 127.0.0.1 with `workers` processes; yields its base URL."""
    port = free_port()
    env = os.environ | {
        "MAMORI_DATABASE_URL": database_url,
        "MAMORI_SECRET_KEY": SECRET,
        "MAMORI_DATA_DIR": str(workdir / "data"),
        "MAMORI_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/taxii2/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def client(target: Target, timeout: float = 120) -> httpx.Client:
    return httpx.Client(headers=ACCEPT | target.headers, auth=target.auth, timeout=timeout)


def walk(target: Target, params: dict[str, str], budget: float) -> tuple[int, float]:
    """Page through the whole selection; (objects, seconds)."""
    got = 0
    started = time.perf_counter()
    with client(target) as c:
        query = dict(params)
        while time.perf_counter() - started < budget:
            body = c.get(f"{target.collection_url}objects/", params=query).json()
            got += len(body.get("objects", []))
            if not body.get("more"):
                break
            if "next" in body:
                query = dict(params) | {"next": body["next"]}
            else:
                break
    return got, time.perf_counter() - started


def concurrent(
    target: Target, make_request: Any, seconds: float, workers: int = 8
) -> dict[str, float | None]:
    """`workers` clients repeating a request for `seconds`; rate and p50/p99 of the answered.

    A request that fails or outlives the client timeout counts under `errors`, so a server
    that collapses under load yields a row instead of ending the run.
    """
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        mine: list[float] = []
        failed = 0
        with client(target, timeout=max(30.0, seconds * 6)) as c:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    make_request(c, rng)
                except httpx.HTTPError:
                    failed += 1
                    continue
                mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            errors += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def at(q: float) -> float | None:
        if not latencies:
            return None
        return round(1000 * latencies[min(len(latencies) - 1, int(len(latencies) * q))], 2)

    return {
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": at(0.5),
        "p99_ms": at(0.99),
        "requests": len(latencies),
        "errors": errors,
    }


def measure(target: Target, seconds: float, emit: Any) -> None:
    with client(target) as c:
        manifest: list[dict[str, Any]] = []
        query: dict[str, str] = {"limit": "1000"}
        while True:
            body = c.get(f"{target.collection_url}manifest/", params=query).json()
            manifest += body.get("objects", [])
            if not body.get("more") or "next" not in body:
                break
            query = {"limit": "1000", "next": body["next"]}
    ids = [m["id"] for m in manifest]
    stamps = [m["date_added"] for m in manifest]
    base = {"server": target.name, "objects": target.objects}

    # One untimed page first, so no server's one-off start-up work (imports, statement
    # compilation, a cold page cache) is billed to a small collection's single-page poll.
    with client(target) as c:
        c.get(f"{target.collection_url}objects/", params={"limit": "1000"}).raise_for_status()
    n, dt = walk(target, {"limit": "1000"}, seconds * 6)
    emit(
        base
        | {
            "metric": "full_poll",
            "limit": 1000,
            "objects_read": n,
            "objects_per_s": round(n / dt, 1),
        }
    )
    n, dt = walk(target, {"limit": "1000", "match[type]": "malware"}, seconds * 6)
    emit(
        base
        | {
            "metric": "filtered_poll",
            "filter": "match[type]=malware",
            "objects_read": n,
            "objects_per_s": round(n / dt, 1),
        }
    )

    def incremental(c: httpx.Client, rng: random.Random) -> None:
        since = stamps[rng.randrange(max(1, len(stamps) - 100), len(stamps))] if stamps else None
        c.get(
            f"{target.collection_url}objects/",
            params={"limit": "100"} | ({"added_after": since} if since else {}),
        ).raise_for_status()

    emit(
        base
        | {"metric": "incremental_pollers", "clients": 8, "limit": 100}
        | concurrent(target, incremental, seconds)
    )

    def by_id(c: httpx.Client, rng: random.Random) -> None:
        c.get(f"{target.collection_url}objects/{rng.choice(ids)}/").raise_for_status()

    emit(base | {"metric": "get_by_id", "clients": 8} | concurrent(target, by_id, seconds))

    if len(stamps) > 1000:
        with client(target) as c:

            def timed(params: dict[str, str]) -> float:
                runs = []
                for _ in range(7):
                    t0 = time.perf_counter()
                    body = c.get(f"{target.collection_url}objects/", params=params).json()
                    runs.append(time.perf_counter() - t0)
                    assert body.get("objects")
                return statistics.median(runs)

            first = timed({"limit": "1000"})
            last = timed({"limit": "1000", "added_after": stamps[-1001]})
        emit(
            base
            | {
                "metric": "last_vs_first_page",
                "limit": 1000,
                "first_ms": round(first * 1000, 2),
                "last_ms": round(last * 1000, 2),
                "ratio": round(last / first, 3),
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.taxii", description=__doc__)
    parser.add_argument(
        "--objects",
        type=int,
        nargs="+",
        default=[10_000, 100_000],
        help="collection sizes to load into the hub (default: 10000 100000)",
    )
    parser.add_argument(
        "--postgres", metavar="URL", help="also run the hub on this (empty) PostgreSQL database"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="duration of each concurrent measurement"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes for the hub (default 1)"
    )
    parser.add_argument("--url", help="measure another TAXII 2.1 server: its API root URL")
    parser.add_argument("--collection", help="collection id on --url")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--token", help="bearer token for --url")
    parser.add_argument("--name", default="other", help="label for --url in the output")
    args = parser.parse_args()

    def emit(row: dict[str, Any]) -> None:
        print(json.dumps(row), flush=True)

    if args.url:
        if not args.collection:
            parser.error("--url needs --collection")
        headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
        auth = (args.user, args.password) if args.user else None
        target = Target(
            args.name, f"{args.url.rstrip('/')}/collections/{args.collection}/", headers, auth, -1
        )
        measure(target, args.seconds, emit)
        return

    backends: list[tuple[str, str]] = []
    if not args.no_sqlite:
        backends.append(("sqlite", ""))
    if args.postgres:
        backends.append(("postgresql", args.postgres))
    for backend, pg_url in backends:
        for n in args.objects:
            with tempfile.TemporaryDirectory(prefix="mamori-bench-") as tmp:
                workdir = Path(tmp)
                if backend == "sqlite":
                    url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
                else:
                    url = _fresh_postgres(pg_url)
                collection, key, ingest = asyncio.run(seed_hub(url, n))
                label = f"mamori-{backend}" + (f"-w{args.workers}" if args.workers > 1 else "")
                emit(
                    {
                        "server": label,
                        "objects": n,
                        "metric": "publish",
                        "objects_per_s": round(ingest, 1),
                    }
                )
                with running_hub(url, workdir, args.workers) as base:
                    target = Target(
                        label,
                        f"{base}/taxii2/mamori/collections/{collection}/",
                        {"Authorization": f"Bearer {key}"},
                        None,
                        n,
                    )
                    measure(target, args.seconds, emit)


def _fresh_postgres(url: str) -> str:
    """Drop and recreate every table in the given database so each run starts empty."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return plain.replace("postgresql://", "postgresql+psycopg://")


if __name__ == "__main__":
    main()
