"""One matcher per asset kind: whole values and running text agree, for every kind."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.sanitize import MemberProfile, Policy, sanitize
from hub.sanitize.matchers import fold, globs, id_formats, phrases, registry
from hub.sanitize.text import TextRedactor
from hub.sanitize.values import hostname_matches
from tests.hub.sanitize_corpus import HUB, SECRET, SECTOR, T, oid, sid

SETTINGS = settings(max_examples=40, deadline=None)
PROFILE = MemberProfile(
    member_key="m1",
    names=("Setouchi Power Co., Ltd.", "瀬戸内電力株式会社"),
    dns_domains=("setouchi-power.co.jp",),
    hostname_patterns=("abc-ws-[0-9][0-9][0-9]", "kmtws-*", "fs[!x]-??"),
    sites=("Mizushima Works", "水島製作所"),
    group_companies=("Setouchi Logistics",),
    teams=("SEPCO-CSIRT",),
    id_formats=("SEPCO-CSIRT-####-####", "INC-#*"),
)


def redacted(text: str, profile: MemberProfile = PROFILE) -> str:
    return TextRedactor(profile).redact(text)[0]


def test_a_host_glob_with_a_character_class_matches_in_text_as_in_observables() -> None:
    assert hostname_matches("abc-ws-042", PROFILE.hostname_patterns)
    assert hostname_matches("ABC-WS-042.corp.example", PROFILE.hostname_patterns)
    assert not hostname_matches("abc-ws-42", PROFILE.hostname_patterns)
    assert not hostname_matches("xabc-ws-042", PROFILE.hostname_patterns)
    assert redacted("beacon from abc-ws-042 and ABC-WS-117.corp.local") == (
        "beacon from [REDACTED:hostname] and [REDACTED:hostname]"
    )
    assert redacted("abc-ws-42 and abc-ws-0421 are not hosts of ours") == (
        "abc-ws-42 and abc-ws-0421 are not hosts of ours"
    )
    assert redacted("fs1-ab moved to fsx-ab") == "[REDACTED:hostname] moved to fsx-ab"


def test_the_same_glob_drops_the_observable_and_clears_the_description() -> None:
    objs = [
        {
            "type": "domain-name",
            "spec_version": "2.1",
            "id": oid("domain-name", 1),
            "value": "abc-ws-042.corp.example",
        },
        {
            "type": "domain-name",
            "spec_version": "2.1",
            "id": oid("domain-name", 2),
            "value": "update.evil-cdn.top",
        },
        {
            "type": "observed-data",
            "spec_version": "2.1",
            "id": oid("observed-data", 1),
            "created": T,
            "modified": T,
            "first_observed": T,
            "last_observed": T,
            "number_observed": 1,
            "object_refs": [oid("domain-name", 1), oid("domain-name", 2)],
        },
        {
            "type": "malware",
            "spec_version": "2.1",
            "id": oid("malware", 1),
            "created": T,
            "modified": T,
            "name": "PlugX",
            "is_family": True,
            "description": "abc-ws-042 beaconed to update.evil-cdn.top",
        },
    ]
    out = sanitize(objs, PROFILE, Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR)
    blob = json.dumps(out.objects)
    assert "abc-ws-042" not in blob
    assert "update.evil-cdn.top" in blob


def test_id_formats_match_whole_tokens_case_insensitively() -> None:
    assert redacted("see SEPCO-CSIRT-2024-0113 and inc-20240311の件") == (
        "see [REDACTED:case-id] and [REDACTED:case-id]の件"
    )
    # Not a whole token, or not the format: left alone.
    assert redacted("XSEPCO-CSIRT-2024-0113 INC-x SEPCO-CSIRT-24-1") == (
        "XSEPCO-CSIRT-2024-0113 INC-x [REDACTED:team]-24-1"
    )
    matcher = id_formats("member-id", ["KHI-@@-#"])
    assert matcher.fullmatch("khi-ab-1") and not matcher.fullmatch("khi-a1-1")


def test_sites_group_companies_and_teams_are_redacted_with_their_own_tokens() -> None:
    text = (
        "Setouchi Logistics and the Mizushima Works (水島製作所) were hit; "
        "SEPCO-CSIRT answered. 瀬戸内電力の水島製作所"
    )
    assert redacted(text) == (
        "[REDACTED:member-name] and the [REDACTED:site] ([REDACTED:site]) were hit; "
        "[REDACTED:team] answered. [REDACTED:member-name]の[REDACTED:site]"
    )


def test_a_look_alike_domain_holding_a_member_name_is_the_attackers() -> None:
    text = (
        "phish from setouchi-power-co.jp.login-check.net and "
        "hxxps://setouchi-power[.]co[.]jp[.]verify-account[.]top/login, "
        "not vpn.setouchi-power.co.jp"
    )
    assert redacted(text) == (
        "phish from setouchi-power-co.jp.login-check.net and "
        "hxxps://setouchi-power[.]co[.]jp[.]verify-account[.]top/login, "
        "not [REDACTED:domain]"
    )


def test_many_registered_values_compile_to_one_trie() -> None:
    names = [f"Member Company {i:04d}" for i in range(2000)]
    matcher = phrases("member-name", names)
    assert matcher.regex is not None
    assert matcher.fullmatch("member company 1999") and not matcher.fullmatch("member company 2000")
    spans = list(matcher.spans(fold("Member-Company-0042 and Member Company 0043x")))
    assert spans == [(0, 19)]


def test_company_forms_and_separators_are_flexible() -> None:
    reg = registry(PROFILE)
    for value in ("Setouchi Power", "SETOUCHI-POWER", "setouchi_power co ltd", "瀬戸内電力"):
        assert reg.names.fullmatch(value), value
    assert not reg.names.fullmatch("Setouchi Powerline")


host_label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=6)


@SETTINGS
@given(
    host_label,
    st.integers(0, 999),
    st.sampled_from(["", ".corp.local", ".ad.example"]),
    st.sampled_from(["{} beaconed", "seen on {}.", "({})", "host={}&x=1", "{}の通信"]),
)
def test_whole_value_and_text_matching_agree(
    prefix: str, n: int, suffix: str, context: str
) -> None:
    glob = f"{prefix}-ws-[0-9][0-9][0-9]"
    host = f"{prefix}-ws-{n:03d}{suffix}"
    matcher = globs("hostname", [glob])
    assert matcher.fullmatch(host)
    profile = MemberProfile(member_key="m", hostname_patterns=(glob,))
    text = context.format(host)
    assert host.split(".")[0] not in redacted(text, profile)
    # One digit short is neither a value nor a finding.
    near = f"{prefix}-ws-{n % 100:02d}"
    assert not matcher.fullmatch(near)
    assert near in redacted(context.format(near), profile)


@SETTINGS
@given(
    st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=3, max_size=6),
    st.integers(2000, 2030),
    st.integers(0, 9999),
)
def test_generated_id_formats_are_cleared_from_every_channel(team: str, year: int, n: int) -> None:
    template = f"{team}-IR-####-####"
    case = f"{team}-IR-{year}-{n:04d}"
    profile = MemberProfile(member_key="m", id_formats=(template,))
    objs: list[dict[str, Any]] = [
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": sid(1),
            "created": T,
            "modified": T,
            "name": "Member",
            "identity_class": "organization",
        },
        {
            "type": "note",
            "spec_version": "2.1",
            "id": oid("note", 1),
            "created": T,
            "modified": T,
            "created_by_ref": sid(1),
            "abstract": f"Case {case}",
            "content": f"Tracked as {case.lower()}; see {case}.",
            "object_refs": [sid(1)],
        },
        {
            "type": "malware",
            "spec_version": "2.1",
            "id": oid("malware", 1),
            "created": T,
            "modified": T,
            "name": "PlugX",
            "is_family": True,
            "labels": [case],
        },
    ]
    out = sanitize(objs, profile, Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR)
    assert case.lower() not in json.dumps(out.objects).lower()
    assert "PlugX" in json.dumps(out.objects)


def test_values_written_against_japanese_text_without_spaces_are_found() -> None:
    profile = MemberProfile(
        member_key="m",
        dns_domains=("setouchi-power.co.jp",),
        hostname_patterns=("abc-ws-[0-9][0-9][0-9]",),
        ad_domains=("SEPCO",),
    )
    text = (
        "サーバvpn.setouchi-power.co.jpと10.1.2.3へ、端末abc-ws-042の通信。"
        "電話03-5981-2277まで。SIDはS-1-5-21-1-2-3-1013、SEPCO\\tanakaで"
    )
    assert redacted(text, profile) == (
        "サーバ[REDACTED:domain]と[REDACTED:ip]へ、端末[REDACTED:hostname]の通信。"
        "電話[REDACTED:phone]まで。SIDは[REDACTED:sid]、[REDACTED:domain]\\[REDACTED:username]で"
    )
