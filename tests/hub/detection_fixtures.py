"""Rules as members write them, and a stand-in for the sanitizer's free-text redactor."""

from __future__ import annotations

import re

HUB_AUTHOR = "Mamori hub"

# What the redactor knows about the victim members (two of them: the submitter and a partner).
VICTIM_VALUES: dict[str, str] = {
    "fs01.corp.sepco.co.jp": "[REDACTED:hostname]",
    "sepco-ws-0142": "[REDACTED:hostname]",
    "mail-gw2.kyowa-shipping.jp": "[REDACTED:hostname]",
    "sepco.co.jp": "[REDACTED:domain]",
    "kyowa-shipping.jp": "[REDACTED:domain]",
    "SEPCO-CSIRT-2026-0117": "[REDACTED:term]",
    "INC-20261102": "[REDACTED:term]",
    "Shin-Etsu Power": "[REDACTED:member-name]",
    "SEPCO": "[REDACTED:member-name]",
    "Kyowa Shipping": "[REDACTED:member-name]",
    "協和海運": "[REDACTED:member-name]",
    "新越電力": "[REDACTED:member-name]",
    "柏崎発電所": "[REDACTED:site]",
    "Kashiwazaki Works": "[REDACTED:site]",
    "k.tanaka": "[REDACTED:person]",
    "Kenji Tanaka": "[REDACTED:person]",
    "Tanaka": "[REDACTED:person]",
    "田中 健": "[REDACTED:person]",
    "田中": "[REDACTED:person]",
    "佐藤 花子": "[REDACTED:person]",
    "hsato": "[REDACTED:person]",
    "10.20.31.7": "[REDACTED:ip]",
}
_VICTIM_RE = re.compile(
    "|".join(re.escape(v) for v in sorted(VICTIM_VALUES, key=len, reverse=True)), re.IGNORECASE
)
_BY_FOLD = {k.casefold(): v for k, v in VICTIM_VALUES.items()}

# The attacker's side: what the redactor leaves alone and the hub must keep.
ATTACKER_VALUES = (
    "update-check.msft-cdn.net",
    "198.51.100.23",
    "invoice_2026_11.lnk",
    "C:\\ProgramData\\Intel\\svchost.exe",
    "Global\\MTX_0x5f3a",
    "44d88612fea8a8f36de82e1278abb02f",
    "PlugX",
    "-enc JABjAGwAaQBlAG4AdAA",
    "請求書_2026年11月.zip",
)


def fake_redact(text: str) -> str:
    """Every victim value (case-insensitively) replaced by its token; idempotent."""
    return _VICTIM_RE.sub(lambda m: _BY_FOLD[m.group().casefold()], text)


def victims_in(text: str) -> list[str]:
    """The victim values still present in text (case-insensitive)."""
    folded = text.casefold()
    return [v for v in VICTIM_VALUES if v.casefold() in folded]


YARA_MEMBER_RULE = r"""
import "pe"

/*
   作成: 田中 健 (SEPCO-CSIRT)  社内チケット SEPCO-CSIRT-2026-0117
   Found on fs01.corp.sepco.co.jp during the Kashiwazaki Works incident.
*/
rule SEPCO_PlugX_Loader_Kashiwazaki : apt plugx sepco
{
    meta:
        author = "田中 健 <k.tanaka@sepco.co.jp>"
        analyst = "佐藤 花子"
        description = "PlugX loader dropped on sepco-ws-0142 via invoice_2026_11.lnk"
        case_id = "SEPCO-CSIRT-2026-0117"
        internal_ref = "INC-20261102"
        reference = "https://wiki.corp.sepco.co.jp/csirt/SEPCO-CSIRT-2026-0117"
        reference = "https://blog.talosintelligence.com/plugx-2026/"
        date = "2026-11-02"
        tlp = "amber"
        score = 85
        hunting = false
    strings:
        // C2 and mutex seen from the attacker
        $c2 = "update-check.msft-cdn.net" ascii wide
        $mutex = "Global\\MTX_0x5f3a"
        $drop = "C:\\ProgramData\\Intel\\svchost.exe" nocase
        $victim_share = "\\\\fs01.corp.sepco.co.jp\\share\\経理" wide
        $victim_user = "C:\\Users\\k.tanaka\\AppData\\Local\\Temp" ascii
        $hex_host = { 73 65 70 63 6F 2D 77 73 2D 30 31 34 32 }
        $mz = { 4D 5A 90 00 [4-16] 50 45 00 00 }
        $re_beacon = /\/api\/v2\/(ping|check)\?h=[a-z0-9]{8}/ nocase
        $re_victim = /fs01\.corp\.sepco\.co\.jp/
    condition:
        uint16(0) == 0x5A4D and pe.number_of_sections > 3 and
        ($c2 or $mutex) and $drop and any of ($victim*) and 1 of ($hex*, $mz) and
        #re_beacon > 1 and any of ($re_*)
}

rule Kyowa_Shipping_Phish_Attachment
{
    meta:
        author = "hsato"
        description = "協和海運 経由で転送された請求書メールの添付 (請求書_2026年11月.zip)"
        contact = "soc@kyowa-shipping.jp"
    strings:
        $name = "請求書_2026年11月.zip" wide ascii
        $gw = "mail-gw2.kyowa-shipping.jp"
        $hash = "44d88612fea8a8f36de82e1278abb02f"
    condition:
        $name and $gw and $hash and SEPCO_PlugX_Loader_Kashiwazaki
}
"""

SIGMA_MEMBER_RULE = """\
title: SEPCO 柏崎発電所で観測された PowerShell の不審な起動
id: 0f6a3b1e-8a51-4c36-9f5b-2a4d6e8c1b70
related:
  - id: 2d1c4b3a-9e8f-4a7b-8c6d-5e4f3a2b1c0d
    type: derived
status: experimental
description: |
  fs01.corp.sepco.co.jp と sepco-ws-0142 で検出 (担当: 田中 健, 佐藤 花子)。
  Attacker C2 update-check.msft-cdn.net / 198.51.100.23.
author: Kenji Tanaka (SEPCO-CSIRT)
date: 2026-11-02
modified: 2026-11-05
references:
  - https://attack.mitre.org/techniques/T1059/001/
  - https://wiki.corp.sepco.co.jp/csirt/SEPCO-CSIRT-2026-0117
  - SEPCO-CSIRT-2026-0117
  - \\\\fs01.corp.sepco.co.jp\\csirt\\report.docx
  - https://intranet/soc/INC-20261102
tags:
  - attack.execution
  - attack.t1059.001
  - sepco.kashiwazaki
logsource:
  product: windows
  category: process_creation
detection:
  selection_ps:
    Image|endswith: '\\powershell.exe'
    CommandLine|contains|all:
      - '-enc JABjAGwAaQBlAG4AdAA'
      - 'update-check.msft-cdn.net'
  selection_victim:
    ComputerName:
      - 'sepco-ws-0142'
      - 'fs01.corp.sepco.co.jp'
  filter_sepco_admin:
    User: 'SEPCO\\\\k.tanaka'
    ParentImage|endswith: '\\\\sepco_deploy.exe'
  condition: selection_ps and selection_victim and not filter_sepco_admin
fields:
  - CommandLine
  - ComputerName
  - User
falsepositives:
  - k.tanaka の管理スクリプト (Kashiwazaki Works)
  - Legitimate admin activity
level: high
x_sepco_case: SEPCO-CSIRT-2026-0117
internal_owner: 田中 健
"""
