"""Ingest benchmark: STIX bundles posted over HTTP, measured until stored and until processed.

    python -m bench.ingest                      # 10,000 objects into a fresh SQLite hub
    python -m bench.ingest --postgres postgresql://127.0.0.1:5432/bench_db
    python -m bench.ingest --url http://127.0.0.1:8000 --key mk_… --objects 2000

Each bundle holds 100 indicators with STIX patterns plus related malware, attack patterns
and relationships (every value distinct, so nothing is served from a cache). Prints one
JSON line per figure: objects/s received (202 back, body stored), objects/s validated
(every submission past validation) and objects/s processed (validated and sanitized,
waiting for review), all measured from the first request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from typing import Any

import httpx

from bench.server import BenchHub

STAMP = "2026-11-20T09:00:00.000Z"


def _sdo(kind: str, **props: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid.uuid4()}",
        "created": STAMP,
        "modified": STAMP,
        **props,
    }


def _pattern(rng: random.Random) -> str:
    match rng.randrange(4):
        case 0:
            octets = (
                rng.randrange(1, 223),
                rng.randrange(256),
                rng.randrange(256),
                rng.randrange(1, 255),
            )
            return f"[ipv4-addr:value = '{'.'.join(map(str, octets))}']"
        case 1:
            return f"[domain-name:value = 'c2-{rng.getrandbits(40):x}.example-bad.net']"
        case 2:
            return f"[file:hashes.'SHA-256' = '{rng.getrandbits(256):064x}']"
        case _:
            return (
                f"[url:value = 'https://dl-{rng.getrandbits(32):x}.example-bad.org/a.zip'] "
                f"AND [file:name = 'invoice_{rng.getrandbits(20)}.exe']"
            )


def bundle(rng: random.Random, indicators: int = 100) -> dict[str, Any]:
    malware = [
        _sdo("malware", name=f"family-{rng.getrandbits(24):x}", is_family=True) for _ in range(10)
    ]
    techniques = [
        _sdo(
            "attack-pattern",
            name=f"technique {i}",
            external_references=[
                {"source_name": "mitre-attack", "external_id": f"T{1000 + rng.randrange(600)}"}
            ],
        )
        for i in range(5)
    ]
    objects: list[dict[str, Any]] = [*malware, *techniques]
    for _ in range(indicators):
        ind = _sdo(
            "indicator",
            name="C2 beacon",
            pattern=_pattern(rng),
            pattern_type="stix",
            valid_from=STAMP,
            indicator_types=["malicious-activity"],
        )
        rel = _sdo(
            "relationship",
            relationship_type="indicates",
            source_ref=ind["id"],
            target_ref=rng.choice(malware)["id"],
        )
        objects += [ind, rel]
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}


async def run(url: str, key: str, total: int, clients: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    bodies: list[bytes] = []
    count = 0
    while count < total:
        b = bundle(rng)
        bodies.append(json.dumps(b).encode())
        count += len(b["objects"])
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/stix+json;version=2.1",
    }
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    ids: list[str] = []
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=300) as client:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                r = await client.post("/api/v1/submissions", content=body)
                r.raise_for_status()
                ids.append(r.json()["id"])

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        received = time.perf_counter() - started
        validated_at = processed_at = None
        wanted = set(ids)
        while True:
            # Summaries only (the list endpoint), so polling costs the hub little.
            states: dict[str, str] = {}
            cursor = None
            while True:
                params = {"limit": "500", **({"cursor": cursor} if cursor else {})}
                page = (await client.get("/api/v1/submissions", params=params)).json()
                states.update({s["id"]: s["state"] for s in page["items"] if s["id"] in wanted})
                cursor = page["next"]
                if cursor is None:
                    break
            now = time.perf_counter() - started
            if validated_at is None and all(states.get(i) != "received" for i in ids):
                validated_at = now
            if all(states.get(i) in ("in_review", "rejected", "failed") for i in ids):
                processed_at = now
                break
            await asyncio.sleep(0.1)
        validated_at = validated_at or processed_at
    common = {"objects": count, "bundles": len(bodies), "clients": clients}
    return [
        {
            "figure": "ingest_received_objects_per_s",
            "value": round(count / received),
            **common,
            "seconds": round(received, 3),
        },
        {
            "figure": "ingest_validated_objects_per_s",
            "value": round(count / validated_at),
            **common,
            "seconds": round(validated_at, 3),
        },
        {
            "figure": "ingest_processed_objects_per_s",
            "value": round(count / processed_at),
            **common,
            "seconds": round(processed_at, 3),
        },
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", metavar="URL", help="run the hub on this PostgreSQL")
    parser.add_argument("--url", help="an already running hub instead of a fresh one")
    parser.add_argument("--key", help="submitter key for --url")
    args = parser.parse_args(argv)
    if args.url:
        if not args.key:
            parser.error("--url needs --key")
        results = asyncio.run(run(args.url, args.key, args.objects, args.clients, args.seed))
        backend = "external"
    else:
        with BenchHub(args.postgres) as hub:
            key = hub.key("submitter", "kansai-grid")
            results = asyncio.run(run(hub.url, key, args.objects, args.clients, args.seed))
        backend = "postgresql" if args.postgres else "sqlite"
    for line in results:
        print(json.dumps({"bench": "ingest", "backend": backend, **line}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
