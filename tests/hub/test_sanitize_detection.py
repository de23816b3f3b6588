"""YARA and Sigma indicators: the member's details go, the attacker's stay, the rule still loads."""

from __future__ import annotations

import re

import pytest
import yaml
import yara
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sigma.collection import SigmaCollection
from sigma.rule import SigmaRule

from hub.sanitize.detection import DetectionError, rewrite_sigma, rewrite_yara
from hub.sanitize.detection.yaraparse import parse as parse_yara
from hub.sanitize.detection.yaraparse import regex_escape
from tests.hub.detection_fixtures import (
    ATTACKER_VALUES,
    HUB_AUTHOR,
    SIGMA_MEMBER_RULE,
    VICTIM_VALUES,
    YARA_MEMBER_RULE,
    fake_redact,
    victims_in,
)

PROFILE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _hex(text: str) -> str:
    return " ".join(f"{b:02x}" for b in text.encode("utf-8"))


def _no_victim(text: str) -> None:
    assert victims_in(text) == []
    flat = re.sub(r"\s+", " ", text.lower())
    for value in VICTIM_VALUES:
        assert _hex(value) not in flat, value


# --- YARA ---------------------------------------------------------------------------------


def test_member_yara_rule_keeps_the_attacker_and_loses_the_member() -> None:
    out = rewrite_yara(YARA_MEMBER_RULE, fake_redact, hub_author=HUB_AUTHOR)
    _no_victim(out.text)
    yara.compile(source=out.text)
    for value in (
        "update-check.msft-cdn.net",
        "Global\\\\MTX_0x5f3a",
        "C:\\\\ProgramData\\\\Intel\\\\svchost.exe",
        "44d88612fea8a8f36de82e1278abb02f",
        "請求書_2026年11月.zip",
        "{ 4D 5A 90 00 [4-16] 50 45 00 00 }",
        r"/\/api\/v2\/(ping|check)\?h=[a-z0-9]{8}/",
        "https://blog.talosintelligence.com/plugx-2026/",
    ):
        assert value in out.text, value
    assert out.text.count(f'author = "{HUB_AUTHOR}"') == 2
    assert "analyst" not in out.text and "contact" not in out.text
    assert "case_id" not in out.text and "internal_ref" not in out.text
    assert "作成" not in out.text  # the comment went with its contents
    assert "score = 85" in out.text and "hunting = false" in out.text
    rules = {c.rule for c in out.changes}
    assert {
        "detection-author",
        "detection-internal-ref",
        "detection-reference",
        "detection-text",
        "detection-string-dropped",
        "detection-string-replaced",
        "detection-name",
        "detection-tag",
        "detection-comment",
    } <= rules


def test_a_victim_string_goes_when_a_set_still_covers_the_condition() -> None:
    out = rewrite_yara(YARA_MEMBER_RULE, fake_redact, hub_author=HUB_AUTHOR)
    dropped = {
        c.path.rsplit(".", 1)[1] for c in out.changes if c.rule == "detection-string-dropped"
    }
    replaced = {
        c.path.rsplit(".", 1)[1] for c in out.changes if c.rule == "detection-string-replaced"
    }
    # $re_victim is one of `any of ($re_*)`; $hex_host is the only match of `$hex*` in
    # `1 of ($hex*, $mz)` and of the two victim strings in `any of ($victim*)` one must stay
    # (a wildcard matching nothing does not compile).
    assert "$re_victim" in dropped and "$hex_host" in replaced
    assert len({"$victim_share", "$victim_user"} & dropped) == 1
    assert len({"$victim_share", "$victim_user"} & replaced) == 1
    # the attacker's strings named one by one in the condition are untouched
    assert not {"$c2", "$mutex", "$drop", "$mz", "$re_beacon"} & (dropped | replaced)


def test_a_string_named_in_the_condition_is_replaced_not_dropped() -> None:
    src = r"""rule r { strings: $a = "\\\\fs01.corp.sepco.co.jp\\c$" $b = "evil" condition: $a and $b }"""
    out = rewrite_yara(src, fake_redact, hub_author=HUB_AUTHOR)
    assert '$a = "\\\\\\\\[REDACTED:hostname]\\\\c$"' in out.text
    assert [c.rule for c in out.changes] == ["detection-string-replaced"]
    yara.compile(source=out.text)


