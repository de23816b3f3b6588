"""Soak: 50 concurrent TAXII pollers and steady ingest against a real hub, for a minute.

    python -m bench.soak                                    # SQLite, one worker, 60 s
    python -m bench.soak --postgres postgresql://127.0.0.1:5432/test --workers 2

Starts `mamori serve` (uvicorn on 127.0.0.1) on a fresh database (with --postgres, a new
database on that server, dropped afterwards), publishes a few hundred objects to the energy
sector, then for --seconds runs at once: --pollers TAXII readers paging the sector's
collection, one submission every --interval seconds from the demo's submitters in turn, a
/healthz probe every 100 ms, and, a third of the way in, one big submission (--big-mb MB)
that must not hold anything up. Prints one JSON object: errors (target 0), poll p50/p99,
how long each submission waited from its receipt to review (server clock, the newest one
named, target under 2 s), and /healthz latency while the big submission was processed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bench.ingest import _sdo, bundle
from bench.server import BenchHub

TAXII = {"Accept": "application/taxii+json;version=2.1"}
STIX = {"Content-Type": "application/stix+json;version=2.1"}
TERMINAL = {"in_review", "failed", "rejected"}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def big_bundle(megabytes: float, rng: random.Random) -> bytes:
    """About ``megabytes`` MB of indicators, each with a 2 KB description."""
    filler = "Observed beaconing to infrastructure shared with earlier campaigns. " * 30
    objects: list[dict[str, Any]] = []
    body = b""
    step = 500
    while len(body) < megabytes * 1_000_000:
        for _ in range(step):
            address = f"198.51.{rng.randrange(256)}.{rng.randrange(256)}"
            objects.append(
                _sdo(
                    "indicator",
                    name="big report",
                    description=filler,
                    pattern=f"[ipv4-addr:value = '{address}']",
                    pattern_type="stix",
                    valid_from="2026-11-20T09:00:00Z",
                )
            )
        doc = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
        body = json.dumps(doc).encode()
    return body


def _cpu_seconds(root: int) -> float:
    """CPU time (user + system) of ``root`` and every process under it, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    tree, grew = {root}, True
    while grew:
        grown = tree | {pid for pid, (parent, _) in stats.items() if parent in tree}
        grew, tree = grown != tree, grown
    return sum(stats[pid][1] for pid in tree if pid in stats)


@dataclass
class Figures:
    errors: Counter[str] = field(default_factory=Counter)
    polls: list[float] = field(default_factory=list)
    health: list[tuple[float, float]] = field(default_factory=list)  # (monotonic, seconds)
    posted: list[tuple[str, str]] = field(default_factory=list)  # (submission id, key)
    big: dict[str, Any] = field(default_factory=dict)


async def _wait_for(
    client: httpx.AsyncClient, sid: str, key: str, limit: float = 300
) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    while True:
        r = await client.get(f"/api/v1/submissions/{sid}", headers=auth(key))
        detail: dict[str, Any] = r.json()
        if detail.get("state") in TERMINAL or time.monotonic() > deadline:
            return detail
        await asyncio.sleep(0.2)


async def _publish_seed(client: httpx.AsyncClient, hub: BenchHub, bundles: int) -> None:
    """Reports taken through review and consent, so the pollers read real published objects."""
    submitter, operator = hub.key("submitter", "kansai-grid"), hub.key("operator")
    rng = random.Random(1)
    for _ in range(bundles):
        body = json.dumps(bundle(rng, indicators=30)).encode()
        r = await client.post("/api/v1/submissions", content=body, headers=auth(submitter) | STIX)
        r.raise_for_status()
        sid = r.json()["id"]
        detail = await _wait_for(client, sid, submitter)
        if detail["state"] != "in_review":
            raise RuntimeError(f"seed submission ended {detail['state']}")
        r = await client.post(
            f"/api/v1/review/submissions/{sid}/approve",
            json={"scope": {"breadth": "sector"}},
            headers=auth(operator),
        )
        r.raise_for_status()
        r = await client.post(
            f"/api/v1/submissions/{sid}/consent",
            json={"decision": "approve"},
            headers=auth(submitter),
        )
        r.raise_for_status()


