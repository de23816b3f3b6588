"""Every member is protected in every submission: a partner's assets, in every channel."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from typing import Any

import stix2
from hypothesis import given
from hypothesis import strategies as st

from hub.sanitize import MemberProfile, Policy, sanitize
from tests.hub.sanitize_corpus import (
    ATTACKER,
    HUB,
    SECRET,
    SECTOR,
    Planted,
    T,
    build_submission,
    default_planted,
    leaks,
    oid,
    sid,
)
from tests.hub.test_sanitize_leaks import SETTINGS, fresh, planted, word


@dataclass(frozen=True)
class Partner:
    """Another member: its registered values, new kinds included, and its people."""

    base: Planted
    site: str
    group: str
    team: str
    case: str

    def profile(self) -> MemberProfile:
        p = self.base.profile()
        return MemberProfile(
            member_key="member-2",
            names=p.names,
            dns_domains=p.dns_domains,
            email_domains=p.email_domains,
            ip_ranges=p.ip_ranges,
            ad_domains=p.ad_domains,
            hostname_patterns=p.hostname_patterns,
            terms=p.terms,
            sites=(self.site,),
            group_companies=(self.group,),
            teams=(self.team,),
            id_formats=(f"{self.team}-####-####",),
        )

    def secrets(self) -> list[str]:
        b = self.base
        return [
            b.name,
            b.jp_name,
            b.domain,
            b.email_domain,
            b.member_ip,
            b.ad_domain,
            b.host,
            b.term,
            self.site,
            self.group,
            self.team,
            self.case,
            f"soc@{b.email_domain}",
        ]


@st.composite
def partners(draw: st.DrawFn) -> Partner:
    base = draw(planted())
    w = [fresh(draw(word)) for _ in range(3)]
    team = fresh(w[2][:5]).upper()
    return Partner(
        base,
        site=f"{w[0].capitalize()} Works",
        group=f"{w[1].capitalize()} Trading",
        team=f"{team}-CSIRT",
        case=f"{team}-CSIRT-{draw(st.integers(2000, 2030))}-{draw(st.integers(0, 9999)):04d}",
    )


def partner_objects(b: Partner) -> list[dict[str, Any]]:
    """A partner member's phishing mail forwarded into the submitter's report."""
    p = b.base
    sdo = {"spec_version": "2.1", "created": T, "modified": T, "created_by_ref": sid(1)}
    sco = {"spec_version": "2.1"}
    text = (
        f"Forwarded by {p.name} ({p.jp_name}), a group company of {b.group}: the same "
        f"lure reached {p.host}.{p.domain} and soc@{p.email_domain} from {p.member_ip}; "
        f"their {b.team} tracks it as {b.case} for the {b.site}. {p.ad_domain}\\svc01, "
        f"{p.term}. Attacker C2 {ATTACKER['ips'][1]} / {ATTACKER['domains'][1]}."
    )
    return [
        {
            **sdo,
            "type": "identity",
            "id": sid(50),
            "name": p.name,
            "identity_class": "organization",
            "contact_information": f"soc@{p.email_domain}",
        },
        {
            **sdo,
            "type": "identity",
            "id": sid(51),
            "name": b.group,
            "identity_class": "organization",
        },
        {
            **sdo,
            "type": "report",
            "id": oid("report", 50),
            "name": f"Partner {b.case}",
            "published": T,
            "description": text,
            "object_refs": [oid("indicator", 50), sid(50), oid("observed-data", 50)],
        },
        {
            **sdo,
            "type": "indicator",
            "id": oid("indicator", 50),
            "valid_from": T,
            "pattern_type": "stix",
            "description": text,
            "pattern": (
                f"[domain-name:value = '{ATTACKER['domains'][1]}'] OR "
                f"[domain-name:value = '{p.host}.{p.domain}'] OR "
                f"[ipv4-addr:value = '{p.member_ip}']"
            ),
        },
        {
            **sdo,
            "type": "relationship",
            "id": oid("relationship", 50),
            "relationship_type": "targets",
            "source_ref": oid("indicator", 50),
            "target_ref": sid(50),
        },
        {
            **sco,
            "type": "email-addr",
            "id": oid("email-addr", 50),
            "value": f"soc@{p.email_domain}",
            "display_name": f"{b.team}",
        },
        {**sco, "type": "domain-name", "id": oid("domain-name", 50), "value": f"mx.{p.domain}"},
        {**sco, "type": "ipv4-addr", "id": oid("ipv4-addr", 50), "value": p.member_ip},
        {
            **sco,
            "type": "email-message",
            "id": oid("email-message", 50),
            "is_multipart": False,
            "to_refs": [oid("email-addr", 50)],
            "subject": f"[{b.case}] {b.site} invoice",
            "body": text,
        },
        {
            **sdo,
            "type": "observed-data",
            "id": oid("observed-data", 50),
            "first_observed": T,
            "last_observed": T,
            "number_observed": 1,
            "object_refs": [oid("email-message", 50), oid("domain-name", 50), oid("ipv4-addr", 50)],
        },
    ]


def run(b: Partner, policy: Policy | None = None, *, keep: tuple[str, ...] = ()) -> Any:
    me = default_planted()
    profile = me.profile()
    if keep:
        profile = MemberProfile(**{**profile.__dict__, "keep_values": keep})
    objs = build_submission(me) + partner_objects(b)
    return sanitize(
        objs,
        profile,
        policy or Policy(),
        secret=SECRET,
        hub_identity=HUB,
        sector=SECTOR,
        others=[b.profile()],
    )


def example_partner() -> Partner:
    base = Planted(
        name="Setouchi Electric Power",
        jp_name="瀬戸内電力",
        domain="setouchi-ep.co.jp",
        email_domain="mail.setouchi-ep.jp",
        cidr="150.95.20.0/24",
        member_ip="150.95.20.31",
        private_ip="172.20.4.9",
        ad_domain="SEPCORP",
        host_prefix="sepws",
        host="sepws-20931",
        username="mkawai",
        term="Project Seto",
        phone="086-441-2211",
        person="Minoru Kawai",
    )
    return Partner(
        base,
        site="Tamashima Works",
        group="Seto Trading",
        team="SEPCO-CSIRT",
        case="SEPCO-CSIRT-2024-0113",
    )


def test_a_partner_members_assets_never_reach_a_reader() -> None:
    b = example_partner()
    result = run(b)
    assert leaks(b.secrets(), result.objects) == []
    assert leaks(b.secrets(), result.report.to_json()) == []
    blob = json.dumps(result.objects)
    assert ATTACKER["ips"][1] in blob and ATTACKER["domains"][1] in blob
    stix2.parse(
        {
            "type": "bundle",
            "id": "bundle--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0062",
            "objects": result.objects,
        },
        allow_custom=False,
    )


def test_a_partners_identity_goes_as_the_submitters_does() -> None:
    b = example_partner()
    result = run(b)
    identities = [o for o in result.objects if o["type"] == "identity"]
    assert {o["name"] for o in identities} <= {"Mamori Hub", SECTOR.name}
    # The same rule and token as for the submitter: nothing says which member it was.
    rules = {c.rule for c in result.report.changes}
    assert "member-identity" in rules
    assert "[REDACTED:member-name]" in json.dumps(result.objects)


def test_without_the_registry_of_others_the_partner_would_leak() -> None:
    b = example_partner()
    me = default_planted()
    objs = build_submission(me) + partner_objects(b)
    alone = sanitize(objs, me.profile(), Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR)
    assert b.base.name in json.dumps(alone.objects)


def test_an_operator_confirmed_attacker_value_still_wins() -> None:
    b = example_partner()
    result = run(b, keep=(f"mx.{b.base.domain}",))
    values = [o.get("value") for o in result.objects if o["type"] == "domain-name"]
    assert f"mx.{b.base.domain}" in values


def test_the_submitters_key_alone_mints_ids() -> None:
    b = example_partner()
    one = run(b)
    other = Partner(b.base, b.site, b.group, "ZZTOP-CSIRT", "ZZTOP-CSIRT-2024-0001")
    two = run(other)
    ids_one = {o["id"] for o in one.objects if o["type"] == "malware"}
    ids_two = {o["id"] for o in two.objects if o["type"] == "malware"}
    assert ids_one == ids_two


@SETTINGS
@given(partners(), st.sampled_from(["redact", "keep", "drop"]))
def test_no_partner_value_survives(b: Partner, headers: str) -> None:
    result = run(b, Policy(email_headers=headers))  # type: ignore[arg-type]
    assert leaks(b.secrets(), result.objects) == []
    assert leaks(b.secrets(), result.report.to_json()) == []
    assert leaks(default_planted().secrets(), result.objects) == []
    blob = json.dumps(result.objects)
    assert ATTACKER["ips"][0] in blob and ATTACKER["domains"][1] in blob


def test_profiles_join_without_duplicates_and_keep_the_submitters_key() -> None:
    a = MemberProfile(
        member_key="a",
        names=("A Corp",),
        ip_ranges=(ipaddress.ip_network("10.0.0.0/8"),),
        keep_values=("x.example",),
    )
    b = MemberProfile(
        member_key="b", names=("A Corp", "B Corp"), sites=("B Works",), keep_values=("y.example",)
    )
    joined = a.with_others([b, a])
    assert joined.member_key == "a" and joined.names == ("A Corp", "B Corp")
    assert joined.sites == ("B Works",) and joined.keep_values == ("x.example",)
    assert a.with_others([]) is a
