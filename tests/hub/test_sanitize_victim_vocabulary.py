"""More of the victim's own vocabulary, learned from the report: units and lines of a plant,
ships and hull numbers, plans, cued case ids, and the town of a street-level location."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hub.sanitize import MemberProfile, Policy, sanitize
from hub.sanitize.matchers import registry
from hub.sanitize.text import TextRedactor, dotted_spans
from hub.sanitize.vocabulary import learn
from tests.hub.sanitize_corpus import HUB, SECRET, SECTOR, T, oid, sid

ME = sid(9)
PROFILE = MemberProfile(
    member_key="sfk",
    names=("Shiretoko Fisheries Kogyo", "知床水産工業"),
    dns_domains=("shiretoko-fk.co.jp",),
)
SDO = {"spec_version": "2.1", "created": T, "modified": T, "created_by_ref": ME}
MALWARE = {
    **SDO,
    "type": "malware",
    "id": oid("malware", 3),
    "name": "GreyPlover",
    "is_family": True,
}


def learned(text: str) -> set[str]:
    note = {
        **SDO,
        "type": "note",
        "id": oid("note", 5),
        "content": text,
        "object_refs": [MALWARE["id"]],
    }
    vocab = learn([note], [ME], registry(PROFILE).names)
    return {v for values in vocab.values.values() for v in values}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("羅臼冷凍工場品質管理課の担当者が開封。", "品質管理課"),
        ("第3缶詰ラインの制御端末は影響なし。", "第3缶詰ライン"),
        ("標津SLNG基地の第4監視棟で検知。", "標津SLNG基地"),
        ("漁業情報室へ報告した。", "漁業情報室"),
        ("第十一知床丸の航海計画が参照された。", "第十一知床丸"),
        ("運搬船オホーツクスター（IMO 9123456）の配船表。", "オホーツクスター"),
        ("S-7741番船の図面を圧縮。", "S-7741"),
        ("The lure named hull No. 6620 in its subject.", "6620"),
        ("鮭鱒増産計画の資料は未接触。", "鮭鱒増産計画"),
        ("翠プロジェクトの資料は未接触。", "翠プロジェクト"),
        ("Their CSIRT (case RSU-OPS-25-318) saw the same sender.", "RSU-OPS-25-318"),
        ("Sandbox run QBX-40112 on the analysis VM.", "QBX-40112"),
        ("NMR-7731 対応記録を参照。", "NMR-7731"),
    ],
)
def test_the_victims_vocabulary_is_learned(text: str, value: str) -> None:
    assert value in learned(text)


@pytest.mark.parametrize(
    "text",
    [
        "オンラインで請求書を確認させるガイドラインに沿った文面。",
        "See CVE-2024-3400 and case CVE-2023-4966 for the exploit.",
        "対応計画は未定。",
        "丸ごと圧縮して送信。",
    ],
)
def test_common_words_and_public_ids_are_not_learned(text: str) -> None:
    got = learned(text)
    assert not any(
        v in got
        for v in (
            "オンライン",
            "ガイドライン",
            "CVE-2024-3400",
            "CVE-2023-4966",
            "対応計画",
            "丸ごと",
        )
    )


def test_a_street_level_location_is_the_victims_and_its_town_goes() -> None:
    loc = {
        **SDO,
        "type": "location",
        "id": oid("location", 7),
        "name": "Rausu cold store",
        "street_address": "88-2 Funami-cho",
        "city": "Rausu",
        "country": "JP",
        "region": "eastern-asia",
    }
    note = {
        **SDO,
        "type": "note",
        "id": oid("note", 6),
        "object_refs": [MALWARE["id"]],
        "content": "The intruder staged files on a server in Rausu.",
    }
    actor_loc = {
        **SDO,
        "type": "location",
        "id": oid("location", 8),
        "country": "KP",
        "city": "Pyongyang",
        "street_address": "Kim Il Sung Square",
    }
    actor = {**SDO, "type": "intrusion-set", "id": oid("intrusion-set", 1), "name": "Silt Owl"}
    rel = {
        **SDO,
        "type": "relationship",
        "id": oid("relationship", 9),
        "relationship_type": "originates-from",
        "source_ref": actor["id"],
        "target_ref": actor_loc["id"],
    }
    me = {
        **SDO,
        "type": "identity",
        "id": ME,
        "name": "Shiretoko Fisheries Kogyo",
        "identity_class": "organization",
    }
    result = sanitize(
        [me, MALWARE, loc, note, actor, actor_loc, rel],
        PROFILE,
        Policy(),
        secret=SECRET,
        hub_identity=HUB,
        sector=SECTOR,
    )
    out = json.dumps(result.objects, ensure_ascii=False)
    assert "Rausu" not in out and "Funami" not in out
    kept: list[dict[str, Any]] = [o for o in result.objects if o.get("country") == "JP"]
    assert kept and "city" not in kept[0]
    # The attacker's place is the attacker's: its country stays.
    assert any(o.get("country") == "KP" for o in result.objects)


@pytest.mark.parametrize(
    "unit",
    [
        "第一",
        "第1丸",
        "S-1番船",
        "A計画",
        "case A1-",
        "run AB-12-",
        "(IMO 1234567)",
        "hull no. ",
        "知多LNG",
        "ライン",
        "工場課",
        "ID 1 ",
        "内線 ",
        "\\ProgramData\\x",
        "A-1 対応",
    ],
)
def test_the_new_shapes_finish_on_a_megabyte(unit: str) -> None:
    # No timing asserted: a quadratic expression keeps the suite from finishing.
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    learned(text)
    TextRedactor(PROFILE).find(text)


def test_a_romanised_address_is_learned_with_its_town_and_postal_code() -> None:
    got = learned("Delivered to the office at 7-3-2 Minato-Kita, Chuo-ku, Otaru 047-0031 today.")
    assert {"Otaru", "047-0031"} <= got


def test_an_opaque_archive_in_a_staging_folder_is_the_attackers_a_named_one_is_not() -> None:
    got = learned(
        "The intruder compressed the data into %TEMP%\\x91.7z and staged "
        "%TEMP%\\gyokaku_2025_uriage.zip before exfiltration."
    )
    assert "x91.7z" not in got
    assert "gyokaku_2025_uriage.zip" in got


def test_a_dotted_token_in_japanese_running_text_is_only_the_token() -> None:
    text = "根室冷蔵庫棟のws-31からcdn.plover-sync.netへ、経理の佐々木さんが請求_佐々木.zipを開封"
    assert [text[a:b] for a, b in dotted_spans(text)] == ["cdn.plover-sync.net", "請求_佐々木.zip"]
    # So a learned site written against a domain is still found.
    assert "根室冷蔵庫棟" in learned(text)


def test_a_document_named_without_a_hash_is_the_members_own_and_its_name_goes_everywhere() -> None:
    own = {
        "type": "file",
        "spec_version": "2.1",
        "id": oid("file", 4),
        "name": "gyogyo-yosan-FY2026.xlsx",
    }
    lure = {
        "type": "file",
        "spec_version": "2.1",
        "id": oid("file", 5),
        "name": "seikyusho_0611.xlsx",
        "hashes": {"SHA-256": "ab" * 32},
    }
    note = {
        **SDO,
        "type": "note",
        "id": oid("note", 8),
        "object_refs": [MALWARE["id"]],
        "content": "The intruder read gyogyo-yosan-FY2026.xlsx after seikyusho_0611.xlsx ran; "
        "then nemuro_zumen_v3.7z を作成して持ち出し。",
    }
    me = {
        **SDO,
        "type": "identity",
        "id": ME,
        "name": "Shiretoko Fisheries Kogyo",
        "identity_class": "organization",
    }
    result = sanitize(
        [me, MALWARE, own, lure, note],
        PROFILE,
        Policy(),
        secret=SECRET,
        hub_identity=HUB,
        sector=SECTOR,
    )
    out = json.dumps(result.objects, ensure_ascii=False)
    assert "gyogyo-yosan" not in out and "nemuro_zumen" not in out
    assert out.count("seikyusho_0611.xlsx") == 2


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        (
            "As the only cannery in Rausu, our recipes are the target of GreyPlover.",
            "the only cannery in Rausu",
            "GreyPlover",
        ),
        (
            "根室の水産加工会社である当社の配合表が狙われた。GreyPlover を確認。",
            "根室の水産加工会社",
            "GreyPlover",
        ),
        (
            "The Shibetsu Service Center and the Rausu Design Office saw GreyPlover.",
            "Shibetsu Service Center",
            "GreyPlover",
        ),
    ],
)
def test_self_descriptions_and_named_offices_go(text: str, gone: str, kept: str) -> None:
    note = {
        **SDO,
        "type": "note",
        "id": oid("note", 9),
        "object_refs": [MALWARE["id"]],
        "content": text,
    }
    out = published_text(note)
    assert gone not in out and kept in out


def test_a_common_office_or_lure_desk_is_not_learned() -> None:
    got = learned("Open Microsoft Office and call the DHL Service Center or Customer Service.")
    assert not any("Office" in v or "Center" in v for v in got)


def published_text(note: dict[str, Any]) -> str:
    """What the sanitizer publishes of the member's identity, the malware and `note`."""
    me = {
        **SDO,
        "type": "identity",
        "id": ME,
        "name": "Shiretoko Fisheries Kogyo",
        "identity_class": "organization",
    }
    result = sanitize(
        [me, MALWARE, note], PROFILE, Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR
    )
    return json.dumps(result.objects, ensure_ascii=False)


def test_a_learned_case_number_stands_for_its_series() -> None:
    note = {
        **SDO,
        "type": "note",
        "id": oid("note", 10),
        "object_refs": [MALWARE["id"]],
        "content": "Opened as case QX-40112; the earlier QX-39877 and "
        "QX-7730 saw GreyPlover too. CVE-2025-0282 was exploited.",
    }
    out = published_text(note)
    assert "QX-" not in out
    assert "CVE-2025-0282" in out and "GreyPlover" in out


def test_a_learned_hull_number_stands_for_its_sister_ships_but_not_for_attack_ids() -> None:
    note = {
        **SDO,
        "type": "note",
        "id": oid("note", 11),
        "object_refs": [MALWARE["id"]],
        "content": "第5307番船とK-5309の艤装図が圧縮された。GreyPlover used T5310 and S5306; "
        "CVE-2024-5308 was exploited. Drawings of R-5390 were not touched.",
    }
    out = published_text(note)
    assert "5307" not in out and "K-5309" not in out
    assert "T5310" in out and "S5306" in out and "CVE-2024-5308" in out
    assert "R-5390" in out  # not a neighbour: a different series