async def _poller(
    client: httpx.AsyncClient, url: str, key: str, until: float, seed: int, figures: Figures
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        params = {"limit": "100"}
        if rng.random() < 0.5:
            params["added_after"] = "2026-01-01T00:00:00Z"
            params["limit"] = "20"
        began = time.monotonic()
        try:
            r = await client.get(url, params=params, headers=auth(key) | TAXII)
        except httpx.HTTPError as exc:
            figures.errors[f"poll {type(exc).__name__}"] += 1
            continue
        if r.status_code != 200:
            figures.errors[f"poll {r.status_code}"] += 1
            continue
        figures.polls.append(time.monotonic() - began)


async def _ingest(
    client: httpx.AsyncClient, keys: list[str], until: float, interval: float, figures: Figures
) -> None:
    rng = random.Random(2)
    n = 0
    while time.monotonic() < until:
        key = keys[n % len(keys)]
        n += 1
        body = json.dumps(bundle(rng, indicators=20)).encode()
        try:
            r = await client.post("/api/v1/submissions", content=body, headers=auth(key) | STIX)
        except httpx.HTTPError as exc:
            figures.errors[f"post {type(exc).__name__}"] += 1
        else:
            if r.status_code == 202:
                figures.posted.append((r.json()["id"], key))
            else:
                figures.errors[f"post {r.status_code}"] += 1
        await asyncio.sleep(interval)


async def _health(client: httpx.AsyncClient, until: float, figures: Figures) -> None:
    while time.monotonic() < until:
        began = time.monotonic()
        try:
            r = await client.get("/healthz")
            if r.status_code != 200:
                figures.errors[f"healthz {r.status_code}"] += 1
        except httpx.HTTPError as exc:
            figures.errors[f"healthz {type(exc).__name__}"] += 1
        figures.health.append((began, time.monotonic() - began))
        await asyncio.sleep(0.1)


async def _big(
    client: httpx.AsyncClient, key: str, after: float, megabytes: float, figures: Figures
) -> None:
    body = await asyncio.to_thread(big_bundle, megabytes, random.Random(3))
    await asyncio.sleep(after)
    started = time.monotonic()
    r = await client.post("/api/v1/submissions", content=body, headers=auth(key) | STIX)
    if r.status_code != 202:
        figures.errors[f"big post {r.status_code}"] += 1
        return
    sid = r.json()["id"]
    # Its state from the member's list (summaries): a detail carries thousands of verdicts,
    # and fetching it over and over would be load of the bench's own making.
    deadline = time.monotonic() + 600
    state = None
    while time.monotonic() < deadline:
        listed = await client.get("/api/v1/submissions", params={"limit": 100}, headers=auth(key))
        items = listed.json().get("items", [])
        state = next((i["state"] for i in items if i["id"] == sid), None)
        if state in TERMINAL:
            break
        await asyncio.sleep(0.5)
    figures.big = {"bytes": len(body), "window": (started, time.monotonic()), "sid": sid}


def _waits(details: list[dict[str, Any]]) -> list[float]:
    out = []
    for d in details:
        reached = [e["at"] for e in d.get("events", []) if e["to_state"] == "in_review"]
        if reached:
            out.append((_at(reached[0]) - _at(d["received_at"])).total_seconds())
    return out


async def soak(hub: BenchHub, args: argparse.Namespace) -> dict[str, Any]:
    # Idle connections are dropped before uvicorn's 5 s keep-alive ends: with equal timeouts a
    # request may go out on a connection the server is closing (a client-side race).
    limits = httpx.Limits(
        keepalive_expiry=2.0,
        max_connections=args.pollers + 10,
        max_keepalive_connections=args.pollers + 10,
    )
    async with httpx.AsyncClient(base_url=hub.url, timeout=120, limits=limits) as client:
        await _publish_seed(client, hub, args.seed_bundles)
        readers = [hub.key("reader", "tohoku-gas"), hub.key("reader", "kansai-grid")]
        # The sector's collection, as the demo tells its readers to poll it.
        command = next(v for k, v in hub.seeded["commands"].items() if "TAXII" in k)
        found = re.search(r"(/taxii2/\S+?/objects/)", command)
        if found is None:
            raise RuntimeError("the demo names no TAXII collection")
        url = found.group(1)
        submitters = [hub.key("submitter", m) for m in ("kansai-grid", "tohoku-gas", "nishi-heavy")]
        figures = Figures()
        assert hub.proc is not None
        cpu_before = _cpu_seconds(hub.proc.pid)
        big_key = submitters[2] if args.big_mb > 0 else None
        until = time.monotonic() + args.seconds
        tasks = [
            _poller(client, url, readers[i % 2], until, i, figures) for i in range(args.pollers)
        ]
        tasks.append(_ingest(client, submitters, until, args.interval, figures))
        tasks.append(_health(client, until, figures))
        if args.big_mb > 0:
            tasks.append(_big(client, submitters[2], args.seconds / 3, args.big_mb, figures))
        await asyncio.gather(*tasks)
        cpu = _cpu_seconds(hub.proc.pid) - cpu_before
        details = [await _wait_for(client, sid, key) for sid, key in figures.posted]
        big_detail = None
        if figures.big:
            big_detail = await _wait_for(client, figures.big["sid"], submitters[2])

    states = Counter(d.get("state") for d in details)
    waits = _waits(details)
    # The big report's member waits behind it by design (a member never holds every worker);
    # everyone else must not.
    others = _waits(
        [d for d, (_, key) in zip(details, figures.posted, strict=True) if key != big_key]
    )
    health = [s for _, s in figures.health]
    result: dict[str, Any] = {
        "bench": "soak",
        "backend": "postgresql" if args.postgres else "sqlite",
        "workers": args.workers,
        "seconds": args.seconds,
        "pollers": args.pollers,
        "errors": sum(figures.errors.values()),
        "error_kinds": dict(figures.errors),
        "polls": len(figures.polls),
        "polls_per_s": round(len(figures.polls) / args.seconds, 1),
        "poll_p50_ms": quantile(figures.polls, 0.5),
        "poll_p99_ms": quantile(figures.polls, 0.99),
        "submissions": len(details),
        "submission_states": dict(states),
        "review_wait_p50_ms": quantile(waits, 0.5),
        "review_wait_p99_ms": quantile(waits, 0.99),
        "review_wait_max_ms": quantile(waits, 1.0),
        "newest_review_wait_ms": round(1000 * waits[-1], 1) if waits else None,
        "other_members_review_wait_p50_ms": quantile(others, 0.5),
        "other_members_review_wait_p99_ms": quantile(others, 0.99),
        "other_members_review_wait_max_ms": quantile(others, 1.0),
        # What the hub's processes got of the machine: on a shared box, the context for all
        # of the latencies above (2.0 would be both cores).
        "hub_cpu_cores_used": round(cpu / args.seconds, 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "healthz_p50_ms": quantile(health, 0.5),
        "healthz_p99_ms": quantile(health, 0.99),
        "healthz_max_ms": quantile(health, 1.0),
    }
    if figures.big and big_detail is not None:
        start, end = figures.big["window"]
        during = [s for t, s in figures.health if start <= t <= end]
        big_wait = _waits([big_detail])
        result |= {
            "big_bytes": figures.big["bytes"],
            "big_objects": big_detail.get("object_count"),
            "big_state": big_detail.get("state"),
            "big_review_wait_ms": round(1000 * big_wait[0], 1) if big_wait else None,
            "healthz_during_big_samples": len(during),
            "healthz_during_big_max_ms": quantile(during, 1.0),
            "healthz_during_big_p99_ms": quantile(during, 0.99),
        }
    return result


@contextmanager
def fresh_postgres(url: str) -> Iterator[str]:
    """A new database on the server of ``url``, dropped afterwards."""
    import psycopg

    plain = re.sub(r"^postgres(?:ql)?(?:\+psycopg)?://", "postgresql://", url)
    name = f"mamori_soak_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield plain.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL server (a database is made)"
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pollers", type=int, default=50)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between submissions")
    parser.add_argument("--seed-bundles", type=int, default=10, help="reports published first")
    parser.add_argument("--big-mb", type=float, default=7.9, help="0: no big submission")
    args = parser.parse_args(argv)

    @contextmanager
    def database() -> Iterator[str | None]:
        if args.postgres is None:
            yield None
        else:
            with fresh_postgres(args.postgres) as url:
                yield url

    with database() as url:
        hub = BenchHub(url, workers=args.workers)
        # The soak measures the hub, not its rate limiter: every client here is 127.0.0.1.
        hub.env |= {
            "MAMORI_RATE_LIMIT_PER_CLIENT": "100000000/minute",
            "MAMORI_RATE_LIMIT_PER_KEY": "100000000/minute",
            "MAMORI_MAX_OBJECTS": "20000",
        }
        with hub:
            result = asyncio.run(soak(hub, args))
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
