"""YARA and Sigma indicators: validation and sanitizing throughput, and the worst case.

Run: .venv/bin/python -m bench.detection [--rules N]
Prints JSON lines: rules per second through hub.validate and through sanitize(), then the
seconds one source at the size bound takes (validate + rewrite) for each adversarial run.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import time
from typing import Any

from hub.sanitize import MemberProfile, Policy, SectorRef, sanitize
from hub.sanitize.detection import DetectionError, rewrite_sigma, rewrite_yara
from hub.sanitize.detection.common import MAX_SOURCE_BYTES
from hub.validate import check_object
from hub.validate.detection import check_detection

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
    names=("Kumotori Heavy Industries", "KMTR", "雲取重工業"),
    dns_domains=("kumotori-hi.co.jp",),
    email_domains=("kumotori-hi.co.jp",),
    ip_ranges=(ipaddress.ip_network("10.40.0.0/16"),),
    hostname_patterns=("kmtws-*",),
    id_formats=("KMTR-CSIRT-####-####",),
)
T = "2026-11-02T01:02:03.000Z"

YARA_RULE = r"""
// 作成: KMTR-CSIRT 山田
rule KMTR_Loader_{n} : apt kmtr
{{
    meta:
        author = "山田 太郎 <t.yamada@kumotori-hi.co.jp>"
        description = "Loader seen on kmtws-0{n} talking to cdn-{n}.update-check.net"
        case = "KMTR-CSIRT-2026-{n:04d}"
        reference = "https://wiki.kumotori-hi.co.jp/csirt/{n}"
        score = 70
    strings:
        $c2 = "cdn-{n}.update-check.net" ascii wide
        $mutex = "Global\\MTX_{n}"
        $victim = "\\\\kmtws-0{n}\\share" wide
        $mz = {{ 4D 5A 90 00 }}
    condition:
        $mz at 0 and ($c2 or $mutex) and any of ($victim*)
}}
"""
SIGMA_RULE = """\
title: KMTR PowerShell download {n}
id: 0f6a3b1e-8a51-4c36-9f5b-{n:012d}
author: 山田 太郎 (KMTR-CSIRT)
description: Seen on kmtws-0{n}, case KMTR-CSIRT-2026-{n:04d}
references:
  - https://attack.mitre.org/techniques/T1059/001/
  - https://wiki.kumotori-hi.co.jp/csirt/{n}
logsource: {{product: windows, category: process_creation}}
detection:
  sel:
    CommandLine|contains: ['cdn-{n}.update-check.net', '-enc JAB']
  filter_kmtr:
    ComputerName: 'kmtws-0{n}'
  condition: sel and not filter_kmtr
level: high
"""


def _indicators(kind: str, n: int) -> list[dict[str, Any]]:
    template = YARA_RULE if kind == "yara" else SIGMA_RULE
    return [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "created": T,
            "modified": T,
            "id": f"indicator--11111111-2222-4333-8444-{i:012d}",
            "valid_from": T,
            "pattern_type": kind,
            "pattern": template.format(n=i),
        }
        for i in range(n)
    ]


def throughput(kind: str, n: int) -> None:
    objs = _indicators(kind, n)
    check_object(objs[0])  # parsers and tables built outside the timing
    start = time.perf_counter()
    bad = sum(1 for o in objs if check_object(o))
    validate_s = time.perf_counter() - start
    start = time.perf_counter()
    out = sanitize(
        objs,
        PROFILE,
        Policy(),
        secret=b"bench-secret-0123456789abcdef012",
        hub_identity=HUB,
        sector=SectorRef("energy", "Energy"),
    )
    sanitize_s = time.perf_counter() - start
    kept = sum(1 for o in out.objects if o.get("type") == "indicator")
    print(
        json.dumps(
            {
                "bench": f"{kind}-indicators",
                "rules": n,
                "invalid": bad,
                "kept": kept,
                "validate_per_s": round(n / validate_s),
                "sanitize_per_s": round(n / sanitize_s),
            }
        )
    )


RUNS = {
    "word": "a",
    "dots": ".",
    "at": "@",
    "a-": "a-",
    "spaces": " ",
    "crlf": "\r\n",
    "digits": "1",
}
YARA_PLACES = {
    "meta": 'rule a {{ meta: d = "{r}" condition: true }}',
    "hex-jump": "rule a {{ strings: $a = {{ AB [{r}] }} condition: $a }}",
    "regex": "rule a {{ strings: $a = /{r}/ condition: $a }}",
    "comment": "rule a {{ condition: true /*{r}*/ }}",
    "condition": "rule a {{ condition: {r} }}",
}
SIGMA_PLACES = {"title": 'title: "{r}"\n', "plain": "{r}", "flow": "a: [{r}]"}


def worst_case() -> None:
    budget = MAX_SOURCE_BYTES - 100
    for kind, places, rewrite in (
        ("yara", YARA_PLACES, rewrite_yara),
        ("sigma", SIGMA_PLACES, rewrite_sigma),
    ):
        for place, template in places.items():
            worst = ("", 0.0)
            for run, unit in RUNS.items():
                source = template.format(r=unit * (budget // len(unit)))
                start = time.perf_counter()
                if check_detection(kind, source) is None:
                    try:
                        rewrite(source, lambda t: t, hub_author="hub")
                    except DetectionError:
                        pass
                took = time.perf_counter() - start
                worst = max(worst, (run, took), key=lambda w: w[1])
            print(
                json.dumps(
                    {
                        "bench": f"{kind}-adversarial",
                        "place": place,
                        "bytes": budget,
                        "worst_run": worst[0],
                        "seconds": round(worst[1], 3),
                    }
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=200)
    args = parser.parse_args()
    throughput("yara", args.rules)
    throughput("sigma", args.rules)
    worst_case()


if __name__ == "__main__":
    main()
