"""Property tests: for generated member profiles, no planted value is ever published."""

from __future__ import annotations

import json
from typing import Any

import stix2
import stix2validator
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hub.sanitize import Policy, sanitize
from tests.hub.sanitize_corpus import (
    ATTACKER,
    HUB,
    SECRET,
    SECTOR,
    Planted,
    build_submission,
    default_planted,
    leaks,
)

settings.register_profile(
    "sanitize",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
SETTINGS = settings.get_profile("sanitize")

# Everything a clean output contains besides planted values: attacker data, keys, tokens,
# the words of the report, under every policy the tests use.
_POLICIES = [
    Policy(email_headers=h, custom_properties=c, custom_objects=c)  # type: ignore[arg-type]
    for h in ("redact", "keep", "drop")
    for c in ("drop", "keep")
]
_clean = [
    sanitize(
        build_submission(default_planted()),
        default_planted().profile(),
        policy,
        secret=SECRET,
        hub_identity=HUB,
        sector=SECTOR,
    )
    for policy in _POLICIES
]
BOILERPLATE = (
    "".join(
        json.dumps(r.objects, ensure_ascii=False)
        + json.dumps(r.report.to_json(), ensure_ascii=False)
        for r in _clean
    )
    + json.dumps(ATTACKER)
).lower()

word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=7, max_size=10)
kanji = st.text(
    alphabet="雲取重工業電機製作所商事化学鉄鋼海運銀行証券山川田中北南東西光精密",
    min_size=3,
    max_size=6,
)
katakana = st.text(
    alphabet="アイウエオカキクケコサシスセソタチツテトナニヌネノ"
    "ハヒフヘホマミムメモヤユヨラリルレロワン",
    min_size=4,
    max_size=7,
)
octet = st.integers(min_value=100, max_value=250)


def fresh(value: str) -> str:
    assume(value.lower() not in BOILERPLATE)
    return value


@st.composite
def planted(draw: st.DrawFn) -> Planted:
    w = [fresh(draw(word)) for _ in range(8)]
    assume(len(set(w)) == len(w))
    first = draw(st.sampled_from([133, 150, 153, 160, 202, 210]))
    b, c, d = draw(octet), draw(octet), draw(octet)
    private = draw(
        st.sampled_from([f"10.{b}.{c}.{d}", f"192.168.{c}.{d}", f"172.{16 + b % 16}.{c}.{d}"])
    )
    prefix = fresh(w[5][:5])
    fresh(w[4][:8])
    fresh(w[7][:5])
    jp = fresh(draw(st.one_of(kanji, katakana)))
    return Planted(
        name=f"{w[0].capitalize()} {w[1].capitalize()}",
        jp_name=jp,
        domain=f"{w[2]}.{draw(st.sampled_from(['co.jp', 'com', 'jp', 'ne.jp']))}",
        email_domain=f"mail.{w[3]}.jp",
        cidr=f"{first}.{b}.{c}.0/24",
        member_ip=f"{first}.{b}.{c}.{d}",
        private_ip=private,
        ad_domain=w[4][:8].upper(),
        host_prefix=prefix,
        host=f"{prefix}-{draw(st.integers(10000, 99999))}",
        username=w[6],
        term=f"Project {w[7].capitalize()}",
        phone=f"0{draw(st.integers(3, 9))}-{draw(st.integers(1000, 9999))}-"
        f"{draw(st.integers(1000, 9999))}",
        person=f"{w[1].capitalize()} {w[7][:5].capitalize()}",
    )


def run(p: Planted, policy: Policy | None = None) -> Any:
    return sanitize(
        build_submission(p),
        p.profile(),
        policy or Policy(),
        secret=SECRET,
        hub_identity=HUB,
        sector=SECTOR,
    )


@SETTINGS
@given(planted(), st.sampled_from(["redact", "keep", "drop"]), st.sampled_from(["drop", "keep"]))
def test_no_planted_value_survives(p: Planted, headers: str, custom: str) -> None:
    policy = Policy(
        email_headers=headers,
        custom_properties=custom,  # type: ignore[arg-type]
        custom_objects=custom,
    )  # type: ignore[arg-type]
    result = run(p, policy)
    assert leaks(p.secrets(), result.objects) == []
    assert leaks(p.secrets(), result.report.to_json()) == []
    blob = json.dumps(result.objects)
    assert ATTACKER["ips"][0] in blob and ATTACKER["domains"][0] in blob
    assert ATTACKER["hashes"][0] in blob and ATTACKER["attack_ids"][0] in blob


@settings(SETTINGS, max_examples=8)
@given(planted())
def test_generated_output_valid_and_idempotent(p: Planted) -> None:
    result = run(p)
    stix2.parse(
        {
            "type": "bundle",
            "id": "bundle--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0062",
            "objects": result.objects,
        },
        allow_custom=False,
    )
    options = stix2validator.ValidationOptions(version="2.1")
    for o in result.objects:
        outcome = stix2validator.validate_instance(o, options)
        assert outcome.is_valid, [str(e) for e in outcome.errors]
    again = sanitize(
        result.objects, p.profile(), Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR
    )
    assert again.objects == result.objects
