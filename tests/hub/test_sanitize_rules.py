"""Unit tests for the sanitizer's individual rules."""

from __future__ import annotations

import ipaddress

import pytest
from stix2.pattern_visitor import create_pattern_object
from stix2.registry import class_for_type

from hub.sanitize import MemberProfile, Policy
from hub.sanitize.ids import deterministic_sco_id, is_hub_id, mint
from hub.sanitize.patterns import PatternRedactor
from hub.sanitize.report import mask
from hub.sanitize.text import TextRedactor
from hub.sanitize.values import domain_matches, is_victim_ip

PROFILE = MemberProfile(
    member_key="m",
    names=("Acme Widgets", "三菱重工業", "ミツビシ", "NEC"),
    dns_domains=("example.co.jp",),
    email_domains=("mail.example.jp",),
    ip_ranges=(ipaddress.ip_network("133.242.10.0/24"),),
    ad_domains=("CORP",),
    hostname_patterns=("WS-*", "tky-srv-??"),
    terms=("Project Nova",),
)
R = TextRedactor(PROFILE)


def red(text: str) -> str:
    return R.redact(text)[0]


@pytest.mark.parametrize(
    "value,victim",
    [
        ("10.1.2.3", True),
        ("192.168.0.1", True),
        ("172.16.5.5", True),
        ("127.0.0.1", True),
        ("169.254.1.1", True),
        ("100.64.0.1", True),
        ("fe80::1", True),
        ("fd00::1", True),
        ("133.242.10.77", True),
        ("133.242.11.77", False),
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
        ("10.0.0.0/8", True),
        ("133.242.0.0/16", True),
        ("223.166.0.0/15", False),
        ("not-an-ip", False),
        # Documentation ranges stand for attacker infrastructure unless the member registers them.
        ("198.51.100.23", False),
        ("203.0.113.9", False),
        ("192.0.2.1", False),
        ("2001:db8::5", False),
        ("198.51.100.0/24", False),
    ],
)
def test_ip_classification(value: str, victim: bool) -> None:
    assert is_victim_ip(value, PROFILE.ip_ranges) is victim


def test_a_registered_documentation_range_is_the_member_s() -> None:
    ranges = (ipaddress.ip_network("203.0.113.0/25"),)
    assert is_victim_ip("203.0.113.7", ranges)
    assert not is_victim_ip("203.0.113.200", ranges)


@pytest.mark.parametrize(
    "value,member",
    [
        ("example.co.jp", True),
        ("VPN.Example.CO.JP", True),
        ("a.b.example.co.jp.", True),
        ("example[.]co[.]jp", True),
        ("example.co.jp.evil.com", False),
        ("badexample.co.jp", False),
        ("example.co.jp-login.top", False),
        ("co.jp", False),
    ],
)
def test_domain_matching_rejects_look_alikes(value: str, member: bool) -> None:
    assert domain_matches(value, PROFILE.all_domains) is member


@pytest.mark.parametrize(
    "text",
    [
        "visit example.co.jp.evil.com now",
        "badexample.co.jp",
        "example.co.jp-login.top",
        "hxxp://example.co.jp.evil.com/x",
    ],
)
def test_look_alike_domains_survive_in_text(text: str) -> None:
    assert red(text) == text


@pytest.mark.parametrize(
    "text,expected",
    [
        ("C:\\Users\\alice\\AppData\\x.exe", "C:\\Users\\[REDACTED:username]\\AppData\\x.exe"),
        (
            "C:\\Documents and Settings\\bob smith\\x",
            "C:\\Documents and Settings\\[REDACTED:username]\\x",
        ),
        ("/home/carol/.ssh/id_rsa", "/home/[REDACTED:username]/.ssh/id_rsa"),
        ("/Users/dave/Library", "/Users/[REDACTED:username]/Library"),
        ("C:\\Users\\Public\\x.exe", "C:\\Users\\Public\\x.exe"),
        ("\\\\fileserver01\\keiri\\a", "\\\\[REDACTED:hostname]\\[REDACTED:share]\\a"),
        ("\\\\fs02\\c$\\w.exe", "\\\\[REDACTED:hostname]\\c$\\w.exe"),
        ("\\\\evil.example.net@SSL\\x", "\\\\evil.example.net@SSL\\x"),
        ("CORP\\erin logged on", "[REDACTED:domain]\\[REDACTED:username] logged on"),
    ],
)
def test_usernames_in_paths(text: str, expected: str) -> None:
    assert red(text) == expected