def test_rule_named_after_the_victim_gets_a_neutral_name_everywhere() -> None:
    src = "rule SEPCO_dropper { condition: true }\nrule b { condition: SEPCO_dropper }\n"
    out = rewrite_yara(src, fake_redact, hub_author=HUB_AUTHOR)
    assert "rule REDACTED_member_name_dropper" in out.text
    assert "condition:\n\t\tREDACTED_member_name_dropper" in out.text
    yara.compile(source=out.text)


def test_victim_values_in_condition_strings_are_redacted() -> None:
    src = (
        'import "pe"\nrule r { condition: pe.version_info["CompanyName"] contains '
        '"Shin-Etsu Power" or pe.imphash() == "44d88612fea8a8f36de82e1278abb02f" }'
    )
    out = rewrite_yara(src, fake_redact, hub_author=HUB_AUTHOR)
    assert '"[REDACTED:member-name]"' in out.text
    assert "44d88612fea8a8f36de82e1278abb02f" in out.text
    yara.compile(source=out.text)


def test_wide_hex_string_of_a_victim_host_is_found() -> None:
    wide = " ".join(f"{ord(ch):02X} 00" for ch in "sepco-ws-0142")
    src = f'rule r {{ strings: $a = {{ {wide} }} $b = "x" condition: any of them }}'
    out = rewrite_yara(src, fake_redact, hub_author=HUB_AUTHOR)
    assert "$a" not in out.text and '$b = "x"' in out.text


def test_yara_include_is_refused() -> None:
    with pytest.raises(DetectionError, match="include"):
        rewrite_yara(
            'include "C:\\\\rules\\\\sepco.yar"\nrule a { condition: true }',
            fake_redact,
            hub_author=HUB_AUTHOR,
        )


def test_yara_without_any_member_detail_is_unchanged_in_substance() -> None:
    src = 'rule a : t { meta: author = "x" strings: $a = "evil" condition: $a }'
    out = rewrite_yara(src, fake_redact, hub_author=HUB_AUTHOR)
    assert [c.rule for c in out.changes] == ["detection-author"]
    again = rewrite_yara(out.text, fake_redact, hub_author=HUB_AUTHOR)
    assert again.text == out.text and again.changes == ()


# --- Sigma --------------------------------------------------------------------------------


def test_member_sigma_rule_keeps_the_attacker_and_loses_the_member() -> None:
    out = rewrite_sigma(SIGMA_MEMBER_RULE, fake_redact, hub_author=HUB_AUTHOR)
    _no_victim(out.text)
    [rule] = SigmaCollection.from_yaml(out.text).rules
    doc = yaml.safe_load(out.text)
    assert doc["author"] == HUB_AUTHOR
    assert doc["id"] == "0f6a3b1e-8a51-4c36-9f5b-2a4d6e8c1b70"
    assert doc["related"] == [{"id": "2d1c4b3a-9e8f-4a7b-8c6d-5e4f3a2b1c0d", "type": "derived"}]
    assert doc["references"] == ["https://attack.mitre.org/techniques/T1059/001/"]
    assert doc["tags"] == ["attack.execution", "attack.t1059.001"]
    assert "x_sepco_case" not in doc and "internal_owner" not in doc
    ps = doc["detection"]["selection_ps"]
    assert ps["CommandLine|contains|all"] == [
        "-enc JABjAGwAaQBlAG4AdAA",
        "update-check.msft-cdn.net",
    ]
    assert "update-check.msft-cdn.net / 198.51.100.23" in doc["description"]
    assert doc["falsepositives"][1] == "Legitimate admin activity"
    assert "filter_REDACTED_member_name_admin" in doc["detection"]
    assert doc["detection"]["condition"] == (
        "selection_ps and selection_victim and not filter_REDACTED_member_name_admin"
    )
    assert isinstance(rule, SigmaRule)
    for cond in rule.detection.parsed_condition:
        cond.parse()
    assert {
        "detection-author",
        "detection-reference",
        "detection-tag",
        "detection-custom-key",
        "detection-text",
        "detection-value",
        "detection-name",
    } <= {c.rule for c in out.changes}


