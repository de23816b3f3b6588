"""Sanitizer throughput on one core.

Run: .venv/bin/python -m bench.sanitize
Prints one JSON line per bundle: objects, seconds, objects per second.
"""

from __future__ import annotations

import ipaddress
import json
import time
from typing import Any

from hub.sanitize import MemberProfile, Policy, SectorRef, sanitize

HUB = {
    "type": "identity",
    "spec_version": "2.1",
    "id": "identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
    "created": "2024-01-01T00:00:00.000Z",
    "modified": "2024-01-01T00:00:00.000Z",
    "name": "Mamori Hub",
    "identity_class": "organization",
}
PROFILE = MemberProfile(
    member_key="bench",
    names=("Kumotori Heavy Industries", "雲取重工業"),
    dns_domains=("kumotori-hi.co.jp",),
    email_domains=("mail.kumotori-hi.jp",),
    ip_ranges=(ipaddress.ip_network("133.242.10.0/24"),),
    ad_domains=("KMTRCORP",),
    hostname_patterns=("kmtws-*",),
    terms=("Project Hoshizora",),
)
T = "2024-03-05T10:17:23.456Z"
ME = "identity--00000000-0000-4000-8000-000000000001"


def _id(t: str, n: int) -> str:
    return f"{t}--11111111-2222-4333-8444-{n:012d}"


def indicator_bundle(n: int = 1000) -> list[dict[str, Any]]:
    """n indicators on attacker infrastructure (every tenth also names a victim host)."""
    base = {"spec_version": "2.1", "created": T, "modified": T, "created_by_ref": ME}
    objs: list[dict[str, Any]] = [
        {
            **base,
            "type": "identity",
            "id": ME,
            "name": "Kumotori Heavy Industries",
            "identity_class": "organization",
        },
        {
            **base,
            "type": "malware",
            "id": _id("malware", 1),
            "name": "PlugX",
            "is_family": True,
            "description": "Loader used against the sector, C2 over HTTPS.",
        },
    ]
    for i in range(n):
        ip = f"45.{i // 250 % 250}.{i % 250}.9"
        pattern = f"[ipv4-addr:value = '{ip}' OR domain-name:value = 'c{i}.evil-cdn.top']"
        if i % 10 == 0:
            pattern = pattern[:-1] + f" OR domain-name:value = 'kmtws-{i}.kumotori-hi.co.jp']"
        objs.append(
            {
                **base,
                "type": "indicator",
                "id": _id("indicator", i),
                "valid_from": T,
                "name": f"C2 {i}",
                "pattern_type": "stix",
                "pattern": pattern,
                "description": f"Beacon to {ip} seen by the SOC.",
            }
        )
        objs.append(
            {
                **base,
                "type": "relationship",
                "id": _id("relationship", i),
                "relationship_type": "indicates",
                "source_ref": _id("indicator", i),
                "target_ref": _id("malware", 1),
            }
        )
    return objs


def email_bundle(n: int = 250) -> list[dict[str, Any]]:
    """n phishing mails to internal recipients, each with an attachment artifact and file."""
    sco = {"spec_version": "2.1"}
    objs: list[dict[str, Any]] = []
    refs = []
    for i in range(n):
        sender, rcpt, art, f, mail = (
            _id("email-addr", 2 * i),
            _id("email-addr", 2 * i + 1),
            _id("artifact", i),
            _id("file", i),
            _id("email-message", i),
        )
        objs += [
            {**sco, "type": "email-addr", "id": sender, "value": f"hr{i}@phishbank.xyz"},
            {**sco, "type": "email-addr", "id": rcpt, "value": f"u{i}@mail.kumotori-hi.jp"},
            {
                **sco,
                "type": "artifact",
                "id": art,
                "payload_bin": "aGVsbG8=",
                "hashes": {"SHA-256": f"{i:064x}"},
            },
            {
                **sco,
                "type": "file",
                "id": f,
                "name": f"invoice{i}.xlsm",
                "hashes": {"SHA-256": f"{i + 1:064x}"},
            },
            {
                **sco,
                "type": "email-message",
                "id": mail,
                "is_multipart": True,
                "from_ref": sender,
                "to_refs": [rcpt],
                "subject": f"Invoice {i}",
                "received_lines": [
                    f"from kmtws-{i}.kumotori-hi.co.jp (10.1.2.{i % 250})",
                    f"from mx.phishbank.xyz (185.220.101.{i % 250})",
                ],
                "body_multipart": [
                    {"content_type": "text/plain", "body": "Please see attached."},
                    {"content_type": "application/zip", "body_raw_ref": art},
                ],
            },
        ]
        refs += [mail, f]
    objs.append(
        {
            "type": "observed-data",
            "spec_version": "2.1",
            "id": _id("observed-data", 1),
            "created": T,
            "modified": T,
            "first_observed": T,
            "last_observed": T,
            "number_observed": 1,
            "object_refs": refs,
        }
    )
    return objs


def measure(name: str, objs: list[dict[str, Any]], rounds: int = 3) -> dict[str, Any]:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        sanitize(
            objs,
            PROFILE,
            Policy(),
            secret=b"bench-secret",
            hub_identity=HUB,
            sector=SectorRef("energy", "Energy"),
        )
        best = min(best, time.perf_counter() - start)
    return {
        "bench": f"sanitize.{name}",
        "objects": len(objs),
        "seconds": round(best, 4),
        "objects_per_second": round(len(objs) / best),
    }


def main() -> None:
    for name, objs in (("indicators", indicator_bundle()), ("email", email_bundle())):
        print(json.dumps(measure(name, objs)))


if __name__ == "__main__":
    main()
