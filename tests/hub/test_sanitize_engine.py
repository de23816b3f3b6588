"""End-to-end sanitizer tests: validity, determinism, idempotence, attacker data kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
import stix2
import stix2validator

from hub.sanitize import Policy, sanitize
from hub.sanitize.context import TLP_IDS
from hub.sanitize.ids import deterministic_sco_id, is_hub_id
from hub.sanitize.markings import HUB_STATEMENT
from tests.hub.sanitize_corpus import (
    ATTACKER,
    HUB,
    OASIS,
    SECRET,
    SECTOR,
    build_submission,
    default_planted,
    leaks,
    oid,
)

OPTIONS = stix2validator.ValidationOptions(version="2.1")
PLANTED = default_planted()
PROFILE = PLANTED.profile()


def run(objs: list[dict[str, Any]], policy: Policy | None = None) -> Any:
    return sanitize(
        objs, PROFILE, policy or Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR
    )


def assert_valid(objs: list[dict[str, Any]]) -> None:
    if objs:
        stix2.parse(
            {
                "type": "bundle",
                "id": "bundle--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0062",
                "objects": objs,
            },
            allow_custom=False,
        )
    for o in objs:
        result = stix2validator.validate_instance(o, OPTIONS)
        assert result.is_valid, [str(e) for e in result.errors]


def oasis(name: str) -> list[dict[str, Any]]:
    data = json.loads((OASIS / name).read_text())
    return data.get("objects", [data])


OASIS_FILES = sorted(p.name for p in OASIS.glob("*.json"))


@pytest.mark.parametrize("name", OASIS_FILES)
def test_oasis_examples_stay_valid_deterministic_and_idempotent(name: str) -> None:
    first = run(oasis(name))
    assert_valid(first.objects)
    again = run(oasis(name))
    assert json.dumps(again.objects) == json.dumps(first.objects)
    assert again.report.to_json() == first.report.to_json()
    second = run(first.objects)
    assert second.objects == first.objects
    assert second.report.changes == []


def _blob(objs: list[dict[str, Any]]) -> str:
    return json.dumps(objs, ensure_ascii=False)


def test_oasis_threat_content_intact() -> None:
    apt1 = _blob(run(oasis("apt1.json")).objects)
    for needle in (
        "[domain-name:value = 'hugesoft.org']",
        "223.166.0.0/15",
        "[file:hashes.md5 = '001dd76872d80801692ff942308c64e6']",
        "WEBC2-UGX",
    ):
        assert needle in apt1
    ivy = run(oasis("poisonivy.json")).objects
    blob = _blob(ivy)
    original = oasis("poisonivy.json")
    patterns = sorted(o["pattern"] for o in original if o["type"] == "indicator")
    assert sorted(o["pattern"] for o in ivy if o["type"] == "indicator") == patterns
    assert "Poison Ivy" in blob
    ext_ids = {
        r["external_id"]
        for o in original
        for r in o.get("external_references", [])
        if r.get("source_name") in ("mitre-attack", "capec") and "external_id" in r
    }
    assert ext_ids and all(f'"{e}"' in blob for e in ext_ids)
    hashes = _blob(run(oasis("malware-indicator-for-file-hash.json")).objects)
    assert "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c" in hashes


def test_tlp_markings_never_altered() -> None:
    objs = (
        run(oasis("using-marking-definitions.json")).objects
        + run(oasis("using-granular-markings.json")).objects
    )
    refs = {r for o in objs for r in o.get("object_marking_refs", [])}
    refs |= {g["marking_ref"] for o in objs for g in o.get("granular_markings", [])}
    assert refs & TLP_IDS
    assert all(r in TLP_IDS or is_hub_id(SECRET, r) for r in refs)


def test_corpus_valid_deterministic_idempotent_and_leak_free() -> None:
    objs = build_submission(PLANTED)
    first = run(objs)
    assert_valid(first.objects)
    assert json.dumps(run(objs).objects) == json.dumps(first.objects)
    assert run(first.objects).objects == first.objects
    assert leaks(PLANTED.secrets(), first.objects) == []
    assert leaks(PLANTED.secrets(), first.report.to_json()) == []


def test_attacker_data_survives() -> None:
    blob = _blob(run(build_submission(PLANTED)).objects)
    for group in ("ips", "domains", "hashes", "malware", "attack_ids", "cves", "emails"):
        for value in ATTACKER[group][: 1 if group in ("hashes", "attack_ids") else 2]:
            if group == "ips" and ":" in value:
                continue
            assert value in blob, value
    assert (
        "[ipv4-addr:value = '45.77.12.9'] AND [domain-name:value = "
        "'update-check.evil-cdn.top']" in blob
    )
    assert "login.phishbank.xyz" in blob  # yara rule keeps the attacker string


def test_look_alike_attacker_domains_survive_everywhere() -> None:
    d = PLANTED.domain
    lookalikes = [f"{d}.evil.com", f"bad{d}", f"{d}-login.top"]
    objs = [
        {"type": "domain-name", "spec_version": "2.1", "id": oid("domain-name", 9 + i), "value": v}
        for i, v in enumerate(lookalikes)
    ]
    objs.append(
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": oid("indicator", 9),
            "created": "2024-01-01T00:00:00.000Z",
            "modified": "2024-01-01T00:00:00.000Z",
            "pattern_type": "stix",
            "valid_from": "2024-01-01T00:00:00.000Z",
            "description": " ".join(lookalikes),
            "pattern": " OR ".join(f"[domain-name:value = '{v}']" for v in lookalikes),
        }
    )
    out = run(objs).objects
    assert [o["value"] for o in out if o["type"] == "domain-name"] == lookalikes
    ind = next(o for o in out if o["type"] == "indicator")
    assert ind["pattern"] == objs[-1]["pattern"] and ind["description"] == " ".join(lookalikes)


def _by_type(objs: list[dict[str, Any]], t: str) -> list[dict[str, Any]]:
    return [o for o in objs if o["type"] == t]


def test_provenance_and_sightings() -> None:
    out = run(build_submission(PLANTED)).objects
    assert out[0] == HUB
    sector = out[1]
    assert sector["identity_class"] == "class" and sector["name"] == SECTOR.name
    assert all(o.get("created_by_ref", HUB["id"]) == HUB["id"] for o in out)
    sighting = _by_type(out, "sighting")[0]
    assert sighting["where_sighted_refs"] == [sector["id"]]
    assert all("authors" not in o for o in out)
    names = [o["name"] for o in _by_type(out, "identity")]
    assert names == ["Mamori Hub", SECTOR.name]
    dropped = run(build_submission(PLANTED), Policy(sighting_where_sighted="drop")).objects
    assert "where_sighted_refs" not in _by_type(dropped, "sighting")[0]
    assert all(o["name"] != SECTOR.name for o in _by_type(dropped, "identity"))


def test_ids_reminted_and_refs_consistent() -> None:
    objs = build_submission(PLANTED)
    out = run(objs).objects
    ids = {o["id"] for o in out}
    originals = {o["id"] for o in objs}
    assert not ids & originals
    for o in out:
        if o["type"] in (
            "ipv4-addr",
            "domain-name",
            "file",
            "directory",
            "email-message",
            "email-addr",
            "network-traffic",
            "windows-registry-key",
            "software",
        ):
            assert o["id"] == deterministic_sco_id(o)
        elif o["id"] != HUB["id"]:
            assert is_hub_id(SECRET, o["id"])

    def refs(v: Any) -> list[str]:
        if isinstance(v, dict):
            return [
                r
                for k, x in v.items()
                for r in (
                    [x]
                    if k.endswith("_ref") and isinstance(x, str)
                    else x
                    if k.endswith("_refs")
                    else refs(x)
                )
            ]
        return [r for x in v for r in refs(x)] if isinstance(v, list) else []

    assert all(r in ids for o in out for r in refs(o))
    # A later version of the same object lands on the same hub id.
    later = [
        dict(o, modified="2024-04-01T00:00:00.000Z") if o["id"] == oid("malware", 1) else o
        for o in objs
    ]
    assert {o["id"] for o in run(later).objects} == ids


def test_victim_observables_dropped_and_carriers_fixed() -> None:
    out = run(build_submission(PLANTED)).objects
    types = [o["type"] for o in out]
    assert "user-account" not in types and "x509-certificate" not in types
    assert "url" not in types and "x-member-ticket" not in types
    assert [o["value"] for o in _by_type(out, "ipv4-addr")] == ["45.77.12.9"]
    assert [o["value"] for o in _by_type(out, "email-addr")] == [ATTACKER["emails"][0]]
    mail = _by_type(out, "email-message")[0]
    assert "to_refs" not in mail and "message_id" not in mail
    assert mail["received_lines"] == [
        "from mail.phishbank.xyz (185.220.101.4) by relay.example.net"
    ]
    traffic = _by_type(out, "network-traffic")[0]
    assert "src_ref" not in traffic and "dst_ref" in traffic
    assert len(_by_type(out, "relationship")) == 2  # the one to the emptied indicator is gone
    assert len(_by_type(out, "indicator")) == 3


def test_channels_location_artifact_custom_analysis() -> None:
    out = run(build_submission(PLANTED)).objects
    loc = _by_type(out, "location")[0]
    assert set(loc) >= {"country", "region"} and "street_address" not in loc
    assert "latitude" not in loc and "postal_code" not in loc
    assert "artifact" not in [o["type"] for o in out]
    assert all(not k.startswith("x_") for o in out for k in o)
    malware = _by_type(out, "malware")[0]
    assert [r["source_name"] for r in malware["external_references"]] == ["mitre-attack"]
    analysis = _by_type(out, "malware-analysis")[0]
    assert "host_vm_ref" not in analysis and analysis["product"] == "sandbox"  # generalised
    marking = _by_type(out, "marking-definition")[0]
    assert marking["definition"]["statement"] == HUB_STATEMENT  # the member's is replaced
    assert malware["object_marking_refs"] == [marking["id"]]
    kept = run(
        build_submission(PLANTED), Policy(artifacts_payload="keep", custom_properties="keep")
    ).objects
    assert _by_type(kept, "artifact")[0]["payload_bin"] == "aGVsbG8="
    assert _by_type(kept, "malware")[0]["x_member_note"] == "[REDACTED:member-name]"


def test_process_details_policy() -> None:
    redacted = _by_type(run(build_submission(PLANTED)).objects, "process")[0]
    assert redacted["environment_variables"]["USERNAME"] == "[REDACTED:username]"
    dropped = _by_type(
        run(build_submission(PLANTED), Policy(process_details="drop")).objects, "process"
    )[0]
    assert not {"command_line", "cwd", "environment_variables"} & set(dropped)


@pytest.mark.parametrize(
    "unit,created,valid_until",
    [
        ("hour", "2024-03-05T10:00:00.000Z", "2024-03-05T11:00:00.000Z"),
        ("day", "2024-03-05T00:00:00.000Z", "2024-03-06T00:00:00.000Z"),
    ],
)
def test_timestamp_coarsening(unit: str, created: str, valid_until: str) -> None:
    out = run(build_submission(PLANTED), Policy(timestamps=unit)).objects  # type: ignore[arg-type]
    assert_valid(out)
    ind = next(o for o in out if o["type"] == "indicator" and "valid_until" in o)
    assert ind["created"] == created and ind["valid_from"] == created
    assert ind["valid_until"] == valid_until
    assert all(o["modified"] >= o["created"] for o in out if "modified" in o)
    assert run(out, Policy(timestamps=unit)).objects == out  # type: ignore[arg-type]


def test_report_masks_and_counts() -> None:
    report = run(build_submission(PLANTED)).report
    data = report.to_json()
    assert sum(data["counts_by_rule"].values()) == len(data["changes"])
    rules = set(data["counts_by_rule"])
    assert {
        "member-name",
        "member-domain",
        "email",
        "private-ip",
        "member-ip",
        "user-path",
        "windows-sid",
        "phone",
        "term",
        "custom-property",
        "remint-id",
        "provenance",
        "member-identity",
        "where-sighted",
        "pattern-emptied",
    } <= rules
    change = next(c for c in report.changes if c.rule == "remint-id")
    assert change.object_id != change.new_object_id and change.new_object_id
    dropped = next(c for c in report.changes if c.rule == "member-identity")
    assert dropped.new_object_id is None


def test_member_policy_override_applies() -> None:
    from dataclasses import replace

    profile = replace(PROFILE, policy_override={"user_accounts": "redact"})
    out = sanitize(
        build_submission(PLANTED), profile, Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR
    ).objects
    account = _by_type(out, "user-account")
    assert account and "user_id" not in account[0]