def test_sigma_correlation_follows_renamed_rules() -> None:
    src = """\
title: base
name: sepco_logon
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4625}
  condition: sel
---
title: many failures
correlation:
  type: event_count
  rules: [sepco_logon]
  group-by: [TargetUserName]
  timespan: 5m
  condition: {gte: 10}
"""
    out = rewrite_sigma(src, fake_redact, hub_author=HUB_AUTHOR)
    docs = list(yaml.safe_load_all(out.text))
    assert docs[0]["name"] == "REDACTED_member_name_logon"
    assert docs[1]["correlation"]["rules"] == ["REDACTED_member_name_logon"]
    assert len(SigmaCollection.from_yaml(out.text).rules) == 2


@pytest.mark.parametrize(
    "source, message",
    [
        ("title: [unclosed", "YAML"),
        ("title: x\ntitle: y\n", "duplicate key"),
        ("title: !!python/object:os.system x\n", "YAML"),
        ("- a\n- b\n", "mapping"),
        (
            "title: x\nlogsource: {product: windows}\ndetection:\n  sel: {a: 1}\n  condition: nope\n",
            "invalid Sigma rule",
        ),
    ],
)
def test_sigma_refusals_are_one_line(source: str, message: str) -> None:
    with pytest.raises(DetectionError, match=message) as info:
        rewrite_sigma(source, fake_redact, hub_author=HUB_AUTHOR)
    assert "\n" not in str(info.value)


# --- properties ---------------------------------------------------------------------------

victim = st.sampled_from(sorted(VICTIM_VALUES))
attacker = st.sampled_from(ATTACKER_VALUES)
filler = st.sampled_from(["seen on", "via", "担当:", "from", "and", "経由", ""])
phrase = st.lists(st.one_of(victim, attacker, filler), min_size=1, max_size=4).map(" ".join)


def _yara_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


@st.composite
def yara_rules(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A member's rule, and the attacker strings (as written) that must survive."""
    meta_keys = draw(
        st.lists(
            st.sampled_from(
                [
                    "author",
                    "description",
                    "case",
                    "ticket_no",
                    "reference",
                    "analyst",
                    "note",
                    "source_host",
                ]
            ),
            max_size=5,
            unique=True,
        )
    )
    meta = [f'{k} = "{_yara_text(draw(phrase))}"' for k in meta_keys]
    meta.append(f"score = {draw(st.integers(0, 100))}")
    strings, keep, names = [], [], []
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["text", "hex", "regex"]))
        value = draw(st.one_of(victim, attacker))
        name = f"$s{i}"
        names.append(name)
        if kind == "text":
            literal = f'"{_yara_text(value)}"'
        elif kind == "hex":
            literal = "{ " + _hex(value) + " }"
        else:
            literal = "/" + regex_escape(value) + "/"  # plyara reads regexes as ASCII
        strings.append(f"{name} = {literal}")
        if value in ATTACKER_VALUES and not any(
            v.casefold() in value.casefold() for v in VICTIM_VALUES
        ):
            keep.append(literal)
    condition = draw(
        st.sampled_from(
            [
                "any of them",
                "all of them",
                "any of ($s*)",
                f"{names[0]} or any of them",
                f"#{names[0][1:]} > 0 and 1 of them",
            ]
        )
    )
    name = draw(st.sampled_from(["APT_Loader", "SEPCO_Loader", "Kyowa_Shipping_phish", "r1"]))
    tags = " ".join(draw(st.lists(st.sampled_from(["apt", "sepco", "plugx"]), unique=True)))
    head = f"rule {name} : {tags}" if tags else f"rule {name}"
    comment = f"// {draw(phrase)}\n"
    source = (
        f"{comment}{head}\n{{\n meta:\n  "
        + "\n  ".join(meta)
        + "\n strings:\n  "
        + "\n  ".join(strings)
        + f"\n condition:\n  {condition}\n}}\n"
    )
    return source, keep