def test_windows_sids_redacted_anywhere() -> None:
    out = red("HKU\\S-1-5-21-3623811015-3361044348-30300820-1013\\Software and s-1-5-21-1-2-3")
    assert out == "HKU\\[REDACTED:sid]\\Software and [REDACTED:sid]"
    assert red("S-1-5-18 is SYSTEM") == "S-1-5-18 is SYSTEM"


@pytest.mark.parametrize(
    "text",
    [
        "三菱重工業の社員",
        "ﾐﾂﾋﾞｼ",
        "ミツビシ",
        "ＡＣＭＥ　ＷＩＤＧＥＴＳ",
        "acme-widgets",
        "AcmeWidgets",
    ],
)
def test_names_unicode_aware(text: str) -> None:
    out = red(text)
    assert "[REDACTED:member-name]" in out
    assert "三菱" not in out and "acme" not in out.lower() and "ﾐﾂ" not in out


def test_short_ascii_names_need_letter_boundaries() -> None:
    assert red("connection via NEC router") == "connection via [REDACTED:member-name] router"


def test_fullwidth_and_defanged_values() -> None:
    assert red("１０．１．２．３") == "[REDACTED:ip]"
    assert red("ｍａｉｌ．ｅｘａｍｐｌｅ．ｃｏ．ｊｐ") == "[REDACTED:domain]"
    assert red("hxxps://vpn[.]example[.]co[.]jp/login") == "hxxps://[REDACTED:domain]/login"
    assert red("soc[@]mail.example.jp") == "[REDACTED:email]"


@pytest.mark.parametrize(
    "text,redacted",
    [
        ("call 03-1234-5678", True),
        ("+81 3 1234 5678", True),
        ("(03) 5981-2277", True),
        ("０９０－１２３４－５６７８", True),
        ("2016-05-12T08:17:27Z", False),
        ("219.90.112.203", False),
        ("T1566.001", False),
        ("CVE-2021-44228", False),
        ("port 4444 and 8080", False),
    ],
)
def test_phone_numbers(text: str, redacted: bool) -> None:
    assert ("[REDACTED:phone]" in red(text)) is redacted


def test_attacker_values_survive_free_text() -> None:
    text = (
        "PlugX C2 45.77.12.9 and login.phishbank.xyz, hash d41d8cd98f00b204e9800998ecf8427e, "
        "T1059.001 CVE-2021-44228 2606:4700:4700::1111 http://evil.top/a.php"
    )
    assert red(text) == text


def test_hostname_globs() -> None:
    assert (
        red("seen on ws-0042 and tky-srv-07")
        == "seen on [REDACTED:hostname] and [REDACTED:hostname]"
    )
    assert red("tky-srv-123 stays") == "tky-srv-123 stays"


def test_redaction_is_idempotent() -> None:
    once = red("Acme Widgets at 10.0.0.1 C:\\Users\\bob\\x ws-1 Project Nova 03-1234-5678")
    assert red(once) == once


