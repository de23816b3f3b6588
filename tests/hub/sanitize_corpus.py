"""Submissions that mix a member's (victim) values with an attacker's, for sanitizer tests."""

from __future__ import annotations

import ipaddress
import json
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.sanitize import MemberProfile, SectorRef

OASIS = Path(__file__).resolve().parent.parent / "data" / "oasis"
SECRET = b"test-secret-0123456789abcdef0123"
SECTOR = SectorRef("energy", "Energy sector")
HUB = {
    "type": "identity",
    "spec_version": "2.1",
    "id": "identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
    "created": "2024-01-01T00:00:00.000Z",
    "modified": "2024-01-01T00:00:00.000Z",
    "name": "Mamori Hub",
    "identity_class": "organization",
}
T = "2024-03-05T10:17:23.456Z"
T2 = "2024-03-05T11:42:01.000Z"

ATTACKER = {
    "ips": ["45.77.12.9", "185.220.101.4", "2606:4700:4700::1111"],
    "domains": ["update-check.evil-cdn.top", "login.phishbank.xyz"],
    "urls": ["http://update-check.evil-cdn.top/a/b.php"],
    "hashes": [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "d41d8cd98f00b204e9800998ecf8427e",
    ],
    "malware": ["PlugX", "ShadowPad"],
    "attack_ids": ["T1566.001", "T1059.001"],
    "cves": ["CVE-2021-44228"],
    "emails": ["hr-dept@phishbank.xyz"],
}


def sid(n: int) -> str:
    return f"identity--00000000-0000-4000-8000-{n:012d}"


def oid(stix_type: str, n: int) -> str:
    return f"{stix_type}--11111111-2222-4333-8444-{n:012d}"


@dataclass(frozen=True)
class Planted:
    """One member's values planted into a submission; none may be published."""

    name: str
    jp_name: str
    domain: str
    email_domain: str
    cidr: str
    member_ip: str
    private_ip: str
    ad_domain: str
    host_prefix: str
    host: str
    username: str
    term: str
    phone: str
    person: str

    def profile(self) -> MemberProfile:
        return MemberProfile(
            member_key="member-1",
            names=(self.name, self.jp_name),
            dns_domains=(self.domain,),
            email_domains=(self.email_domain,),
            ip_ranges=(ipaddress.ip_network(self.cidr),),
            ad_domains=(self.ad_domain,),
            hostname_patterns=(f"{self.host_prefix}-*",),
            terms=(self.term,),
        )

    def secrets(self) -> list[str]:
        """The values whose appearance in any published byte is a leak."""
        return [
            self.name,
            self.jp_name,
            self.domain,
            self.email_domain,
            self.member_ip,
            self.private_ip,
            self.ad_domain,
            self.host,
            self.username,
            self.term,
            self.phone,
            self.person,
            f"user@{self.email_domain}",
        ]


def default_planted() -> Planted:
    return Planted(
        name="Kumotori Heavy Industries",
        jp_name="雲取重工業",
        domain="kumotori-hi.co.jp",
        email_domain="mail.kumotori-hi.jp",
        cidr="133.242.10.0/24",
        member_ip="133.242.10.77",
        private_ip="10.214.133.201",
        ad_domain="KMTRCORP",
        host_prefix="kmtws",
        host="kmtws-00417",
        username="hsatoyama",
        term="Project Hoshizora",
        phone="03-5981-2277",
        person="Hideo Satoyama",
    )


