"""Free-text redactors on adversarial input: every expression must be linear.

Run: .venv/bin/python -m bench.redact [--sizes 100000,1000000]
Prints one JSON line per (input, redactor, size): seconds and characters per second. A
linear redactor takes about ten times as long on 1 MB as on 100 KB; a quadratic one a
hundred times (the e-mail expression of old took hours on 1 MB).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import time
from collections.abc import Callable
from typing import Any

from hub.sanitize import people, vocabulary
from hub.sanitize.matchers import registry
from hub.sanitize.people import PeopleRedactor
from hub.sanitize.profile import MemberProfile
from hub.sanitize.text import TextRedactor

PROFILE = MemberProfile(
    member_key="bench",
    names=("Kumotori Heavy Industries", "雲取重工業株式会社", "Setouchi Power Co., Ltd."),
    dns_domains=("kumotori-hi.co.jp", "setouchi-power.co.jp"),
    email_domains=("mail.kumotori-hi.jp",),
    ip_ranges=(ipaddress.ip_network("133.242.10.0/24"),),
    ad_domains=("KMTRCORP", "corp.kumotori-hi.co.jp"),
    hostname_patterns=("kmtws-*", "abc-ws-[0-9][0-9][0-9]", "*-dc-??"),
    terms=("Project Hoshizora",),
    sites=("Mizushima Works", "水島製作所"),
    group_companies=("Kumotori Logistics",),
    teams=("KHI-CSIRT",),
    id_formats=("KHI-CSIRT-####-####", "INC-#*", "*-case-#"),
)

# Runs that make a backtracking expression quadratic: word characters, dots, at-signs,
# "a-", spaces, label runs, slashes, back-slashes, digits, defanged dots, capitalised words.
UNITS = {
    "word": "a",
    "dots": ".",
    "at": "@",
    "a-dash": "a-",
    "spaces": " ",
    "labels": "a.",
    "at-labels": "a@a.",
    "slashes": "/",
    "backslashes": "\\",
    "users": "/users/",
    "digits": "1 ",
    "dotted-digits": "1.",
    "defanged": "[.]",
    "percent40": "%40",
    "capitals": "Mizushima ",
    "csirt": "KHI-CSIRT-",
    "host": "kmtws-",
    "kanji": "工場",
}


def adversarial(unit: str, size: int) -> str:
    """unit repeated to size characters."""
    return (unit * (size // len(unit) + 1))[:size]


def redactors() -> dict[str, Callable[[str], Any]]:
    """Every public free-text redactor of the sanitizer, fully configured."""
    text = TextRedactor(PROFILE)
    learned = vocabulary.Vocabulary()
    for rule, value in (
        ("learned-site", "Kurashiki Works"),
        ("learned-place", "Kurashiki"),
        ("team-name", "KMT-SOC"),
        ("learned-project", "Hoshizora"),
    ):
        learned.add(rule, value)
    text.learn(learned.matchers(), vocabulary.id_shapes())
    person = PeopleRedactor({"hsatoyama", "satoyama", "hideo satoyama", "里山"})
    names = registry(PROFILE).names

    def learn(s: str) -> Any:
        return vocabulary.learn([{"type": "note", "id": "note--1", "content": s}], (), names)

    return {
        "text.find": text.find,
        "people.find": person.find,
        "people.cue_names": lambda s: people.cue_names(s, PROFILE.email_domains),
        "vocabulary.learn": learn,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for name, fn in redactors().items():
        for label, unit in UNITS.items():
            for size in sizes:
                value = adversarial(unit, size)
                start = time.perf_counter()
                fn(value)
                seconds = time.perf_counter() - start
                print(
                    json.dumps(
                        {
                            "bench": f"redact.{name}",
                            "input": label,
                            "chars": size,
                            "seconds": round(seconds, 4),
                            "chars_per_second": int(size / max(seconds, 1e-9)),
                        }
                    )
                )


if __name__ == "__main__":
    main()
