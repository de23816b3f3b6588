"""Victim vocabulary nobody registered: learned from the report, cleared from every channel,
and never at the attacker's expense."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from wordfreq import zipf_frequency

from hub.sanitize import MemberProfile, Policy, sanitize
from hub.sanitize.matchers import registry
from hub.sanitize.people import ROLE_WORDS, PeopleRedactor, cue_names
from hub.sanitize.vocabulary import acceptable, learn
from tests.hub.sanitize_corpus import HUB, SECRET, SECTOR, T, oid, sid
from tests.hub.test_sanitize_leaks import SETTINGS, fresh, word

ME = sid(1)
PROFILE = MemberProfile(
    member_key="khi",
    names=("Kumotori Heavy Industries", "雲取重工業"),
    dns_domains=("kumotori-hi.co.jp",),
    email_domains=("mail.kumotori-hi.jp",),
)
SDO = {"spec_version": "2.1", "created": T, "modified": T, "created_by_ref": ME}
SCO = {"spec_version": "2.1"}

EN_REPORT = """\
On 11 March the Kumotori Heavy Industries Mizushima Works received a spear-phishing mail.
KHI-CSIRT opened case KHI-CSIRT-2024-0113 (ServiceNow INC-20240311, CASE-77A1). The dropper
sato_loader.dll and the lure invoice_0311.zip were delivered from login-check.net; the
attacker later exfiltrated the design data as tamashima_design_2024.7z from
\\\\fs-mzs01\\engineering$\\Project Hoshizora. The Kurashiki plant was not affected.
Emotet works by loading a second stage, as usual.

