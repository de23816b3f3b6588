"""The member registry over HTTP: the new asset kinds (sites, group companies, teams, id
formats), every member's registry applied to every submission, small sectors, an operator's
redaction counted by script, and the sanitizer's flags and explanations in review."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Role
from hub.sanitize.rules import RULE_EXPLANATIONS
from tests.api.test_review import REVIEW, STIX, T, bundle
from tests.factories import bearer, make_key

ADMIN = "/api/v1/admin"
MALWARE = "malware--00000000-0000-4000-8000-000000000001"
# What the partner member registered and no other member's report may show.
PARTNER = {
    "sites": ["Toyohashi Works", "豊橋工場"],
    "group_companies": ["Mikawa Seiki Logistics"],
    "teams": ["MSKK-CERT"],
    "id_formats": ["MSK-INC-######"],
    "dns_domains": ["mikawa-seiki.example.jp"],
}
PARTNER_VALUES = (
    "Toyohashi Works",
    "豊橋工場",
    "Mikawa Seiki Logistics",
    "MSKK-CERT",
    "MSK-INC-204417",
    "mikawa-seiki.example.jp",
)


@pytest.fixture
async def admin(db: AsyncSession) -> dict[str, str]:
    return bearer(await make_key(db, Role.ADMIN))


async def _ok(r: httpx.Response, code: int = 200) -> Any:
    assert r.status_code == code, r.text
    return r.json()


async def _member(
    client: httpx.AsyncClient, admin: dict[str, str], slug: str, sector: str, **assets: list[str]
) -> dict[str, str]:
    await _ok(
        await client.post(
            f"{ADMIN}/members",
            headers=admin,
            json={"slug": slug, "display_name": f"{slug} Corp", "sector": sector, "assets": assets},
        ),
        201,
    )
    keys = {}
    for role in ("submitter", "reader"):
        issued = await _ok(
            await client.post(f"{ADMIN}/keys", headers=admin, json={"role": role, "member": slug}),
            201,
        )
        keys[role] = issued["key"]
    return keys


async def _community(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    """Energy with three members (big enough to hide in), shipping with one."""
    for slug, name in (("energy", "Energy"), ("shipping", "Shipping")):
        await _ok(
            await client.post(f"{ADMIN}/sectors", headers=admin, json={"slug": slug, "name": name}),
            201,
        )
    keys = {
        "reporter": await _member(client, admin, "reporter", "energy"),
        "partner": await _member(client, admin, "partner", "energy", **PARTNER),
        "third": await _member(client, admin, "third", "energy"),
        "alone": await _member(client, admin, "alone", "shipping"),
    }
    op = await _ok(
        await client.post(f"{ADMIN}/keys", headers=admin, json={"role": "operator"}), 201
    )
    return {"members": keys, "operator": bearer(op["key"])}


def _malware() -> dict[str, Any]:
    return {
        "type": "malware",
        "spec_version": "2.1",
        "id": MALWARE,
        "created": T,
        "modified": T,
        "name": "HikariLoader",
        "is_family": True,
    }


def _note(n: int, content: str) -> dict[str, Any]:
    return {
        "type": "note",
        "spec_version": "2.1",
        "id": f"note--00000000-0000-4000-8000-{n:012d}",
        "created": T,
        "modified": T,
        "content": content,
        "object_refs": [MALWARE],
    }


async def _submit(client: httpx.AsyncClient, key: str, objects: list[dict[str, Any]]) -> str:
    r = await client.post(
        "/api/v1/submissions", content=bundle(objects), headers=bearer(key) | STIX
    )
    return str((await _ok(r, 202))["id"])


async def test_new_asset_kinds_are_registered_normalised_and_validated(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await _ok(
        await client.post(f"{ADMIN}/sectors", headers=admin, json={"slug": "mfg", "name": "M"}),
        201,
    )
    body = await _ok(
        await client.post(
            f"{ADMIN}/members",
            headers=admin,
            json={
                "slug": "msk",
                "display_name": "Mikawa Seiki",
                "sector": "mfg",
                "assets": PARTNER,
            },
        ),
        201,
    )
    for kind, values in PARTNER.items():
        assert body["assets"][kind] == values, kind
    # Two kanji are a Japanese surname and a valid name; a patch replaces one kind only.
    patched = await _ok(
        await client.patch(
            f"{ADMIN}/members/msk", headers=admin, json={"assets": {"names": ["佐藤"]}}
        )
    )
    assert "佐藤" in patched["assets"]["names"] and patched["assets"]["teams"] == ["MSKK-CERT"]
    refused = [
        ("names", "name", "AB", "too short"),
        ("sites", "site", "X1", "too short"),
        ("teams", "team", "SO", "too short"),
        ("group_companies", "group_company", "株", "too short"),
        ("id_formats", "id_format", r"INC-\d+", "not a regular expression"),
        ("id_formats", "id_format", "INC-[0-9]{6}", "not a regular expression"),
        ("id_formats", "id_format", "INC 2024", "no spaces"),
        ("id_formats", "id_format", "INC-2024-0001", "no placeholder"),
        ("id_formats", "id_format", "####-####", "literal part"),
        ("id_formats", "id_format", "INC-**", "repeats"),
    ]
    for field, kind, value, why in refused:
        r = await client.patch(
            f"{ADMIN}/members/msk", headers=admin, json={"assets": {field: [value]}}
        )
        assert r.status_code == 422, (field, value)
        assert why in r.text and kind in r.text, r.text
    after = await _ok(await client.get(f"{ADMIN}/members/msk", headers=admin))
    assert after["assets"]["id_formats"] == ["MSK-INC-######"]


async def test_every_members_registry_is_protected_in_every_submission(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    c = await _community(client, admin)
    text = (
        "The lure was forwarded by MSKK-CERT (ticket MSK-INC-204417) of the partner's "
        "Toyohashi Works (豊橋工場), whose logistics arm Mikawa Seiki Logistics got it from "
        "noreply@mikawa-seiki.example.jp. HikariLoader beacons to 203.0.113.77."
    )
    sid = await _submit(client, c["members"]["reporter"]["submitter"], [_malware(), _note(1, text)])
    d = await _ok(await client.get(f"{REVIEW}/submissions/{sid}", headers=c["operator"]))
    out = json.dumps(d["sanitized"], ensure_ascii=False)
    assert [v for v in PARTNER_VALUES if v.casefold() in out.casefold()] == []
    assert "HikariLoader" in out and "203.0.113.77" in out
    rules = set(d["report"]["counts_by_rule"])
    assert {"member-site", "member-team", "member-id"} <= rules, rules
    # The partner's own submissions are protected from its registry too, of course.
    sid = await _submit(client, c["members"]["partner"]["submitter"], [_malware(), _note(2, text)])
    d = await _ok(await client.get(f"{REVIEW}/submissions/{sid}", headers=c["operator"]))
    out = json.dumps(d["sanitized"], ensure_ascii=False)
    assert [v for v in PARTNER_VALUES if v.casefold() in out.casefold()] == []


def _sighting(n: int) -> list[dict[str, Any]]:
    ident = "identity--00000000-0000-4000-8000-0000000000aa"
    return [
        _malware(),
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": ident,
            "created": T,
            "modified": T,
            "name": "Our SOC",
            "identity_class": "organization",
        },
        {
            "type": "sighting",
            "spec_version": "2.1",
            "id": f"sighting--00000000-0000-4000-8000-{n:012d}",
            "created": T,
            "modified": T,
            "sighting_of_ref": MALWARE,
            "where_sighted_refs": [ident],
            "count": 3,
        },
    ]


async def test_a_sector_too_small_to_hide_in_is_generalised_to_a_member_of_the_hub(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    c = await _community(client, admin)
    seen: dict[str, str] = {}
    for who in ("reporter", "alone"):
        sid = await _submit(client, c["members"][who]["submitter"], _sighting(1))
        d = await _ok(await client.get(f"{REVIEW}/submissions/{sid}", headers=c["operator"]))
        sighting = next(o for o in d["sanitized"] if o["type"] == "sighting")
        [where] = sighting["where_sighted_refs"]
        seen[who] = next(o["name"] for o in d["sanitized"] if o["id"] == where)
        rules = set(d["report"]["counts_by_rule"])
        assert ("small-sector" in rules) == (who == "alone"), rules
    assert seen == {"reporter": "Energy", "alone": "A member of the hub"}


async def test_an_operators_redaction_is_long_enough_by_script(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    c = await _community(client, admin)
    text = "担当の佐藤が HikariLoader の検体を解析した。C2 は 203.0.113.77。"
    sid = await _submit(client, c["members"]["reporter"]["submitter"], [_malware(), _note(1, text)])
    url = f"{REVIEW}/submissions/{sid}"
    for term in ("ab", "佐", "a1"):
        r = await client.post(f"{url}/edit", headers=c["operator"], json={"redact": [term]})
        assert r.status_code == 422 and "two kanji" in r.text, term
    r = await client.post(f"{url}/edit", headers=c["operator"], json={"redact": ["佐藤"]})
    assert r.status_code == 200, r.text
    d = await _ok(await client.get(url, headers=c["operator"]))
    out = json.dumps(d["sanitized"], ensure_ascii=False)
    assert "佐藤" not in out and "203.0.113.77" in out


async def test_probable_findings_are_flagged_in_queue_and_detail_and_every_rule_explained(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    pytest.importorskip("hub.sanitize.japanese")
    c = await _community(client, admin)
    text = "昨日、山本が資料を送付した。MSKK-CERT からの連絡による。"
    sid = await _submit(client, c["members"]["reporter"]["submitter"], [_malware(), _note(1, text)])
    queue = await _ok(await client.get(f"{REVIEW}/queue", headers=c["operator"]))
    [item] = [i for i in queue["items"] if i["id"] == sid]
    d = await _ok(await client.get(f"{REVIEW}/submissions/{sid}", headers=c["operator"]))
    flags = [f for f in d["flags"] if f["kind"] == "sanitizer"]
    assert flags and item["flagged"] == len(flags)
    note = next(o for o in d["sanitized"] if o["type"] == "note")
    for f in flags:
        assert f["object_id"] == note["id"] and f["rule"] == "review-name"
        start, end = f["location"].removeprefix("content[").rstrip("]").split(":")
        assert note["content"][int(start) : int(end)] == "山本"
        assert f["value"] != "山本" and "山本" not in f["detail"]  # masked, like the report
    for change in d["report"]["changes"]:
        assert change["explanation"] == RULE_EXPLANATIONS[change["rule"]], change["rule"]
    # The member's preview explains the same changes once the operator approved.
    scope = {"scope": {"breadth": "sector", "extra_sectors": []}}
    await _ok(
        await client.post(f"{REVIEW}/submissions/{sid}/approve", headers=c["operator"], json=scope)
    )
    p = await _ok(
        await client.get(
            f"/api/v1/submissions/{sid}/preview",
            headers=bearer(c["members"]["reporter"]["submitter"]),
        )
    )
    assert p["report"]["changes"]
    assert all(ch["explanation"] == RULE_EXPLANATIONS[ch["rule"]] for ch in p["report"]["changes"])
