"""A realistic phishing report: the member's people are learned from the report itself and
cleared from free text; the attacker's infrastructure, including the first mail hop, stays."""

from __future__ import annotations

import ipaddress
import json

import orjson
import stix2
from stix2validator import ValidationOptions, validate_instance

from hub.sanitize import MemberProfile, Policy, SectorRef, sanitize
from hub.sanitize.people import PeopleRedactor, _parts, cue_names, learn
from hub.stix.identity import hub_identity

T = "2026-11-20T01:00:00.000Z"


def o(t, i, **k):
    d = {"type": t, "spec_version": "2.1", "id": f"{t}--{i}", "created": T, "modified": T}
    d.update(k)
    return d


def sco(t, i, **k):
    d = {"type": t, "spec_version": "2.1", "id": f"{t}--{i}"}
    d.update(k)
    return d


ME = "identity--11111111-1111-4111-8111-111111111111"
objs = [
    o(
        "identity",
        "11111111-1111-4111-8111-111111111111",
        name="Kansai Grid Power CSIRT",
        identity_class="organization",
        contact_information="csirt@kansai-grid.example.jp, +81-6-1234-5678",
    ),
    sco(
        "email-addr",
        "22222222-2222-4222-8222-222222222221",
        value="t.yamada@kansai-grid.example.jp",
        display_name="山田 太郎",
    ),
    sco(
        "email-addr",
        "22222222-2222-4222-8222-222222222222",
        value="hr-notice@kgp-careers.example-bad.net",
        display_name="KGP HR",
    ),
    sco(
        "email-addr",
        "22222222-2222-4222-8222-222222222223",
        value="s.tanaka@kansai-grid.example.jp",
    ),
    sco(
        "email-message",
        "33333333-3333-4333-8333-333333333333",
        is_multipart=False,
        from_ref="email-addr--22222222-2222-4222-8222-222222222222",
        to_refs=["email-addr--22222222-2222-4222-8222-222222222221"],
        cc_refs=["email-addr--22222222-2222-4222-8222-222222222223"],
        subject="【関西グリッド電力】賞与査定のお知らせ - Project Hotaru",
        body="Dear Yamada-san, please open the attached file from kgp-careers.example-bad.net",
        message_id="<20261120010203.ABC@mail.kansai-grid.example.jp>",
        received_lines=[
            "from mx1.kansai-grid.example.jp (10.20.1.5) by kgp-mail01.corp.kansai-grid.example.jp",
            "from mail.example-bad.net (198.51.100.77) by mx1.kansai-grid.example.jp",
        ],
        additional_header_fields={
            "X-KGP-Scan": "clean by gw 10.20.1.9",
            "Reply-To": "hr-notice@kgp-careers.example-bad.net",
        },
    ),
    sco(
        "file",
        "44444444-4444-4444-8444-444444444444",
        name="bonus_2026.docm",
        hashes={"SHA-256": "a" * 64},
    ),
    sco(
        "directory",
        "55555555-5555-4555-8555-555555555555",
        path="C:\\Users\\t.yamada\\AppData\\Local\\Temp",
    ),
    sco(
        "process",
        "66666666-6666-4666-8666-666666666666",
        command_line="powershell -enc ZQBjAGgAbwA= -u KGPCORP\\t.yamada",
        cwd="C:\\Users\\t.yamada\\Documents",
        pid=4242,
    ),
    sco("ipv4-addr", "77777777-7777-4777-8777-777777777771", value="10.20.31.7"),
    sco("ipv4-addr", "77777777-7777-4777-8777-777777777772", value="198.51.100.23"),
    sco(
        "domain-name", "88888888-8888-4888-8888-888888888881", value="update-check.example-cdn.net"
    ),
    sco(
        "domain-name",
        "88888888-8888-4888-8888-888888888882",
        value="kgp-ws-0231.corp.kansai-grid.example.jp",
    ),
    sco(
        "network-traffic",
        "99999999-9999-4999-8999-999999999999",
        src_ref="ipv4-addr--77777777-7777-4777-8777-777777777771",
        dst_ref="ipv4-addr--77777777-7777-4777-8777-777777777772",
        protocols=["tcp"],
        dst_port=443,
    ),
    sco(
        "user-account",
        "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
        user_id="S-1-5-21-1004336348-1177238915-682003330-1001",
        account_login="t.yamada",
        display_name="Taro Yamada",
    ),
    o(
        "observed-data",
        "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
        created_by_ref=ME,
        first_observed=T,
        last_observed=T,
        number_observed=1,
        object_refs=[
            "email-message--33333333-3333-4333-8333-333333333333",
            "file--44444444-4444-4444-8444-444444444444",
            "process--66666666-6666-4666-8666-666666666666",
            "network-traffic--99999999-9999-4999-8999-999999999999",
            "user-account--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
            "domain-name--88888888-8888-4888-8888-888888888882",
            "directory--55555555-5555-4555-8555-555555555555",
        ],
    ),
    o(
        "indicator",
        "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
        created_by_ref=ME,
        name="Beacon from kgp-ws-0231 to C2",
        pattern="[network-traffic:src_ref.value = '10.20.31.7' AND network-traffic:dst_ref.value = '198.51.100.23'] OR [domain-name:value = 'update-check.example-cdn.net']",
        pattern_type="stix",
        valid_from=T,
        description="Seen on KGP-WS-0231 (user t.yamada, KGPCORP\\t.yamada). Contact 山田 at 06-1234-5678.",
    ),
    o(
        "indicator",
        "dddddddd-dddd-4ddd-8ddd-dddddddddddd",
        created_by_ref=ME,
        pattern="[email-addr:value = 't.yamada@kansai-grid.example.jp']",
        pattern_type="stix",
        valid_from=T,
    ),
    o(
        "malware",
        "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee",
        created_by_ref=ME,
        name="PlugX",
        is_family=True,
        external_references=[
            {
                "source_name": "internal-ticket",
                "external_id": "KGP-INC-2026-0042",
                "url": "https://jira.corp.kansai-grid.example.jp/browse/KGP-INC-2026-0042",
            },
            {
                "source_name": "mitre-attack",
                "external_id": "S0013",
                "url": "https://attack.mitre.org/software/S0013",
            },
        ],
    ),
    o(
        "attack-pattern",
        "ffffffff-ffff-4fff-8fff-ffffffffffff",
        name="Spearphishing Attachment",
        external_references=[{"source_name": "mitre-attack", "external_id": "T1566.001"}],
    ),
    o(
        "sighting",
        "12121212-1212-4212-8212-121212121212",
        created_by_ref=ME,
        sighting_of_ref="indicator--cccccccc-cccc-4ccc-8ccc-cccccccccccc",
        where_sighted_refs=[ME],
        count=3,
    ),
    o(
        "note",
        "13131313-1313-4313-8313-131313131313",
        created_by_ref=ME,
        authors=["Taro Yamada"],
        content="Analyst 山田太郎 (t.yamada@kansai-grid.example.jp) escalated; host kgp-ws-0231 isolated from 203.0.113.0/25 segment. Project Hotaru docs possibly exfiltrated to 198.51.100.23.",
        object_refs=["indicator--cccccccc-cccc-4ccc-8ccc-cccccccccccc"],
        x_kgp_ticket="KGP-INC-2026-0042",
    ),
    o(
        "report",
        "14141414-1414-4414-8414-141414141414",
        created_by_ref=ME,
        name="関西グリッド電力 spear-phishing incident",
        published=T,
        report_types=["attack-pattern"],
        object_refs=[
            "indicator--cccccccc-cccc-4ccc-8ccc-cccccccccccc",
            "malware--eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee",
            "observed-data--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
        ],
        description="KGP (関西グリッド) received a lure; see https://wiki.kansai-grid.example.jp/ir/2026-0042",
    ),
    o(
        "relationship",
        "15151515-1515-4515-8515-151515151515",
        created_by_ref=ME,
        relationship_type="indicates",
        source_ref="indicator--cccccccc-cccc-4ccc-8ccc-cccccccccccc",
        target_ref="malware--eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee",
    ),
]
PROFILE = MemberProfile(
    member_key="m1",
    names=("関西グリッド電力株式会社", "Kansai Grid Power", "KGP", "関西グリッド"),
    dns_domains=("kansai-grid.example.jp",),
    email_domains=("kansai-grid.example.jp",),
    ip_ranges=(ipaddress.ip_network("203.0.113.0/25"),),
    ad_domains=("KGPCORP", "corp.kansai-grid.example.jp"),
    hostname_patterns=("kgp-ws-*",),
    terms=("Project Hotaru",),
)