@PROFILE
@given(yara_rules())
def test_yara_property_parses_redacts_keeps_and_is_idempotent(case: tuple[str, list[str]]) -> None:
    source, keep = case
    yara.compile(source=source)
    out = rewrite_yara(source, fake_redact, hub_author=HUB_AUTHOR)
    parse_yara(out.text)
    yara.compile(source=out.text)
    _no_victim(out.text)
    for literal in keep:
        assert literal.lower() in out.text.lower(), literal
    again = rewrite_yara(out.text, fake_redact, hub_author=HUB_AUTHOR)
    assert again.text == out.text
    assert again.changes == ()


@st.composite
def sigma_rules(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A member's Sigma rule, and the attacker values that must survive in its detection."""
    values = draw(st.lists(st.one_of(victim, attacker), min_size=1, max_size=5))
    keep = [v for v in values if not victims_in(v)]
    doc: dict[str, object] = {
        "title": draw(phrase),
        "id": "6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f",
        "description": draw(phrase),
        "author": draw(st.one_of(victim, st.just("someone"))),
        "references": draw(
            st.lists(
                st.sampled_from(
                    [
                        "https://attack.mitre.org/techniques/T1566/",
                        "https://wiki.corp.sepco.co.jp/x",
                        "INC-20261102",
                        "https://nvd.nist.gov/vuln/detail/CVE-2024-3400",
                        "http://10.20.31.7/case",
                    ]
                ),
                max_size=3,
                unique=True,
            )
        ),
        "tags": draw(
            st.lists(
                st.sampled_from(["attack.t1566", "sepco.internal", "attack.initial_access"]),
                unique=True,
            )
        ),
        "logsource": {"product": "windows", "category": "process_creation"},
        "detection": {
            "selection": {"CommandLine|contains": values},
            "filter_" + draw(st.sampled_from(["admin", "sepco"])): {
                "User": draw(st.one_of(victim, attacker))
            },
            "condition": "selection and not 1 of filter_*",
        },
        "falsepositives": [draw(phrase)],
        "level": "medium",
    }
    if draw(st.booleans()):
        doc["x_" + draw(st.sampled_from(["sepco_case", "owner"]))] = draw(phrase)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), keep


@PROFILE
@given(sigma_rules())
def test_sigma_property_parses_redacts_keeps_and_is_idempotent(case: tuple[str, list[str]]) -> None:
    source, keep = case
    out = rewrite_sigma(source, fake_redact, hub_author=HUB_AUTHOR)
    SigmaCollection.from_yaml(out.text)
    _no_victim(out.text)
    doc = yaml.safe_load(out.text)
    for value in keep:
        assert value in doc["detection"]["selection"]["CommandLine|contains"]
    assert all(
        not r.startswith("http://10.") and "wiki.corp" not in r for r in doc.get("references", [])
    )
    assert not [k for k in doc if k.startswith("x_")]
    again = rewrite_sigma(out.text, fake_redact, hub_author=HUB_AUTHOR)
    assert again.text == out.text
    assert again.changes == ()


def test_every_detection_rule_name_is_explained() -> None:
    from pathlib import Path

    from hub.sanitize.rules import RULE_EXPLANATIONS

    package = Path(__file__).resolve().parents[2] / "hub" / "sanitize" / "detection"
    names = set()
    for path in package.glob("*.py"):
        names |= set(re.findall(r'"(detection-[a-z\-]+)"', path.read_text()))
    assert "detection-author" in names
    assert sorted(names - RULE_EXPLANATIONS.keys()) == []


# --- through the sanitizer ----------------------------------------------------------------