def build_submission(p: Planted) -> list[dict[str, Any]]:
    """A submission planting p in every channel the sanitizer covers, beside attacker data."""
    me = sid(1)
    base = {"spec_version": "2.1", "created": T, "modified": T2}
    sdo = {**base, "created_by_ref": me}
    text = (
        f"{p.name} ({p.jp_name}) SOC saw {ATTACKER['malware'][0]} beaconing from "
        f"{p.host}.{p.domain} ({p.private_ip}, {p.member_ip}) to {ATTACKER['ips'][0]} and "
        f"hxxp://{ATTACKER['domains'][0]}. Victim C:\\Users\\{p.username}\\AppData\\x.exe, "
        f"{p.ad_domain}\\{p.username}, S-1-5-21-3623811015-3361044348-30300820-1013, "
        f"mail soc@{p.email_domain}, call {p.phone}, {p.term}, {p.person}, "
        f"defanged vpn.{p.domain.replace('.', '[.]')}, {ATTACKER['attack_ids'][0]} "
        f"{ATTACKER['cves'][0]} {ATTACKER['hashes'][0]}."
    )
    e = ATTACKER
    objs: list[dict[str, Any]] = [
        {
            **base,
            "type": "identity",
            "id": me,
            "name": p.name,
            "identity_class": "organization",
            "contact_information": f"soc@{p.email_domain}",
        },
        {
            **base,
            "type": "identity",
            "id": sid(2),
            "name": p.person,
            "identity_class": "individual",
        },
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "created": T,
            "created_by_ref": me,
            "id": oid("marking-definition", 1),
            "definition_type": "statement",
            "definition": {"statement": f"Copyright {p.name}, internal use"},
        },
        {
            **sdo,
            "type": "malware",
            "id": oid("malware", 1),
            "name": e["malware"][0],
            "is_family": True,
            "description": text,
            "aliases": [e["malware"][1]],
            "labels": [p.term],
            "object_marking_refs": [oid("marking-definition", 1)],
            "x_member_note": p.name,
            "external_references": [
                {
                    "source_name": "mitre-attack",
                    "external_id": "S0013",
                    "url": "https://attack.mitre.org/software/S0013",
                },
                {"source_name": "internal-wiki", "url": f"https://wiki.{p.domain}/ir/42"},
            ],
        },
        {
            **sdo,
            "type": "attack-pattern",
            "id": oid("attack-pattern", 1),
            "name": "Spearphishing Attachment",
            "external_references": [
                {"source_name": "mitre-attack", "external_id": e["attack_ids"][0]}
            ],
        },
        {
            **sdo,
            "type": "indicator",
            "id": oid("indicator", 1),
            "name": "C2 infrastructure",
            "pattern_type": "stix",
            "valid_from": T,
            "valid_until": "2024-03-05T10:30:00.000Z",
            "pattern": (
                f"[ipv4-addr:value = '{e['ips'][0]}' OR ipv4-addr:value = '{p.private_ip}'"
                f" OR domain-name:value = '{p.host}.{p.domain}'] AND "
                f"[domain-name:value = '{e['domains'][0]}']"
            ),
        },
        {
            **sdo,
            "type": "indicator",
            "id": oid("indicator", 2),
            "name": "internal only",
            "pattern_type": "stix",
            "valid_from": T,
            "pattern": f"[ipv4-addr:value = '{p.member_ip}']",
        },
        {
            **sdo,
            "type": "indicator",
            "id": oid("indicator", 3),
            "name": "dropper path",
            "pattern_type": "stix",
            "valid_from": T,
            "pattern": (
                f"[file:hashes.'SHA-256' = '{e['hashes'][0]}' AND "
                f"file:parent_directory_ref.path = 'C:\\\\Users\\\\{p.username}\\\\Temp']"
            ),
        },
        {
            **sdo,
            "type": "indicator",
            "id": oid("indicator", 4),
            "name": "yara",
            "pattern_type": "yara",
            "valid_from": T,
            "pattern": f'rule x {{ strings: $a = "{p.domain}" $b = "{e["domains"][1]}" '
            "condition: any of them }",
        },
        {
            **sdo,
            "type": "relationship",
            "id": oid("relationship", 1),
            "relationship_type": "indicates",
            "source_ref": oid("indicator", 1),
            "target_ref": oid("malware", 1),
        },
        {
            **sdo,
            "type": "relationship",
            "id": oid("relationship", 2),
            "relationship_type": "indicates",
            "source_ref": oid("indicator", 2),
            "target_ref": oid("malware", 1),
        },
        {
            **sdo,
            "type": "relationship",
            "id": oid("relationship", 3),
            "relationship_type": "uses",
            "source_ref": oid("malware", 1),
            "target_ref": oid("attack-pattern", 1),
        },
        {
            **sdo,
            "type": "note",
            "id": oid("note", 1),
            "authors": [p.person],
            "abstract": f"{p.jp_name} incident",
            "content": text,
            "object_refs": [oid("malware", 1)],
        },
        {
            **sdo,
            "type": "opinion",
            "id": oid("opinion", 1),
            "authors": [p.person],
            "opinion": "agree",
            "explanation": f"confirmed by {p.name}",
            "object_refs": [oid("indicator", 1)],
        },
        {
            **sdo,
            "type": "location",
            "id": oid("location", 1),
            "country": "JP",
            "region": "eastern-asia",
            "street_address": f"1-2-3 {p.name} Bldg",
            "postal_code": "100-0005",
            "latitude": 35.68,
            "longitude": 139.76,
            "precision": 10.0,
        },
        {
            **sdo,
            "type": "language-content",
            "id": oid("language-content", 1),
            "object_ref": oid("malware", 1),
            "object_modified": T2,
            "contents": {"ja": {"description": f"{p.jp_name}で検知"}},
        },
        {**sdo, "type": "x-member-ticket", "id": oid("x-member-ticket", 1), "ref": p.term},
        *_observables(p),
        {
            **sdo,
            "type": "observed-data",
            "id": oid("observed-data", 1),
            "first_observed": T,
            "last_observed": T2,
            "number_observed": 1,
            "object_refs": [
                oid("email-message", 1),
                oid("file", 1),
                oid("process", 1),
                oid("windows-registry-key", 1),
                oid("network-traffic", 1),
                oid("ipv4-addr", 1),
                oid("url", 1),
                oid("x509-certificate", 1),
                oid("user-account", 1),
                oid("domain-name", 2),
            ],
        },
        {
            **sdo,
            "type": "observed-data",
            "id": oid("observed-data", 2),
            "first_observed": T,
            "last_observed": T2,
            "number_observed": 1,
            "object_refs": [oid("ipv4-addr", 2), oid("domain-name", 1)],
        },
        {
            **sdo,
            "type": "sighting",
            "id": oid("sighting", 1),
            "sighting_of_ref": oid("indicator", 1),
            "where_sighted_refs": [me],
            "observed_data_refs": [oid("observed-data", 1)],
            "count": 3,
        },
        {
            **sdo,
            "type": "report",
            "id": oid("report", 1),
            "name": f"{p.name} incident report",
            "published": T2,
            "report_types": ["threat-report"],
            "object_refs": [oid("malware", 1), oid("indicator", 1), oid("sighting", 1)],
        },
        {
            **sdo,
            "type": "malware-analysis",
            "id": oid("malware-analysis", 1),
            "product": "clamav",
            "result": "malicious",
            "host_vm_ref": oid("software", 1),
            "sample_ref": oid("file", 1),
        },
    ]
    return objs