def test_keyed_ids_are_stable_unforgeable_and_v4() -> None:
    a = mint(b"k", "member", "indicator--x")
    assert a == mint(b"k", "member", "indicator--x")
    assert a != mint(b"k", "other", "indicator--x") != mint(b"j", "member", "indicator--x")
    assert a[len("indicator--") :][14] == "4" and a[len("indicator--") :][19] in "89ab"
    assert is_hub_id(b"k", a) and not is_hub_id(b"j", a)
    assert not is_hub_id(b"k", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")


def test_deterministic_sco_ids_match_stix2() -> None:
    d = "directory--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
    cases = [
        {
            "type": "file",
            "name": "a.exe",
            "hashes": {"SHA-1": "aa" * 20, "MD5": "bb" * 16},
            "parent_directory_ref": d,
        },
        {
            "type": "email-message",
            "is_multipart": False,
            "subject": "件名",
            "from_ref": "email-addr--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "body": "x\ny",
        },
        {
            "type": "network-traffic",
            "dst_ref": "ipv4-addr--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "protocols": ["tcp"],
            "dst_port": 80,
        },
        {"type": "windows-registry-key", "key": "HKLM\\a", "values": [{"name": "v"}]},
        {"type": "user-account", "user_id": "1001", "account_type": "unix"},
    ]
    for case in cases:
        cls = class_for_type(case["type"], "2.1", "observables")
        assert deterministic_sco_id(case) == cls(**case).id
    assert deterministic_sco_id({"type": "process", "pid": 1}) is None


def _pat(pattern: str) -> str | None:
    return PatternRedactor(R, drop_user_accounts=True).redact(pattern).pattern


def test_pattern_pruning_keeps_attacker_comparisons() -> None:
    out = _pat(
        "[ipv4-addr:value = '10.0.0.1' OR domain-name:value = 'evil.com'] AND "
        "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'] WITHIN 300 SECONDS"
    )
    assert out == (
        "[domain-name:value = 'evil.com'] AND "
        "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'] WITHIN 300 SECONDS"
    )
    create_pattern_object(out, version="2.1")


@pytest.mark.parametrize(
    "pattern",
    [
        "[domain-name:value = 'mail.example.co.jp']",
        "[ipv4-addr:value = '133.242.10.5'] FOLLOWEDBY [email-addr:value = 'a@mail.example.jp']",
        "[user-account:user_id = 'alice@mail.example.jp']",
        "[user-account:account_login = 'CORP\\\\alice']",
    ],
)
def test_pattern_with_only_victim_values_is_emptied(pattern: str) -> None:
    assert _pat(pattern) is None


def test_an_account_an_indicator_names_is_the_attacker_s() -> None:
    # An account the attacker created on an appliance is what the indicator detects.
    pattern = "[user-account:account_login = 'svc_backup01']"
    assert _pat(pattern) == pattern


def test_pattern_lists_and_paths() -> None:
    out = _pat(
        "([ipv4-addr:value IN ('10.0.0.1', '8.8.8.8')] OR "
        "[file:parent_directory_ref.path = 'C:\\\\Users\\\\alice\\\\Temp']) REPEATS 2 TIMES"
    )
    assert out == (
        "([ipv4-addr:value IN ('8.8.8.8')] OR "
        "[file:parent_directory_ref.path LIKE 'C:\\\\Users\\\\%\\\\Temp']) "
        "REPEATS 2 TIMES"
    )
    create_pattern_object(out, version="2.1")
    assert _pat(out) == out


def test_clean_pattern_left_untouched_byte_for_byte() -> None:
    pattern = "[url:value='http://x4z9arb.cn/4712/']"
    assert _pat(pattern) == pattern


@pytest.mark.parametrize(
    "value,rule,masked",
    [
        ("alice@mail.example.jp", "email", "a***@m***.jp"),
        ("10.214.133.7", "private-ip", "10.*.*.7"),
        ("Acme Widgets", "member-name", "A***s"),
        ("三菱重工業", "member-name", "三***"),
        ("03-1234-5678", "phone", "03***8"),
        ("S-1-5-21-1-2-3", "windows-sid", "S-1-5-21-***"),
    ],
)
def test_masking_hides_the_full_value(value: str, rule: str, masked: str) -> None:
    assert mask(value, rule) == masked
    assert value.lower() not in masked.lower()


def test_policy_round_trips_and_merges() -> None:
    policy = Policy(timestamps="day")
    assert Policy.from_json(policy.to_json()) == policy
    merged = policy.merged({"user_accounts": "redact", "allowed_custom_properties": ["x_a"]})
    assert merged.user_accounts == "redact" and merged.timestamps == "day"
    assert merged.allowed_custom_properties == ("x_a",)
    assert "mitre-attack" in Policy().allowed_external_sources
    with pytest.raises(ValueError):
        policy.merged({"free_text": "keep-everything"})