def test_sanitizer_rewrites_yara_and_sigma_indicators_against_every_members_registry() -> None:
    import ipaddress

    from hub.sanitize import MemberProfile, Policy, sanitize
    from hub.sanitize.rules import RULE_EXPLANATIONS
    from tests.hub.sanitize_corpus import HUB, SECRET, SECTOR

    submitter = MemberProfile(
        member_key="sepco",
        names=("Shin-Etsu Power", "SEPCO", "新越電力"),
        dns_domains=("sepco.co.jp",),
        email_domains=("sepco.co.jp",),
        ip_ranges=(ipaddress.ip_network("10.20.0.0/16"),),
        hostname_patterns=("sepco-ws-[0-9][0-9][0-9][0-9]",),
        sites=("柏崎発電所", "Kashiwazaki Works"),
        id_formats=("SEPCO-CSIRT-####-####", "INC-#*"),
    )
    partner = MemberProfile(
        member_key="kyowa",
        names=("Kyowa Shipping", "協和海運"),
        dns_domains=("kyowa-shipping.jp",),
        email_domains=("kyowa-shipping.jp",),
    )
    base = {
        "spec_version": "2.1",
        "created": "2026-11-02T01:02:03.000Z",
        "modified": "2026-11-02T01:02:03.000Z",
        "valid_from": "2026-11-02T00:00:00Z",
        "type": "indicator",
    }
    objects = [
        {
            **base,
            "id": "indicator--1d6c6f37-3d0a-4b8e-9a3e-5b8e0b1c2d3e",
            "name": "YARA",
            "pattern_type": "yara",
            "pattern": YARA_MEMBER_RULE,
        },
        {
            **base,
            "id": "indicator--2e7d7a48-4e1b-4c9f-8b4f-6c9f1c2d3e4f",
            "name": "Sigma",
            "pattern_type": "sigma",
            "pattern": SIGMA_MEMBER_RULE,
        },
    ]
    out = sanitize(
        objects,
        submitter,
        Policy(),
        secret=SECRET,
        hub_identity=HUB,
        sector=SECTOR,
        others=[partner],
    )
    patterns = {
        o["pattern_type"]: o["pattern"] for o in out.objects if o.get("type") == "indicator"
    }
    assert set(patterns) == {"yara", "sigma"}
    yara.compile(source=patterns["yara"])
    SigmaCollection.from_yaml(patterns["sigma"])
    for text in patterns.values():
        for value in (
            "sepco.co.jp",
            "kyowa-shipping.jp",
            "SEPCO-CSIRT-2026-0117",
            "INC-20261102",
            "sepco-ws-0142",
            "Kashiwazaki Works",
            "柏崎発電所",
            "協和海運",
            "Shin-Etsu Power",
        ):
            assert value.lower() not in text.lower(), value
        assert "update-check.msft-cdn.net" in text
    assert "44d88612fea8a8f36de82e1278abb02f" in patterns["yara"]
    rules = [c.rule for c in out.report.changes]
    assert "detection-author" in rules
    assert not set(rules) - RULE_EXPLANATIONS.keys() - {"detection-rewrite"}


@pytest.mark.parametrize("kind", ["yara", "sigma"])
def test_redact_sees_each_text_once(kind: str) -> None:
    """A redactor that records its findings reports each one once, however often the
    rewriter (names, references, the retry without drops) looks at the same value."""
    calls: dict[str, int] = {}

    def counting(text: str) -> str:
        calls[text] = calls.get(text, 0) + 1
        return fake_redact(text)

    if kind == "yara":
        rewrite_yara(YARA_MEMBER_RULE, counting, hub_author=HUB_AUTHOR)
    else:
        rewrite_sigma(SIGMA_MEMBER_RULE, counting, hub_author=HUB_AUTHOR)
    assert calls and max(calls.values()) == 1


def test_rule_set_wildcard_follows_the_renamed_rules() -> None:
    src = (
        "rule SEPCO_dropper { condition: true }\nrule SEPCO_loader { condition: false }\n"
        "rule any_stage { condition: any of (SEPCO_*) }\n"
    )
    out = rewrite_yara(src, fake_redact, hub_author=HUB_AUTHOR)
    assert victims_in(out.text) == []
    assert "any of ( REDACTED_member_name_ * )" in out.text  # plyara's spelling of a set
    yara.compile(source=out.text)


def test_private_and_global_rules_keep_their_scope() -> None:
    src = 'private rule p { strings: $a = "x" condition: $a }\nglobal rule g { condition: p }'
    out = rewrite_yara(src, fake_redact, hub_author=HUB_AUTHOR)
    assert "private rule p" in out.text and "global rule g" in out.text
    yara.compile(source=out.text)