def _observables(p: Planted) -> list[dict[str, Any]]:
    e = ATTACKER
    sco = {"spec_version": "2.1"}
    return [
        {**sco, "type": "email-addr", "id": oid("email-addr", 1), "value": e["emails"][0]},
        {
            **sco,
            "type": "email-addr",
            "id": oid("email-addr", 2),
            "value": f"user@{p.email_domain}",
            "display_name": p.person,
        },
        {
            **sco,
            "type": "artifact",
            "id": oid("artifact", 1),
            "mime_type": "text/plain",
            "payload_bin": "aGVsbG8=",
            "hashes": {"SHA-256": e["hashes"][0]},
        },
        {
            **sco,
            "type": "email-message",
            "id": oid("email-message", 1),
            "is_multipart": True,
            "from_ref": oid("email-addr", 1),
            "to_refs": [oid("email-addr", 2)],
            "subject": f"Invoice for {p.name}",
            "message_id": f"<abc123@{p.email_domain}>",
            "received_lines": [
                f"from {p.host}.{p.domain} ({p.private_ip}) by mx.{p.domain}",
                f"from mail.phishbank.xyz ({e['ips'][1]}) by relay.example.net",
            ],
            "additional_header_fields": {
                "X-Originating-Host": f"{p.host}.{p.domain}",
                "X-Mailer": "EvilMailer 1.0",
            },
            "body_multipart": [
                {"content_type": "text/plain", "body": f"Dear {p.person}"},
                {"content_type": "application/zip", "body_raw_ref": oid("artifact", 1)},
            ],
        },
        {
            **sco,
            "type": "directory",
            "id": oid("directory", 1),
            "path": f"C:\\Users\\{p.username}\\AppData\\Local\\Temp",
        },
        {
            **sco,
            "type": "file",
            "id": oid("file", 1),
            "name": "invoice.exe",
            "hashes": {"SHA-256": e["hashes"][0]},
            "parent_directory_ref": oid("directory", 1),
        },
        {
            **sco,
            "type": "process",
            "id": oid("process", 1),
            "pid": 4242,
            "command_line": f"cmd.exe /c copy \\\\{p.host}\\c$\\x.exe /home/{p.username}/x",
            "cwd": f"/home/{p.username}",
            "environment_variables": {"USERNAME": p.username, "COMPUTERNAME": p.host.upper()},
        },
        {
            **sco,
            "type": "windows-registry-key",
            "id": oid("windows-registry-key", 1),
            "key": (
                "HKEY_USERS\\S-1-5-21-3623811015-3361044348-30300820-1013\\Software\\"
                "Microsoft\\Windows\\CurrentVersion\\Run"
            ),
            "values": [
                {"name": "upd", "data": f"C:\\Users\\{p.username}\\upd.exe", "data_type": "REG_SZ"}
            ],
        },
        {**sco, "type": "ipv4-addr", "id": oid("ipv4-addr", 1), "value": p.private_ip},
        {**sco, "type": "ipv4-addr", "id": oid("ipv4-addr", 2), "value": e["ips"][0]},
        {**sco, "type": "ipv4-addr", "id": oid("ipv4-addr", 3), "value": p.member_ip},
        {
            **sco,
            "type": "network-traffic",
            "id": oid("network-traffic", 1),
            "src_ref": oid("ipv4-addr", 3),
            "dst_ref": oid("ipv4-addr", 2),
            "protocols": ["tcp"],
            "dst_port": 443,
        },
        {**sco, "type": "domain-name", "id": oid("domain-name", 1), "value": e["domains"][0]},
        {**sco, "type": "domain-name", "id": oid("domain-name", 2), "value": f"vpn.{p.domain}"},
        {**sco, "type": "url", "id": oid("url", 1), "value": f"https://owa.{p.domain}/owa/"},
        {
            **sco,
            "type": "x509-certificate",
            "id": oid("x509-certificate", 1),
            "serial_number": "01:02",
            "issuer": f"CN={p.name} Internal CA",
            "subject": f"CN={p.host}.{p.domain}",
        },
        {
            **sco,
            "type": "user-account",
            "id": oid("user-account", 1),
            "user_id": p.username,
            "account_login": p.username,
        },
        {
            **sco,
            "type": "software",
            "id": oid("software", 1),
            "name": f"{p.name} sandbox",
            "version": "1",
        },
    ]


def encodings(value: str) -> set[str]:
    """Lower-cased renderings of value a search of the published bytes would try."""
    forms = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        urllib.parse.quote(value),
        urllib.parse.quote_plus(value),
        value.replace(".", "[.]"),
        value.replace("http", "hxxp"),
    }
    return {f.lower() for f in forms if f}


def leaks(planted: list[str], *payloads: Any) -> list[str]:
    """Planted values found in any serialization of payloads (case-insensitive)."""
    blobs = []
    for payload in payloads:
        blobs.append(json.dumps(payload, ensure_ascii=True).lower())
        blobs.append(json.dumps(payload, ensure_ascii=False).lower())
    found = []
    for value in planted:
        if any(form in blob for form in encodings(value) for blob in blobs):
            found.append(value)
    return found
