"""A generated corpus of STIX 2.1 objects: valid shapes of every type and systematic breakages.

Each case is (name, object). Names say what was done ("indicator/minimal -modified") so a
disagreement with the reference libraries can be read off the test output.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterator
from typing import Any

Obj = dict[str, Any]
_rng = random.Random(20261126)


def uid(t: str) -> str:
    """A reproducible identifier of type ``t`` with a UUIDv4."""
    return f"{t}--{uuid.UUID(int=_rng.getrandbits(128), version=4)}"


IDENTITY = uid("identity")
TLP_AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
STATEMENT_MD = uid("marking-definition")
EXT_DEF = uid("extension-definition")
T0 = "2016-04-06T20:03:48.000Z"
T1 = "2016-05-07T11:22:30.123Z"
SHA256 = "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c"
MD5 = "79054025255fb1a26e4bc422aef54eb4"


def _sdo(t: str, **props: Any) -> Obj:
    return {"type": t, "spec_version": "2.1", "id": uid(t), "created": T0, "modified": T1, **props}


def _sco(t: str, **props: Any) -> Obj:
    return {"type": t, "spec_version": "2.1", "id": uid(t), **props}


KCP = [{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}]
EXTREF = [
    {
        "source_name": "mitre-attack",
        "external_id": "T1566",
        "url": "https://attack.mitre.org/techniques/T1566/",
    }
]


def valid_objects() -> list[tuple[str, Obj]]:
    """Several valid shapes of every STIX 2.1 type."""
    ind = "[file:hashes.'SHA-256' = '" + SHA256 + "']"
    v: list[tuple[str, Obj]] = [
        ("attack-pattern/minimal", _sdo("attack-pattern", name="Spearphishing")),
        (
            "attack-pattern/full",
            _sdo(
                "attack-pattern",
                name="Spearphishing",
                description="d",
                aliases=["phish"],
                kill_chain_phases=KCP,
                external_references=EXTREF,
                created_by_ref=IDENTITY,
                labels=["x"],
                confidence=80,
                lang="en",
                revoked=False,
                object_marking_refs=[TLP_AMBER],
            ),
        ),
        ("campaign/minimal", _sdo("campaign", name="Op X")),
        (
            "campaign/full",
            _sdo(
                "campaign",
                name="Op X",
                aliases=["X"],
                objective="steal",
                first_seen="2016-01-01T00:00:00Z",
                last_seen="2016-02-01T00:00:00.5Z",
            ),
        ),
        ("course-of-action/minimal", _sdo("course-of-action", name="Block")),
        (
            "grouping/minimal",
            _sdo(
                "grouping",
                context="suspicious-activity",
                object_refs=[uid("indicator"), uid("file")],
            ),
        ),
        (
            "grouping/custom-context",
            _sdo("grouping", name="g", context="my-context", object_refs=[uid("x-custom-thing")]),
        ),
        ("identity/minimal", _sdo("identity", name="ACME")),
        (
            "identity/full",
            _sdo(
                "identity",
                name="ACME",
                identity_class="organization",
                sectors=["manufacturing"],
                roles=["soc"],
                contact_information="soc@example.com",
            ),
        ),
        ("incident/minimal", _sdo("incident", name="Breach", kill_chain_phases=KCP)),
        (
            "indicator/stix",
            _sdo(
                "indicator",
                pattern=ind,
                pattern_type="stix",
                valid_from=T0,
                indicator_types=["malicious-activity"],
            ),
        ),
        (
            "indicator/stix-or",
            _sdo(
                "indicator",
                name="C2",
                pattern="[domain-name:value = 'evil.example' OR ipv4-addr:value = '198.51.100.7']",
                pattern_type="stix",
                valid_from=T0,
                valid_until=T1,
            ),
        ),
        (
            "indicator/stix-qualified",
            _sdo(
                "indicator",
                pattern="[url:value = 'http://a.example/x'] FOLLOWEDBY "
                "[file:name MATCHES '^a.+\\\\.exe$'] WITHIN 600 SECONDS",
                pattern_type="stix",
                valid_from=T0,
            ),
        ),
        (
            "indicator/stix-version",
            _sdo(
                "indicator",
                pattern="[ipv4-addr:value = '10.0.0.1']",
                pattern_type="stix",
                pattern_version="2.1",
                valid_from=T0,
            ),
        ),
        (
            "indicator/snort",
            _sdo(
                "indicator",
                pattern="alert tcp any any -> any 80",
                pattern_type="snort",
                valid_from=T0,
            ),
        ),
        (
            "indicator/yara",
            _sdo(
                "indicator",
                pattern="rule x { condition: true }",
                pattern_type="yara",
                valid_from=T0,
                kill_chain_phases=KCP,
            ),
        ),
        (
            "infrastructure/minimal",
            _sdo("infrastructure", name="C2 server", infrastructure_types=["command-and-control"]),
        ),
        (
            "intrusion-set/full",
            _sdo(
                "intrusion-set",
                name="APT-X",
                goals=["money"],
                resource_level="government",
                primary_motivation="organizational-gain",
                secondary_motivations=["personal-gain"],
                first_seen="2015-01-01T00:00:00Z",
            ),
        ),
        ("location/region", _sdo("location", region="eastern-asia")),
        ("location/country", _sdo("location", country="JP", city="Tokyo")),
        ("location/latlong", _sdo("location", latitude=35.68, longitude=139.69, precision=1000.0)),
        (
            "malware/family",
            _sdo(
                "malware", name="PoisonIvy", is_family=True, malware_types=["remote-access-trojan"]
            ),
        ),
        (
            "malware/instance",
            _sdo(
                "malware",
                is_family=False,
                sample_refs=[uid("file")],
                operating_system_refs=[uid("software")],
                implementation_languages=["c"],
                architecture_execution_envs=["x86"],
                capabilities=["persists-after-system-reboot"],
            ),
        ),
        (
            "malware-analysis/result",
            _sdo(
                "malware-analysis",
                product="sandbox",
                result="malicious",
                sample_ref=uid("file"),
                submitted=T0,
                analysis_started=T0,
            ),
        ),
        (
            "malware-analysis/scos",
            _sdo(
                "malware-analysis",
                product="av",
                analysis_sco_refs=[uid("file"), uid("url")],
                host_vm_ref=uid("software"),
            ),
        ),
        (
            "note/minimal",
            _sdo(
                "note",
                content="seen in our network",
                object_refs=[uid("indicator")],
                authors=["analyst"],
            ),
        ),
        (
            "observed-data/refs",
            _sdo(
                "observed-data",
                first_observed=T0,
                last_observed=T1,
                number_observed=3,
                object_refs=[uid("ipv4-addr"), uid("network-traffic")],
            ),
        ),
        ("opinion/minimal", _sdo("opinion", opinion="agree", object_refs=[uid("report")])),
        (
            "report/minimal",
            _sdo(
                "report",
                name="Monthly",
                published=T1,
                object_refs=[uid("indicator"), uid("malware")],
                report_types=["threat-report"],
            ),
        ),
        (
            "threat-actor/full",
            _sdo(
                "threat-actor",
                name="Actor",
                threat_actor_types=["nation-state"],
                roles=["director"],
                sophistication="expert",
                goals=["espionage"],
                personal_motivations=["revenge"],
            ),
        ),
        (
            "tool/minimal",
            _sdo(
                "tool", name="mimikatz", tool_types=["credential-exploitation"], tool_version="2.2"
            ),
        ),
        (
            "vulnerability/cve",
            _sdo(
                "vulnerability",
                name="CVE-2021-44228",
                external_references=[{"source_name": "cve", "external_id": "CVE-2021-44228"}],
            ),
        ),
        (
            "relationship/uses",
            _sdo(
                "relationship",
                relationship_type="uses",
                source_ref=uid("intrusion-set"),
                target_ref=uid("malware"),
                start_time=T0,
                stop_time=T1,
            ),
        ),
        (
            "relationship/indicates",
            _sdo(
                "relationship",
                relationship_type="indicates",
                source_ref=uid("indicator"),
                target_ref=uid("x-custom-sdo"),
                description="d",
            ),
        ),
        (
            "sighting/full",
            _sdo(
                "sighting",
                sighting_of_ref=uid("indicator"),
                count=5,
                first_seen=T0,
                last_seen=T1,
                observed_data_refs=[uid("observed-data")],
                where_sighted_refs=[uid("identity"), uid("location")],
                summary=False,
            ),
        ),
        (
            "marking-definition/statement",
            {
                "type": "marking-definition",
                "spec_version": "2.1",
                "id": STATEMENT_MD,
                "created": T0,
                "definition_type": "statement",
                "definition": {"statement": "Copyright ACME"},
            },
        ),
        (
            "marking-definition/tlp-amber",
            {
                "type": "marking-definition",
                "spec_version": "2.1",
                "id": TLP_AMBER,
                "created": "2017-01-20T00:00:00.000Z",
                "definition_type": "tlp",
                "name": "TLP:AMBER",
                "definition": {"tlp": "amber"},
            },
        ),
        (
            "marking-definition/tlp2-extension",
            {
                "type": "marking-definition",
                "spec_version": "2.1",
                "id": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
                "created": "2022-10-01T00:00:00.000Z",
                "name": "TLP:GREEN",
                "extensions": {
                    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                        "extension_type": "property-extension",
                        "tlp_2_0": "green",
                    }
                },
            },
        ),
        (
            "language-content/minimal",
            _sdo(
                "language-content",
                object_ref=uid("campaign"),
                object_modified=T1,
                contents={"de": {"name": "Bankraub"}, "fr": {"name": "Vol", "aliases": ["v"]}},
            ),
        ),
        (
            "extension-definition/minimal",
            _sdo(
                "extension-definition",
                created_by_ref=IDENTITY,
                name="ext",
                schema="https://example.com/schema.json",
                version="1.0",
                extension_types=["property-extension"],
            ),
        ),
        (
            "extension-definition/toplevel",
            _sdo(
                "extension-definition",
                created_by_ref=IDENTITY,
                name="ext",
                schema="s",
                version="1.0",
                extension_types=["toplevel-property-extension"],
                extension_properties=["x_score"],
            ),
        ),
        # SCOs
        (
            "artifact/payload",
            _sco("artifact", mime_type="application/zip", payload_bin="UEsDBAoAAAAAAA=="),
        ),
        (
            "artifact/url",
            _sco(
                "artifact",
                url="https://example.com/a.bin",
                hashes={"SHA-256": SHA256},
                encryption_algorithm="AES-256-GCM",
                decryption_key="secret",
            ),
        ),
        (
            "autonomous-system/minimal",
            _sco("autonomous-system", number=15139, name="Slime", rir="ARIN"),
        ),
        (
            "directory/minimal",
            _sco(
                "directory",
                path="C:\\Windows\\System32",
                path_enc="UTF-8",
                ctime=T0,
                contains_refs=[uid("file")],
            ),
        ),
        (
            "domain-name/minimal",
            _sco("domain-name", value="example.com", resolves_to_refs=[uid("ipv4-addr")]),
        ),
        ("domain-name/idn", _sco("domain-name", value="xn--bcher-kva.example")),
        (
            "email-addr/minimal",
            _sco(
                "email-addr",
                value="john@example.com",
                display_name="John",
                belongs_to_ref=uid("user-account"),
            ),
        ),
        (
            "email-message/simple",
            _sco(
                "email-message",
                is_multipart=False,
                subject="Hi",
                from_ref=uid("email-addr"),
                to_refs=[uid("email-addr")],
                date=T0,
                body="hello",
                additional_header_fields={"X-Mailer": "mutt"},
            ),
        ),
        (
            "email-message/multipart",
            _sco(
                "email-message",
                is_multipart=True,
                subject="Invoice",
                body_multipart=[
                    {"content_type": "text/plain", "body": "see"},
                    {"content_type": "application/zip", "body_raw_ref": uid("artifact")},
                ],
            ),
        ),
        (
            "file/hashes",
            _sco("file", hashes={"SHA-256": SHA256, "MD5": MD5}, size=25536, name="foo.dll"),
        ),
        (
            "file/name",
            _sco(
                "file",
                name="a.exe",
                name_enc="UTF-8",
                magic_number_hex="4D5A",
                mime_type="application/x-dosexec",
                ctime=T0,
                mtime=T1,
                parent_directory_ref=uid("directory"),
                content_ref=uid("artifact"),
            ),
        ),
        (
            "file/pebinary",
            _sco(
                "file",
                name="a.exe",
                extensions={
                    "windows-pebinary-ext": {
                        "pe_type": "exe",
                        "number_of_sections": 4,
                        "time_date_stamp": "2016-01-22T12:31:12Z",
                        "sections": [{"name": ".text", "size": 1024, "entropy": 7.1}],
                    }
                },
            ),
        ),
        (
            "file/archive",
            _sco(
                "file",
                name="a.zip",
                extensions={"archive-ext": {"contains_refs": [uid("file")], "comment": "c"}},
            ),
        ),
        (
            "file/ntfs",
            _sco(
                "file",
                name="a.txt",
                extensions={
                    "ntfs-ext": {
                        "sid": "S-1-5-21",
                        "alternate_data_streams": [{"name": "ads", "size": 10}],
                    }
                },
            ),
        ),
        ("ipv4-addr/minimal", _sco("ipv4-addr", value="198.51.100.3")),
        (
            "ipv4-addr/cidr",
            _sco("ipv4-addr", value="198.51.100.0/24", belongs_to_refs=[uid("autonomous-system")]),
        ),
        ("ipv6-addr/minimal", _sco("ipv6-addr", value="2001:db8::1")),
        ("mac-addr/minimal", _sco("mac-addr", value="d2:fb:49:24:37:18")),
        ("mutex/minimal", _sco("mutex", name="__CLEANSWEEP__")),
        (
            "network-traffic/tcp",
            _sco(
                "network-traffic",
                src_ref=uid("ipv4-addr"),
                dst_ref=uid("ipv4-addr"),
                src_port=49152,
                dst_port=443,
                protocols=["ipv4", "tcp", "tls"],
                start=T0,
                end=T1,
                is_active=False,
                src_byte_count=100,
            ),
        ),
        (
            "network-traffic/http",
            _sco(
                "network-traffic",
                dst_ref=uid("domain-name"),
                protocols=["tcp", "http"],
                extensions={
                    "http-request-ext": {"request_method": "get", "request_value": "/download"}
                },
            ),
        ),
        (
            "network-traffic/socket",
            _sco(
                "network-traffic",
                src_ref=uid("ipv6-addr"),
                protocols=["udp"],
                extensions={
                    "socket-ext": {
                        "address_family": "AF_INET6",
                        "is_listening": True,
                        "socket_type": "SOCK_DGRAM",
                        "options": {"SO_RCVBUF": 4096},
                    }
                },
            ),
        ),
        (
            "process/minimal",
            _sco(
                "process",
                pid=1221,
                command_line="cmd.exe /c whoami",
                image_ref=uid("file"),
                created_time=T0,
            ),
        ),
        (
            "process/windows",
            _sco(
                "process",
                pid=4,
                extensions={
                    "windows-process-ext": {"aslr_enabled": True, "integrity_level": "high"}
                },
            ),
        ),
        (
            "software/minimal",
            _sco(
                "software",
                name="Word",
                vendor="Microsoft",
                version="2002",
                languages=["eng"],
                cpe="cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*",
            ),
        ),
        ("url/minimal", _sco("url", value="https://example.com/research/index.html")),
        ("url/query", _sco("url", value="http://evil.example:8080/a/b.php?id=1&x=%20y#frag")),
        (
            "user-account/minimal",
            _sco(
                "user-account",
                user_id="1001",
                account_login="jdoe",
                account_type="unix",
                is_privileged=False,
                extensions={
                    "unix-account-ext": {"gid": 1001, "groups": ["wheel"], "shell": "/bin/sh"}
                },
            ),
        ),
        (
            "windows-registry-key/minimal",
            _sco(
                "windows-registry-key",
                key="HKEY_LOCAL_MACHINE\\System\\Foo",
                values=[{"name": "Foo", "data": "qwerty", "data_type": "REG_SZ"}],
                modified_time=T0,
            ),
        ),
        (
            "x509-certificate/minimal",
            _sco(
                "x509-certificate",
                issuer="CN=ACME",
                serial_number="36:f7:d4:32",
                is_self_signed=False,
                validity_not_before=T0,
                validity_not_after=T1,
                hashes={"SHA-256": SHA256},
            ),
        ),
        # custom content that both references accept
        ("custom/x-sdo", _sdo("x-acme-widget", name="w", x_acme_score=3)),
        ("custom/x-sco", _sco("x-acme-device", serial="1234")),
        (
            "custom/properties",
            _sdo(
                "campaign",
                name="c",
                x_acme_note="n",
                x_acme_list=[1, 2],
                x_acme_dict={"a": 1},
                x_acme_blob_bin="aGVsbG8=",
                x_acme_raw_hex="00ff",
            ),
        ),
        (
            "custom/extension",
            _sdo(
                "indicator",
                pattern="[ipv4-addr:value = '10.0.0.1']",
                pattern_type="stix",
                valid_from=T0,
                extensions={EXT_DEF: {"extension_type": "property-extension", "rank": 5}},
            ),
        ),
        (
            "custom/granular",
            _sdo(
                "indicator",
                name="n",
                description="d",
                pattern="[ipv4-addr:value = '10.0.0.1']",
                pattern_type="stix",
                valid_from=T0,
                granular_markings=[
                    {"marking_ref": TLP_AMBER, "selectors": ["description"]},
                    {"marking_ref": STATEMENT_MD, "selectors": ["name", "labels.[0]"]},
                ],
                labels=["l"],
            ),
        ),
    ]
    return v


# Values that are wrong for almost any property.
_WRONG = [None, [], 7, "text", {"k": "v"}, True]
_BAD_TIMESTAMPS = [
    "2016-04-06T20:03:48Z",
    "2016-04-06T20:03:48.1Z",
    "2016-04-06T20:03:48.000",
    "2016-04-06 20:03:48.000Z",
    "2016-13-06T20:03:48.000Z",
    "2016-02-30T20:03:48.000Z",
    "2016-04-06T24:00:00.000Z",
    "2016-04-06T20:03:60.000Z",
    "2016-04-06T20:03:48.0000001Z",
    "2016-04-06T20:03:48.000+09:00",
    "0000-01-01T00:00:00.000Z",
    "yesterday",
    "",
    "2016-04-06T20:03:48.123456Z",
]
_U = "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
_BAD_IDS = [
    "indicator",
    "indicator--",
    "indicator--1234",
    f"Indicator--{_U}",
    "indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f",
    "indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f",
    "indicator--" + _U.replace("-", ""),
    "indicator--{" + _U + "}",
    "indicator--" + _U.upper(),
    f"x--{_U}",
    f"in-dicator--{_U}",
    f"a--b--{_U}",
    "indicator--8e2e2d2b-17d4-1cbf-938f-98ee46b3cd3f",
    "indicator--8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f",
]
_BAD_PATTERNS = [
    "[file:hashes.'SHA-256' = 'abc']",
    "[file:hashes.MD5 = '" + SHA256 + "']",
    "file:name = 'a'",
    "[file:name = 'a'",
    "[file:name == 'a']",
    "[file:name = a]",
    "[ipv4-addr:value = '1.2.3.4'] AND",
    "[x:name = 'a']",
    "[file:nm = 'a']",
    "[file:name = 'a'] WITHIN 5 SECONDS WITHIN 6 SECONDS",
    "[file:name = 'a'] REPEATS 0 TIMES",
    "[file:name = 'a'] START t'2016-01-01T00:00:00Z' STOP t'2016-13-01T00:00:00Z'",
    "[file:size > true]",
    "[file:name LIKE 5]",
    "[file:name IN ()]",
    "[File:name = 'a']",
    "",
    "[]",
    "[file:name = 'a' AND]",
    "[file:hashes.'SHA-256' = '" + MD5 + "']",
    "[file:hashes.SHA1 = '" + MD5 + "']",
    "[file:name = 'a'] WITHIN -5 SECONDS",
    "[process:pid = 01]",
    "[file:size = 1.2.3]",
    "[file-:name = 'a']",
    "[a--:name = 'a']",
    "[network-traffic:id = 'x']",
    "[x-acme:id = 'x']",
]
_GOOD_PATTERNS = [
    "[file:name = 'a' AND file:size > 100]",
    "[file:hashes.MD5 = '" + MD5 + "']",
    "[file:hashes.'SHA-256' != '" + SHA256 + "']",
    "[network-traffic:dst_port IN (80, 443, 8080)]",
    "[file:size >= 1.5]",
    "[email-message:from_ref.value MATCHES '.+@evil\\\\.example$']",
    "[user-account:is_privileged = true]",
    "[file:name NOT LIKE 'a%']",
    "[artifact:payload_bin = b'aGVsbG8=']",
    "[file:magic_number_hex = h'4d5a']",
    "([file:name = 'a'] OR [file:name = 'b']) FOLLOWEDBY [ipv4-addr:value = '1.2.3.4']",
    "[file:name = 'a'] REPEATS 5 TIMES WITHIN 10 SECONDS",
    "[file:name = 'a'] START t'2016-01-01T00:00:00Z' STOP t'2016-02-01T00:00:00.5Z'",
    "[windows-registry-key:values[*].name = 'Run']",
    "[x-acme-thing:some_prop = 'v']",
    "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
    "[file:extensions.'windows-pebinary-ext'.sections[0].entropy > 7.0]",
    "[(file:name = 'a' OR file:name = 'b') AND file:size < 10]",
    "[process:pid = -1]",
    "[domain-name:value = 'a' OR domain-name:value = 'b'] OR [url:value = 'http://x/']",
]


def _ref_props(obj: Obj) -> list[str]:
    return [k for k in obj if k.endswith("_ref") or k.endswith("_refs")]


def _ts_props(obj: Obj) -> list[str]:
    names = {
        "created",
        "modified",
        "first_seen",
        "last_seen",
        "valid_from",
        "valid_until",
        "published",
        "first_observed",
        "last_observed",
        "start_time",
        "stop_time",
        "object_modified",
        "submitted",
        "analysis_started",
        "date",
        "ctime",
        "mtime",
        "start",
        "end",
        "created_time",
        "modified_time",
        "validity_not_before",
    }
    return [k for k in obj if k in names]


def broken_variants(name: str, base: Obj) -> Iterator[tuple[str, Obj]]:
    """Systematic mutations of one valid object; most are invalid, a few stay valid."""

    def mut(label: str, **changes: Any) -> tuple[str, Obj]:
        o = copy.deepcopy(base)
        for k, v in changes.items():
            if v is _DROP:
                o.pop(k, None)
            else:
                o[k] = v
        return f"{name} {label}", o

    for k in base:
        yield mut(f"-{k}", **{k: _DROP})
        if k in ("type",):
            continue
        for w in _WRONG:
            if w != base[k]:
                yield mut(f"{k}={w!r}", **{k: w})
    for k in _ts_props(base):
        for bad in _BAD_TIMESTAMPS:
            yield mut(f"{k}={bad!r}", **{k: bad})
    if "created" in base:
        yield mut("modified<created", created=T1, modified=T0)
        yield mut("modified=created", modified=base["created"])
        yield mut(
            "modified string-order",
            created="2016-04-06T20:03:48.000Z",
            modified="2016-04-06T20:03:48.0001Z",
        )
    t = base["type"]
    for bad in _BAD_IDS:
        yield mut(f"id={bad!r}", id=bad.replace("indicator", t) if "indicator" in bad else bad)
    yield mut("id=other-type", id=uid("attack-pattern" if t != "attack-pattern" else "tool"))
    yield mut("id=uuid-v1", id=f"{t}--6ba7b810-9dad-11d1-80b4-00c04fd430c8")
    yield mut("id=uuid-v5", id=f"{t}--{uuid.uuid5(uuid.NAMESPACE_URL, name)}")
    for sv in ("2.0", "2.2", 2.1, "2.1 "):
        yield mut(f"spec_version={sv!r}", spec_version=sv)
    for k in _ref_props(base):
        for bad_t in (
            "indicator",
            "relationship",
            "marking-definition",
            "identity",
            "file",
            "x-custom",
            "bundle",
            "language-content",
            "extension-definition",
        ):
            r = uid(bad_t)
            yield mut(f"{k}->{bad_t}", **{k: [r] if k.endswith("_refs") else r})
        yield mut(f"{k}=malformed", **{k: ["indicator--1"] if k.endswith("_refs") else "x--1"})
    if "created" in base or t in ("marking-definition",):
        yield mut("created_by_ref->identity", created_by_ref=IDENTITY)
        yield mut("created_by_ref->tool", created_by_ref=uid("tool"))
        yield mut("confidence=101", confidence=101)
        yield mut("confidence=-1", confidence=-1)
        yield mut("confidence=50.0", confidence=50.0)
        yield mut("lang=en", lang="en")
        yield mut("lang=klingon", lang="tlh-Latn")
        yield mut("labels=[]", labels=[])
        yield mut("labels=[1]", labels=[1])
        yield mut("revoked='no'", revoked="no")
        yield mut("object_marking_refs=tlp", object_marking_refs=[TLP_AMBER])
        yield mut("object_marking_refs=identity", object_marking_refs=[IDENTITY])
        yield mut("object_marking_refs=[]", object_marking_refs=[])
        for i, er in enumerate(
            [
                {"source_name": "x"},
                {"source_name": "x", "url": "not a url"},
                {"source_name": "x", "url": "https://example.com/a?b=c"},
                {"source_name": "cve", "external_id": "CVE-21-1"},
                {"source_name": "capec", "external_id": "CAPEC-163"},
                {"source_name": "x", "external_id": "CVE-2021-44228"},
                {"source_name": "x", "description": "d", "hashes": {"SHA-256": SHA256}},
                {"source_name": "x", "description": "d", "hashes": {"SHA-256": "abc"}},
                {"source_name": "x", "description": "d", "hashes": {"sha256": SHA256}},
                {"description": "d"},
                {"source_name": 5, "description": "d"},
                {"source_name": "x", "description": "d", "x_extra": 1},
            ]
        ):
            yield mut(f"external_references#{i}", external_references=[er])
        yield mut("external_references=[]", external_references=[])
        yield mut("kill_chain_phases bad", kill_chain_phases=[{"kill_chain_name": "k"}])
    for i, gm in enumerate(
        [
            [{"marking_ref": TLP_AMBER, "selectors": ["id"]}],
            [{"marking_ref": TLP_AMBER, "selectors": ["nonexistent"]}],
            [{"marking_ref": TLP_AMBER, "selectors": []}],
            [{"marking_ref": TLP_AMBER}],
            [{"lang": "en", "selectors": ["id"]}],
            [{"marking_ref": IDENTITY, "selectors": ["id"]}],
            [{"marking_ref": TLP_AMBER, "selectors": ["Type"]}],
            [],
        ]
    ):
        yield mut(f"granular_markings#{i}", granular_markings=gm)
    for i, (k, v) in enumerate(
        [
            ("x_acme_ok", "v"),
            ("x_acme_null", None),
            ("x_acme_empty", []),
            ("X_Acme", 1),
            ("ab", 1),
            ("severity", "high"),
            ("x_acme_data_bin", "!!"),
            ("x_acme_data_hex", "0g"),
            ("x_acme_nested", {"a": {"b": [1, {"c": None}]}}),
            ("_x", 1),
            ("x-acme", 1),
        ]
    ):
        yield mut(f"custom#{i}", **{k: v})
    for i, ext in enumerate(
        [
            {EXT_DEF: {"extension_type": "property-extension", "v": 1}},
            {EXT_DEF: {"v": 1}},
            {EXT_DEF: {"extension_type": "bogus"}},
            {"x-acme-ext": {"v": 1}},
            {"x-acme-ext": {}},
            {"bogus": {"v": 1}},
            {},
            {"extension-definition--1234": {"extension_type": "property-extension"}},
        ]
    ):
        yield mut(f"extensions#{i}", extensions=ext)
    if "hashes" in base:
        for i, h in enumerate(
            [
                {"MD5": "abc"},
                {"SHA-256": MD5},
                {"SHA-1": SHA256},
                {"sha256": SHA256},
                {"SHA-256": SHA256.upper()},
                {"x": "1"},
                {"x_custom_algo": "zz"},
                {},
                {"SHA3-256": SHA256},
                {"SSDEEP": "3:a+b:c"},
                {"TLSH": "z" * 70},
            ]
        ):
            yield mut(f"hashes#{i}", hashes=h)
    if t == "indicator":
        for p in _BAD_PATTERNS + _GOOD_PATTERNS:
            yield mut(f"pattern={p!r}", pattern=p, pattern_type="stix")
        yield mut("valid_until=valid_from", valid_until=base["valid_from"])
        yield mut("valid_until<valid_from", valid_from=T1, valid_until=T0)
        yield mut("pattern_type=custom", pattern_type="my-own", pattern="whatever")
        yield mut("pattern_version=2.0", pattern_version="2.0")
    if t == "opinion":
        for o in ("strongly-agree", "maybe", "Agree"):
            yield mut(f"opinion={o}", opinion=o)
    if t == "location":
        yield mut("latitude=91", latitude=91, longitude=0)
        yield mut("lat only", latitude=1.0)
        yield mut("precision only", precision=5.0)
    if t == "malware":
        yield mut("is_family=true no name", is_family=True, name=_DROP)
    if t == "observed-data":
        yield mut("number_observed=0", number_observed=0)
        yield mut("number_observed=1e9", number_observed=1000000000)
        yield mut("last<first", first_observed=T1, last_observed=T0)
        yield mut("objects", objects={"0": {"type": "ipv4-addr", "value": "1.2.3.4"}})
    if t == "sighting":
        yield mut("count=-1", count=-1)
        yield mut("count=1e9", count=1000000000)
    if t == "relationship":
        yield mut("relationship_type=Uses", relationship_type="Uses")
        yield mut("stop=start", stop_time=T0, start_time=T0)
    if t == "ipv4-addr":
        for val in ("256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4/33", "::1"):
            yield mut(f"value={val!r}", value=val)
    if t == "ipv6-addr":
        for val in ("2001:db8::1/64", "2001:db8:::1", "1.2.3.4", "fe80::1%eth0", "::"):
            yield mut(f"value={val!r}", value=val)
    if t in ("url", "artifact"):
        for val in (
            "not a url",
            "http://exa mple.com/",
            "example.com/path",
            "http://[::1]/",
            "ftp://a.example/f%zz",
            "mailto:a@example.com",
            "urn:isbn:123",
        ):
            yield mut(f"url={val!r}", **{"value" if t == "url" else "url": val})
    if t == "domain-name":
        for val in (
            "-bad.example",
            "a_b.example",
            "ab--c.example",
            "bücher.example",
            "example.com.",
            "a" * 64 + ".example",
        ):
            yield mut(f"value={val!r}", value=val)
    if t == "mac-addr":
        yield mut("upper", value="D2:FB:49:24:37:18")
    if t == "network-traffic":
        yield mut("end without is_active", is_active=_DROP)
        yield mut("active with end", is_active=True)
        yield mut("port=70000", dst_port=70000)
        yield mut("no refs", src_ref=_DROP, dst_ref=_DROP)
    if t == "email-message":
        yield mut("multipart with body", is_multipart=True, body="x")
        yield mut("header reserved", additional_header_fields={"subject": "x"})
        yield mut("header list", additional_header_fields={"Received": ["a", "b"]})
    if t == "artifact":
        yield mut("both payload and url", url="https://example.com/a", payload_bin="aGk=")
        yield mut("mime bogus", mime_type="application/x-not-registered-thing")
        yield mut("key without alg", encryption_algorithm=_DROP)
    if t == "software":
        yield mut("cpe bad", cpe="cpe:/a:microsoft:word")
        yield mut("languages bad", languages=["english"])
    if t == "windows-registry-key":
        yield mut("key abbreviated", key="HKLM\\System")
        yield mut("value data_type bad", values=[{"name": "a", "data_type": "REG_FOO"}])
    if t == "process":
        yield mut("uuid-v5", id=f"process--{uuid.uuid5(uuid.NAMESPACE_URL, 'p')}")
    if t == "marking-definition":
        yield mut("tlp renamed", name="TLP:ORANGE")
        yield mut("definition_type=foo", definition_type="foo")
        yield mut("self-marked", object_marking_refs=[base["id"]])
    if t == "file":
        for i, ext in enumerate(
            [
                {"windows-pebinary-ext": {"number_of_sections": 1}},
                {"windows-pebinary-ext": {"pe_type": "dll", "time_date_stamp": T0}},
                {"archive-ext": {"comment": "c"}},
                {"ntfs-ext": {"alternate_data_streams": [{"size": 1}]}},
                {"raster-image-ext": {"image_height": 10}},
                {"pdf-ext": {"version": "1.7", "document_info_dict": {"Title": "t"}}},
            ]
        ):
            yield mut(f"file-ext#{i}", extensions=ext)


class _Drop:
    """Marker for "remove this property"."""


_DROP: Any = _Drop()


def corpus() -> list[tuple[str, Obj]]:
    """Every case, valid and broken, deduplicated by content."""
    seen: set[str] = set()
    out: list[tuple[str, Obj]] = []
    import json

    for name, obj in valid_objects():
        for case in [(name, obj), *broken_variants(name, obj)]:
            key = json.dumps(case[1], sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                out.append(case)
    return out


PATTERNS_VALID = _GOOD_PATTERNS
PATTERNS_INVALID = _BAD_PATTERNS