Reported by Hideo Satoyama, SOC analyst.
Regards,
Keiko Tamura
"""
JA_REPORT = """\
雲取重工業の水島製作所において標的型メールを受信。プロジェクト星空の設計資料が
窃取され、keiri_2024.7z として圧縮された痕跡あり。雲取CSIRT にて対応。
"""


def bundle(extra: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    return [
        {
            **SDO,
            "type": "identity",
            "id": ME,
            "name": "Kumotori Heavy Industries",
            "identity_class": "organization",
        },
        {
            **SDO,
            "type": "location",
            "id": oid("location", 1),
            "country": "JP",
            "region": "eastern-asia",
            "city": "Kurashiki",
            "street_address": "1-1 Mizushima-Kawasaki-dori, Kurashiki",
            "postal_code": "712-8501",
        },
        {
            **SDO,
            "type": "relationship",
            "id": oid("relationship", 1),
            "relationship_type": "located-at",
            "source_ref": ME,
            "target_ref": oid("location", 1),
        },
        {
            **SDO,
            "type": "location",
            "id": oid("location", 2),
            "country": "KP",
            "region": "eastern-asia",
        },
        {
            **SDO,
            "type": "malware",
            "id": oid("malware", 1),
            "name": "Emotet",
            "is_family": True,
            "description": EN_REPORT,
        },
        {
            **SDO,
            "type": "note",
            "id": oid("note", 1),
            "abstract": "Mizushima Works incident",
            "content": JA_REPORT,
            "object_refs": [oid("malware", 1)],
        },
        {
            **SDO,
            "type": "report",
            "id": oid("report", 1),
            "name": "KHI-CSIRT-2024-0113",
            "published": T,
            "description": "Kurashiki, Mizushima Works, 水島製作所, 星空",
            "object_refs": [oid("malware", 1), oid("note", 1)],
        },
        {
            **SCO,
            "type": "file",
            "id": oid("file", 1),
            "name": "sato_loader.dll",
            "hashes": {"SHA-256": "a" * 64},
        },
        {
            **SCO,
            "type": "file",
            "id": oid("file", 2),
            "name": "invoice_0311.zip",
            "hashes": {"SHA-256": "b" * 64},
        },
        {
            **SCO,
            "type": "domain-name",
            "id": oid("domain-name", 1),
            "value": "kumotori-hi-co.jp.login-check.net",
        },
        {
            **SDO,
            "type": "observed-data",
            "id": oid("observed-data", 1),
            "first_observed": T,
            "last_observed": T,
            "number_observed": 1,
            "object_refs": [oid("file", 1), oid("file", 2), oid("domain-name", 1)],
        },
        *(extra or []),
    ]


def run(objs: list[dict[str, Any]]) -> Any:
    return sanitize(objs, PROFILE, Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR)


VICTIM = [
    "Mizushima",
    "KHI-CSIRT",
    "KHI-CSIRT-2024-0113",
    "INC-20240311",
    "CASE-77A1",
    "tamashima_design_2024.7z",
    "fs-mzs01",
    "engineering$",
    "Hoshizora",
    "Kurashiki",
    "Mizushima-Kawasaki",
    "712-8501",
    "Satoyama",
    "Keiko Tamura",
    "水島製作所",
    "水島",
    "星空",
    "keiri_2024.7z",
    "雲取CSIRT",
]
ATTACKER = [
    "sato_loader.dll",
    "invoice_0311.zip",
    "login-check.net",
    "kumotori-hi-co.jp.login-check.net",
    "Emotet works by loading",
    "Emotet",
]


def test_learned_victim_vocabulary_is_cleared_from_every_channel() -> None:
    result = run(bundle())
    blob = json.dumps(result.objects, ensure_ascii=False)
    assert [v for v in VICTIM if v.lower() in blob.lower()] == []
    assert [a for a in ATTACKER if a not in blob] == []
    rules = set(result.report.counts_by_rule)
    assert {
        "learned-site",
        "learned-place",
        "case-id",
        "team-name",
        "learned-project",
        "learned-archive",
        "file-share",
        "person",
    } <= rules


def test_what_is_learned_and_what_is_not() -> None:
    vocab = learn(bundle(), {ME}, registry(PROFILE).names).values
    assert "Mizushima Works" in vocab["learned-site"]
    assert "水島製作所" in vocab["learned-site"]
    assert {"Kurashiki", "Mizushima", "水島"} <= vocab["learned-place"]
    assert "KHI" in vocab["learned-name"]
    assert "tamashima_design_2024.7z" in vocab["learned-archive"]
    # The lure is the attacker's (it has hashes, and no cue says the member's data is in it).
    assert "invoice_0311.zip" not in vocab.get("learned-archive", set())
    learned = {v.lower() for values in vocab.values() for v in values}
    assert "emotet" not in learned and "works" not in learned
    # A country the attacker comes from is not the victim's town.
    assert "kp" not in learned


def test_a_location_only_the_attacker_points_at_is_not_learned() -> None:
    extra = [
        {**SDO, "type": "location", "id": oid("location", 3), "country": "CN", "city": "Chengdu"},
        {
            **SDO,
            "type": "relationship",
            "id": oid("relationship", 3),
            "relationship_type": "originates-from",
            "source_ref": oid("malware", 1),
            "target_ref": oid("location", 3),
        },
    ]
    vocab = learn(bundle(extra), {ME}, registry(PROFILE).names).values
    assert "Chengdu" not in vocab["learned-place"]


def test_a_sightings_location_is_the_victims() -> None:
    extra = [
        {**SDO, "type": "location", "id": oid("location", 4), "country": "JP", "city": "Tamano"},
        {
            **SDO,
            "type": "sighting",
            "id": oid("sighting", 1),
            "sighting_of_ref": oid("malware", 1),
            "where_sighted_refs": [oid("location", 4)],
        },
    ]
    vocab = learn(bundle(extra), {ME}, registry(PROFILE).names).values
    assert "Tamano" in vocab["learned-place"]


def test_minimum_length_is_counted_by_script() -> None:
    assert acceptable("佐藤") and acceptable("水島") and not acceptable("水")
    assert not acceptable("KH") and not acceptable("abc")
    assert acceptable("Tamashima") and not acceptable("Power") and not acceptable("works")


def test_names_introduced_by_a_cue_are_learned_and_an_attacker_persona_is_not() -> None:
    text = (
        "From: Keiko Tamura <k.tamura@mail.kumotori-hi.jp>\n"
        "From: John Carter <hr@phishbank.xyz>\n"
        "Dear Mr. Yoshida,\nescalated by Aiko Mori. Contact: Accounting Department\n"
        "Regards,\nJiro Nakamura\n--\nSaburo Ikeda\n"
    )
    found = cue_names(text, PROFILE.email_domains)
    assert found == {"Keiko Tamura", "Yoshida", "Aiko Mori", "Jiro Nakamura", "Saburo Ikeda"}
    honorifics = "Yamada-san opened it; Tanaka san forwarded it. 担当: Ken Sato\n作成：Suzuki"
    assert cue_names(honorifics, ()) == {"Yamada", "Tanaka", "Ken Sato", "Suzuki"}


def test_a_learned_fragment_never_eats_an_attackers_file_or_domain() -> None:
    people = PeopleRedactor({"sato", "hsatoyama"})
    text = "sato_loader.dll from sato-update.net hit Sato and hsatoyama; hsatoyama.docx"
    hits = [h.fragment for h in people.find(text)]
    assert hits == ["Sato", "hsatoyama"]


@SETTINGS
@given(
    word,
    word,
    st.sampled_from(["Works", "Plant", "Shipyard", "Power Station", "Refinery"]),
    st.sampled_from(["工場", "製作所", "事業所", "造船所"]),
    st.text(alphabet="山川田中北南東西大小高岡浜松", min_size=2, max_size=3),
)
def test_generated_sites_are_cleared_everywhere_and_attacker_data_stays(
    town: str, project: str, kind: str, suffix: str, ja: str
) -> None:
    town, project = fresh(town).capitalize(), fresh(project).capitalize()
    site = f"{town} {kind}"
    ja_site = ja + suffix
    text = (
        f"The {site} of Kumotori Heavy Industries saw {town.lower()}-sync.top "
        f"({town.lower()}_stage.dll) in Project {project}. 雲取重工業の{ja_site}でも検知。"
    )
    objs = bundle(
        [
            {
                **SDO,
                "type": "indicator",
                "id": oid("indicator", 9),
                "valid_from": T,
                "pattern_type": "stix",
                "pattern": f"[domain-name:value = '{town.lower()}-sync.top']",
                "description": text,
                "name": f"{site} beacon",
            },
            {
                **SDO,
                "type": "opinion",
                "id": oid("opinion", 9),
                "opinion": "agree",
                "explanation": f"Seen at {site} and {ja_site}; {project} data staged.",
                "object_refs": [oid("indicator", 9)],
            },
        ]
    )
    result = run(objs)
    blob = json.dumps(result.objects, ensure_ascii=False)
    assert site.lower() not in blob.lower() and ja_site not in blob
    assert f"project {project.lower()}" not in blob.lower()
    assert f"{town.lower()}-sync.top" in blob and f"{town.lower()}_stage.dll" in blob


def test_japanese_names_are_redacted_or_flagged() -> None:
    japanese = pytest.importorskip("hub.sanitize.japanese")
    text = "作成: 田中 健\n経理部の鈴木一郎さんが開封。担当: 佐藤。田中から報告。"
    assert any(f.certain for f in japanese.find(text))
    objs = bundle(
        [
            {
                **SDO,
                "type": "note",
                "id": oid("note", 7),
                "content": text,
                "object_refs": [oid("malware", 1)],
            }
        ]
    )
    result = run(objs)
    note = next(o for o in result.objects if o["type"] == "note" and "報告" in o["content"])
    assert "田中" not in note["content"] and "鈴木" not in note["content"]
    assert "佐藤" not in note["content"]
    for change in result.report.changes:
        if change.rule == "review-name":
            assert "[" in change.path and ":" in change.path


@SETTINGS
@given(
    word,
    word,
    st.sampled_from(
        ["Regards,\n{}", "Reported by {}.", "Analyst: {}", "Ms. {} opened it", "--\n{}\nSOC"]
    ),
)
def test_a_cued_person_is_cleared_but_never_from_the_attackers_files(
    given_name: str, surname: str, cue: str
) -> None:
    # A role or a common word ("Security") is never taken for a person: names are rare words.
    assume(all(zipf_frequency(w, "en") < 3 and w not in ROLE_WORDS for w in (given_name, surname)))
    given_name, surname = fresh(given_name).capitalize(), fresh(surname).capitalize()
    person = f"{given_name} {surname}"
    dropper = f"{surname.lower()}_loader.dll"
    c2 = f"{surname.lower()}-cdn.top"
    text = cue.format(person) + f"\n{surname} later ran {dropper} which called {c2}."
    objs = bundle(
        [
            {
                **SDO,
                "type": "note",
                "id": oid("note", 8),
                "content": text,
                "object_refs": [oid("malware", 1)],
            },
            {
                **SCO,
                "type": "file",
                "id": oid("file", 8),
                "name": dropper,
                "hashes": {"SHA-256": "c" * 64},
            },
            {
                **SDO,
                "type": "indicator",
                "id": oid("indicator", 8),
                "valid_from": T,
                "pattern_type": "stix",
                "pattern": f"[file:name = '{dropper}']",
                "description": f"{dropper} seen by {surname}",
            },
        ]
    )
    result = run(objs)
    blob = json.dumps(result.objects)
    assert person.lower() not in blob.lower()
    assert f" {surname.lower()} " not in blob.lower().replace(dropper, "").replace(c2, "")
    assert blob.count(dropper) >= 3 and c2 in blob


def test_addresses_and_names_next_to_the_members_name_are_learned() -> None:
    text = (
        "〒712-8501 岡山県倉敷市水島海岸通1-1 雲取重工業\n"
        "1-1 Mizushima Kaigandori, Kurashiki-shi, Okayama. 東京都千代田区丸の内1-2-3。\n"
        "Kumotori Heavy Industries Tamashima office; Kumotori Heavy Industries Security."
    )
    vocab = learn(
        [{"type": "note", "id": "note--1", "content": text}], set(), registry(PROFILE).names
    ).values
    assert {
        "〒712-8501 岡山県倉敷市水島海岸通1-1",
        # The town after the ward or city is part of the address, and learned on its own.
        "1-1 Mizushima Kaigandori, Kurashiki-shi, Okayama",
        "Kurashiki-shi",
        "Okayama",
        "東京都千代田区丸の内1-2-3",
    } <= vocab["learned-place"]
    assert vocab["learned-name"] == {"Tamashima"}
    result = run(
        bundle(
            [
                {
                    **SDO,
                    "type": "note",
                    "id": oid("note", 6),
                    "content": text,
                    "object_refs": [oid("malware", 1)],
                }
            ]
        )
    )
    blob = json.dumps(result.objects, ensure_ascii=False)
    assert "倉敷市" not in blob and "Kaigandori" not in blob and "Tamashima" not in blob
    assert "千代田区" not in blob and "712-8501" not in blob


def test_registered_terms_are_long_enough_by_script() -> None:
    from hub.sanitize.matchers import long_enough

    assert long_enough("佐藤") and long_enough("ｻﾄｳ") and long_enough("KHI")
    assert not long_enough("佐") and not long_enough("KH") and not long_enough("a-b")
    assert long_enough("Project 雷") and not long_enough("雷") and not long_enough("A佐")


def test_an_internal_host_named_after_a_cue_is_learned_and_a_domain_is_not() -> None:
    text = (
        "玉島発電所の端末 ep-ws-0113 で開封。workstation KHI-PC-042 beaconed to server "
        "c2.evil-cdn.top; the host-based rule fired."
    )
    vocab = learn(
        [{"type": "note", "id": "note--1", "content": text}], set(), registry(PROFILE).names
    ).values
    assert vocab["learned-host"] == {"ep-ws-0113", "KHI-PC-042"}
    result = run(
        bundle(
            [
                {
                    **SDO,
                    "type": "note",
                    "id": oid("note", 5),
                    "content": text,
                    "object_refs": [oid("malware", 1)],
                }
            ]
        )
    )
    blob = json.dumps(result.objects, ensure_ascii=False)
    assert "ep-ws-0113" not in blob and "KHI-PC-042" not in blob and "c2.evil-cdn.top" in blob


def test_a_probable_japanese_name_is_flagged_with_object_path_and_offsets() -> None:
    japanese = pytest.importorskip("hub.sanitize.japanese")
    text = "昨日、山本が資料を送付した。"
    [finding] = [f for f in japanese.find(text) if not f.certain]
    objs = bundle(
        [
            {
                **SDO,
                "type": "note",
                "id": oid("note", 4),
                "content": text,
                "object_refs": [oid("malware", 1)],
            }
        ]
    )
    result = run(objs)
    flags = [c for c in result.report.changes if c.rule == "review-name"]
    assert [c.path for c in flags] == [f"content[{finding.start}:{finding.end}]"]
    assert flags[0].new_object_id is not None and flags[0].after == "flagged"
    assert "山本" not in json.dumps(result.report.to_json(), ensure_ascii=False)


def test_a_learned_site_goes_even_inside_a_file_name_a_single_word_does_not() -> None:
    text = (
        "Mizushima Works data staged as Mizushima_Works_design.xlsx and "
        "hoshizora-spec.docx for Project Hoshizora; the dropper kurashiki_upd.dll."
    )
    result = run(
        bundle(
            [
                {
                    **SDO,
                    "type": "note",
                    "id": oid("note", 3),
                    "content": text,
                    "object_refs": [oid("malware", 1)],
                }
            ]
        )
    )
    note = next(o for o in result.objects if o["type"] == "note" and "staged" in o["content"])
    assert "mizushima" not in note["content"].lower()
    assert "Project Hoshizora" not in note["content"]
    # A learned single word (a town, a one-word project name) is never taken out of a file
    # name: the attacker's dropper that holds one stays.
    assert "kurashiki_upd.dll" in note["content"] and "hoshizora-spec.docx" in note["content"]