def test_sigma_regex_values_are_redacted_as_the_text_they_match() -> None:
    src = (
        "title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n"
        "    CommandLine|re: '.*\\\\\\\\fs01\\.corp\\.sepco\\.co\\.jp\\\\.*'\n"
        "    Image|re: '.*\\\\evil\\.exe'\n"
        "  net:\n    DestinationIp|cidr: ['10.20.31.7/32', '198.51.100.0/24']\n"
        "  condition: sel and net\n"
    )
    out = rewrite_sigma(src, fake_redact, hub_author=HUB_AUTHOR)
    assert victims_in(out.text) == []
    doc = yaml.safe_load(out.text)
    sel = doc["detection"]["sel"]
    # the redaction token is escaped, so the expression does not turn into a character class
    assert "\\[REDACTED:hostname\\]" in sel["CommandLine|re"]
    assert re.fullmatch(sel["CommandLine|re"], ".*\\\\[REDACTED:hostname]\\.*")
    assert sel["Image|re"] == ".*\\\\evil\\.exe"
    assert doc["detection"]["net"]["DestinationIp|cidr"] == ["198.51.100.0/24"]
    SigmaCollection.from_yaml(out.text)


def test_accounts_and_hosts_a_sigma_rule_only_excludes_are_the_members() -> None:
    # n.hayashi and kg-backup-01 are nowhere in the registry: a filter names them all the same
    src = """\
title: GlobalProtect exploitation then a local account
logsource: {product: panos, service: system}
detection:
  selection_account:
    eventid: useradd
    user|contains: [vpn_maint, helpdesk.tmp]
  filter_ops:
    src_user: [n.hayashi, 'KGAS\\\\svc_gpbackup']
    ComputerName: kg-backup-01
    Image|endswith: '\\\\backup.exe'
  filter_more:
    User: someone
  condition: selection_account and not filter_ops and not (filter_more)
"""
    out = rewrite_sigma(src, fake_redact, hub_author=HUB_AUTHOR)
    doc = yaml.safe_load(out.text)
    ops = doc["detection"]["filter_ops"]
    assert ops["src_user"] == ["[REDACTED:username]", "[REDACTED:username]"]
    assert ops["ComputerName"] == "[REDACTED:hostname]"
    assert ops["Image|endswith"] == "\\\\backup.exe"
    assert doc["detection"]["filter_more"]["User"] == "[REDACTED:username]"
    # the accounts the attacker created, in a selection that matches, stay
    assert doc["detection"]["selection_account"]["user|contains"] == ["vpn_maint", "helpdesk.tmp"]
    assert "detection-filter-value" in {c.rule for c in out.changes}
    SigmaCollection.from_yaml(out.text)
    again = rewrite_sigma(out.text, fake_redact, hub_author=HUB_AUTHOR)
    assert again.text == out.text and again.changes == ()


@pytest.mark.parametrize(
    "condition, excluded",
    [
        ("sel and not filter", {"filter"}),
        ("sel and not 1 of filter_*", {"filter_a", "filter_b"}),
        ("not (filter_a or filter_b) and sel", {"filter_a", "filter_b"}),
        ("not not filter_a and sel", set()),
        ("filter_a or not filter_a", set()),
        ("sel and not all of them", {"filter", "filter_a", "filter_b"}),
        ("not (sel and not filter_a)", {"sel"}),
    ],
)
def test_selections_only_excluded(condition: str, excluded: set[str]) -> None:
    from hub.sanitize.detection.sigmafilters import excluded_only

    names = ["sel", "filter", "filter_a", "filter_b"]
    assert excluded_only([condition], names) == excluded


def test_a_name_the_analyser_is_unsure_of_goes_from_a_sigma_rules_prose() -> None:
    src = (
        "title: Rare export of the mail store\n"
        "id: 5f0c6e0a-7d1b-4b8e-9f51-2a7c3d9e1b42\n"
        "status: experimental\n"
        "description: Export of the store, tuned with 森田 恵子 after the March case\n"
        "logsource:\n    product: windows\n    category: process_creation\n"
        "detection:\n    selection:\n        Image|endswith: '\\\\mailexport.exe'\n"
        "    condition: selection\n"
        "falsepositives:\n    - Nightly export by the backup operator (森田 恵子)\n"
        "level: medium\n"
    )
    out = rewrite_sigma(src, fake_redact, hub_author=HUB_AUTHOR)
    assert "森田" not in out.text and "mailexport.exe" in out.text
    SigmaCollection.from_yaml(out.text)