SECRET = b"k" * 48
SECTOR = SectorRef("energy", "Electric power SIG")
PLANTED = [
    "kansai-grid",
    "yamada",
    "山田",
    "太郎",
    "tanaka",
    "10.20.",
    "hotaru",
    "kgpcorp",
    "kgp-ws",
    "s-1-5-21",
    "kgp-inc",
    "06-1234",
    "+81",
    "kansai grid",
    "関西グリッド",
    "203.0.113.",
    "taro",
]
ATTACKER = [
    "update-check.example-cdn.net",
    "198.51.100.23",
    "198.51.100.77",
    "PlugX",
    "T1566.001",
    "S0013",
    "a" * 64,
    "bonus_2026.docm",
    "powershell",
]


def run(objects: list[dict]) -> tuple[str, str, list[dict]]:
    result = sanitize(
        objects,
        PROFILE,
        Policy(),
        secret=SECRET,
        hub_identity=hub_identity("Mamori"),
        sector=SECTOR,
    )
    out = orjson.dumps(result.objects).decode()
    return out, json.dumps(result.report.to_json(), ensure_ascii=False), result.objects


def test_no_person_or_member_value_survives_anywhere() -> None:
    out, report, _ = run(objs)
    for text in (out, json.dumps(json.loads(out), ensure_ascii=False), report):
        folded = text.casefold()
        assert [p for p in PLANTED if p in folded] == []
    # The member's own object ids are in the report (the submitter needs them), never out.
    assert "1111-4111" not in out


def test_attacker_infrastructure_survives() -> None:
    out, _, objects = run(objs)
    assert [a for a in ATTACKER if a not in out] == []
    email = next(o for o in objects if o["type"] == "email-message")
    assert email["received_lines"] == [
        "from mail.example-bad.net (198.51.100.77) by [REDACTED:domain]"
    ]


def test_output_is_valid_stix_and_idempotent() -> None:
    _, _, objects = run(objs)
    bundle = {
        "type": "bundle",
        "id": "bundle--0c2a9f9e-7f4e-4a53-9c70-5f4b8f0f6a11",
        "objects": objects,
    }
    stix2.parse(bundle, allow_custom=False)
    assert validate_instance(bundle, ValidationOptions(version="2.1")).is_valid
    again = sanitize(
        objects,
        PROFILE,
        Policy(),
        secret=SECRET,
        hub_identity=hub_identity("Mamori"),
        sector=SECTOR,
    )
    assert again.objects == objects


def test_people_are_learned_from_structured_places_only() -> None:
    learned = learn(objs, ("kansai-grid.example.jp",), {ME}, ("KGPCORP",))
    assert {"t.yamada", "yamada", "山田", "太郎", "tanaka", "s.tanaka", "taro"} <= learned
    # The attacker's sender is not at a member domain: nothing of it is learned.
    assert not any("notice" in p or "careers" in p for p in learned)
    assert not {"users", "appdata", "admin", "t"} & learned


def test_person_redaction_is_word_bounded_for_latin_and_joins_adjacent_parts() -> None:
    people = PeopleRedactor({"yamada", "山田", "太郎"})
    assert [h.fragment for h in people.find("Yamada-san and yamadaya.example.net")] == ["Yamada"]
    assert [h.fragment for h in people.find("担当は山田 太郎です")] == ["山田 太郎"]


def test_logon_forms_of_a_learned_address_are_learned_too() -> None:
    learned = learn(
        [{"type": "email-addr", "id": "email-addr--x", "value": "k.sato@kansai-grid.example.jp"}],
        ("kansai-grid.example.jp",),
        set(),
        (),
    )
    assert {"k.sato", "ksato", "sato"} <= learned


def test_company_forms_are_stripped_from_registered_names() -> None:
    from hub.sanitize.text import TextRedactor, name_variants

    assert name_variants("関西グリッド電力株式会社") == [
        "関西グリッド電力株式会社",
        "関西グリッド電力",
    ]
    assert name_variants("Kansai Grid Power Co., Ltd.")[1] == "Kansai Grid Power"
    assert name_variants("Nishi Heavy Industries") == ["Nishi Heavy Industries"]
    redactor = TextRedactor(MemberProfile(member_key="m", names=("関西グリッド電力株式会社",)))
    assert redactor.redact("関西グリッド電力の経理部")[0] == "[REDACTED:member-name]の経理部"


def test_names_a_member_address_or_a_role_introduces_and_their_logons() -> None:
    found = cue_names(
        "Hakone Gas's Daichi Wakabayashi (d.wakabayashi@hakone-gas.example) saw it too.\n"
        "Shun Ikegami (IT部 課長) approved the block. Mail from Lena Vogt (lv@evil.example).",
        ["hakone-gas.example"],
    )
    assert "Daichi Wakabayashi" in found and "Shun Ikegami" in found
    assert not any("Vogt" in n for n in found)
    redactor = PeopleRedactor(_parts("Daichi Wakabayashi"))
    assert redactor.find("Triage by d.wakabayashi on the jump host.")
