"""STIX Cyber-observable Objects (STIX 2.1 §6) and their predefined extensions."""

from __future__ import annotations

import ipaddress
import re
import uuid
from types import ModuleType
from typing import Any

from hub.validate import common as c
from hub.validate import properties as p
from hub.validate.errors import Problem
from hub.validate.registries import CHAR_SETS, MEDIA_TYPES, SOFTWARE_LANG_CODES
from hub.validate.sco_extensions import (
    FILE_EXTENSIONS,
    NETWORK_EXTENSIONS,
    PROCESS_EXTENSIONS,
    USER_ACCOUNT_EXTENSIONS,
)
from hub.validate.spec import (
    SCO_COMMON,
    Constraint,
    TypeSpec,
    at_least_one,
    modified_after_created_any,
    order,
    requires,
)

idna: ModuleType | None
try:  # idna ships with httpx; without it, only plain ASCII host names are accepted
    import idna
except ImportError:  # pragma: no cover
    idna = None

S, SL, TS, B = c.string, c.string_list, c.timestamp, c.boolean
NONNEG = c.integer(0, None)
INT = c.integer()


def _media_type(value: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(value, str) or value not in MEDIA_TYPES:
        c.problem(out, path, f"{value!r} is not an IANA registered media type")


_ENC_RE = re.compile(r"^[a-zA-Z0-9/\.+_:-]{2,250}$")


def _char_set(value: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(value, str) or value not in CHAR_SETS or not _ENC_RE.match(value):
        c.problem(out, path, f"{value!r} is not an IANA registered character set")


_HOST_LABEL_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def _hostname(value: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(value, str) or not value:
        c.problem(out, path, "must be a domain name")
        return
    labels = value[:-1].split(".") if value.endswith(".") else value.split(".")
    if all(_HOST_LABEL_RE.match(lb) and lb[2:4] != "--" for lb in labels) and len(value) <= 253:
        return
    try:
        if idna is None:
            raise ValueError(value)
        idna.encode(value)
    except (ValueError, UnicodeError):
        c.problem(out, path, f"{value!r} is not a valid (internationalised) domain name")


def _email(value: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(value, str) or "@" not in value:
        c.problem(out, path, f"{value!r} is not an email address")


_IPV4_RE = re.compile(
    r"^(?:(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.){3}"
    r"(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])(?:/(?:3[0-2]|[1-2][0-9]|[0-9]))?$"
)


def _ipv4(value: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(value, str) or _IPV4_RE.match(value) is None:
        c.problem(out, path, f"{value!r} is not an IPv4 address or CIDR block")


_IPV6_PREFIX_RE = re.compile(r"^(.*?)(?:/(12[0-8]|1[0-1][0-9]|[1-9][0-9]|[0-9]))?$")


def _ipv6(value: Any, path: str, out: list[Problem]) -> None:
    # Accept only plain hex-and-colon forms that the schema's regex also matches.
    ok = isinstance(value, str) and re.fullmatch(r"[0-9A-Fa-f:]+(?:/\d{1,3})?", value) is not None
    if ok:
        m = _IPV6_PREFIX_RE.match(value)
        try:
            ipaddress.IPv6Address(m.group(1) if m else "")
        except ValueError:
            ok = False
        else:
            ok = m is not None and (value.count("/") == 0 or m.group(2) is not None)
    if not ok:
        c.problem(out, path, f"{value!r} is not an IPv6 address or CIDR block")


_CPE_COMPONENT = (
    r"(?::(?:(?:(?:\?*|\*?)(?:[a-zA-Z0-9\-\._]|(?:\\[\\\*\?!\"#$%&'\(\)\+,/:;<=>@"
    r"\[\]\^`\{\|}~]))+(?:\?*|\*?))|[\*\-]))"
)
_CPE_RE = re.compile(
    rf"^cpe:2\.3:[aho\*\-]{_CPE_COMPONENT}{{5}}"
    r"(?::(?:(?:[a-zA-Z]{2,3}(?:-(?:[a-zA-Z]{2}|[0-9]{3}))?)|[\*\-]))"
    rf"{_CPE_COMPONENT}{{4}}$"
)


def _cpe(value: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(value, str) or _CPE_RE.match(value) is None:
        c.problem(out, path, f"{value!r} is not a CPE 2.3 formatted string")


def _software_language(value: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(value, str) or value not in SOFTWARE_LANG_CODES:
        c.problem(out, path, f"{value!r} is not an ISO 639-2 language code")


_HEADER_RESERVED_RE = re.compile(
    r"^date|received_lines|content_type|from_ref|sender_ref|to_refs|cc_refs|bcc_refs|subject$"
)


def _header_fields(value: Any, path: str, out: list[Problem]) -> None:
    c.dictionary(value, path, out)
    if not isinstance(value, dict):
        return
    for k, v in value.items():
        sub = f"{path}.{k}"
        if _HEADER_RESERVED_RE.search(k):
            c.problem(out, sub, "has its own email-message property")
        elif not (
            isinstance(v, str)
            or (isinstance(v, list) and len(v) >= 2 and all(isinstance(x, str) for x in v))
        ):
            c.problem(out, sub, "must be a string or a list of two or more strings")


def _mime_part(value: Any, path: str, out: list[Problem]) -> None:
    c.embedded(
        {
            "body": S,
            "body_raw_ref": c.ref(("artifact", "file")),
            "content_type": S,
            "content_disposition": S,
        },
        (),
        "MIME part",
    )(value, path, out)
    if isinstance(value, dict) and ("body" in value) == ("body_raw_ref" in value):
        c.problem(out, path, "needs exactly one of body, body_raw_ref")


_REGISTRY_KEY_HIVE_RE = re.compile(r"^HKLM|HKCC|HKCR|HKCU|HKU|hklm|hkcc|hkcr|hkcu|hku")


def _registry_key(value: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(value, str):
        c.problem(out, path, "must be a string")
    elif _REGISTRY_KEY_HIVE_RE.search(value):
        c.problem(
            out, path, "must name the hive in full (e.g. HKEY_LOCAL_MACHINE), not by abbreviation"
        )


_REG_TYPES = (
    "REG_NONE",
    "REG_SZ",
    "REG_EXPAND_SZ",
    "REG_BINARY",
    "REG_DWORD",
    "REG_DWORD_BIG_ENDIAN",
    "REG_DWORD_LITTLE_ENDIAN",
    "REG_LINK",
    "REG_MULTI_SZ",
    "REG_RESOURCE_LIST",
    "REG_FULL_RESOURCE_DESCRIPTION",
    "REG_RESOURCE_REQUIREMENTS_LIST",
    "REG_QWORD",
    "REG_INVALID_TYPE",
)


def uuid_v4(*contributing: str) -> Constraint:
    """IDs of SCOs without ID-contributing properties must be UUIDv4 (stix2-validator)."""

    def rule(obj: dict[str, Any], out: list[Problem]) -> None:
        oid = obj.get("id")
        if any(k in obj for k in contributing) or c.identifier_problem(oid) is not None:
            return
        assert isinstance(oid, str)  # identifier_problem refuses anything else
        if uuid.UUID(oid[oid.index("--") + 2 :]).version != 4:
            c.problem(out, "id", "must use a UUIDv4 when no ID-contributing property is present")

    return rule


def _network_traffic_activity(obj: dict[str, Any], out: list[Problem]) -> None:
    if "end" in obj and obj.get("is_active") is not False:
        c.problem(out, "end", "requires is_active to be false")


def _email_body(obj: dict[str, Any], out: list[Problem]) -> None:
    multipart = obj.get("is_multipart")
    if multipart is True and "body" in obj:
        c.problem(out, "body", "must not be present when is_multipart is true")
    if multipart is not True and "body_multipart" in obj:
        c.problem(out, "body_multipart", "requires is_multipart to be true")


def _artifact_payload(obj: dict[str, Any], out: list[Problem]) -> None:
    if ("payload_bin" in obj) == ("url" in obj):
        c.problem(out, None, "an artifact needs exactly one of payload_bin, url")
    if "url" in obj and "hashes" not in obj:
        c.problem(out, "hashes", "is required when url is present")


def sco(
    props: dict[str, c.Check],
    required: tuple[str, ...],
    *constraints: Constraint,
    extensions: dict[str, c.Check] | None = None,
) -> TypeSpec:
    """An SCO spec with the common SCO properties merged in."""
    merged = {**SCO_COMMON, **props}
    if extensions:
        merged["extensions"] = p.extensions(extensions)
    return TypeSpec("sco", merged, required, (modified_after_created_any, *constraints))


_ADDR_REFS = ("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name")
_PROCESS_PROPS: dict[str, c.Check] = {
    "is_hidden": B,
    "pid": INT,
    "created_time": TS,
    "cwd": S,
    "command_line": S,
    "environment_variables": c.dictionary,
    "opened_connection_refs": c.ref_list(("network-traffic",)),
    "creator_user_ref": c.ref(("user-account",)),
    "image_ref": c.ref(("file",)),
    "parent_ref": c.ref(("process",)),
    "child_refs": c.ref_list(("process",)),
}
_USER_ACCOUNT_PROPS: dict[str, c.Check] = {
    "user_id": S,
    "credential": S,
    "account_login": S,
    "account_type": S,
    "display_name": S,
    "is_service_account": B,
    "is_privileged": B,
    "can_escalate_privs": B,
    "is_disabled": B,
    "account_created": TS,
    "account_expires": TS,
    "credential_last_changed": TS,
    "account_first_login": TS,
    "account_last_login": TS,
}
_X509_PROPS: dict[str, c.Check] = {
    "is_self_signed": B,
    "hashes": c.hashes,
    "version": S,
    "serial_number": S,
    "signature_algorithm": S,
    "issuer": S,
    "validity_not_before": TS,
    "validity_not_after": TS,
    "subject": S,
    "subject_public_key_algorithm": S,
    "subject_public_key_modulus": S,
    "subject_public_key_exponent": INT,
    "x509_v3_extensions": c.embedded(
        {
            "basic_constraints": S,
            "name_constraints": S,
            "policy_constraints": S,
            "key_usage": S,
            "extended_key_usage": S,
            "subject_key_identifier": S,
            "authority_key_identifier": S,
            "subject_alternative_name": S,
            "issuer_alternative_name": S,
            "subject_directory_attributes": S,
            "crl_distribution_points": S,
            "inhibit_any_policy": S,
            "private_key_usage_period_not_before": TS,
            "private_key_usage_period_not_after": TS,
            "certificate_policies": S,
            "policy_mappings": S,
        },
        (),
        "X.509 v3 extensions",
    ),
}

SCO_SPECS: dict[str, TypeSpec] = {
    "artifact": sco(
        {
            "mime_type": _media_type,
            "payload_bin": c.binary,
            "url": c.uri,
            "hashes": c.hashes,
            "encryption_algorithm": c.enum(
                ("AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated")
            ),
            "decryption_key": S,
        },
        (),
        _artifact_payload,
        requires("decryption_key", "encryption_algorithm"),
        uuid_v4("hashes", "payload_bin"),
    ),
    "autonomous-system": sco({"number": INT, "name": S, "rir": S}, ("number",)),
    "directory": sco(
        {
            "path": S,
            "path_enc": _char_set,
            "ctime": TS,
            "mtime": TS,
            "atime": TS,
            "contains_refs": c.ref_list(("file", "directory")),
        },
        ("path",),
    ),
    "domain-name": sco(
        {
            "value": _hostname,
            "resolves_to_refs": c.ref_list(("ipv4-addr", "ipv6-addr", "domain-name")),
        },
        ("value",),
    ),
    "email-addr": sco(
        {
            "value": _email,
            "display_name": S,
            "belongs_to_ref": c.ref(("user-account",)),
        },
        ("value",),
    ),
    "email-message": sco(
        {
            "is_multipart": B,
            "date": TS,
            "content_type": S,
            "from_ref": c.ref(("email-addr",)),
            "sender_ref": c.ref(("email-addr",)),
            "to_refs": c.ref_list(("email-addr",)),
            "cc_refs": c.ref_list(("email-addr",)),
            "bcc_refs": c.ref_list(("email-addr",)),
            "message_id": S,
            "subject": S,
            "received_lines": SL,
            "additional_header_fields": _header_fields,
            "body": S,
            "body_multipart": c.list_of(_mime_part),
            "raw_email_ref": c.ref(("artifact",)),
        },
        ("is_multipart",),
        _email_body,
        uuid_v4("from_ref", "subject", "body"),
    ),
    "file": sco(
        {
            "hashes": c.hashes,
            "size": NONNEG,
            "name": S,
            "name_enc": _char_set,
            "magic_number_hex": c.hexadecimal,
            "mime_type": S,
            "ctime": TS,
            "mtime": TS,
            "atime": TS,
            "parent_directory_ref": c.ref(("directory",)),
            "contains_refs": c.ref_list(),
            "content_ref": c.ref(("artifact",)),
        },
        (),
        at_least_one("hashes", "name"),
        extensions=FILE_EXTENSIONS,
    ),
    "ipv4-addr": sco(
        {
            "value": _ipv4,
            "resolves_to_refs": c.ref_list(("mac-addr",)),
            "belongs_to_refs": c.ref_list(("autonomous-system",)),
        },
        ("value",),
    ),
    "ipv6-addr": sco(
        {
            "value": _ipv6,
            "resolves_to_refs": c.ref_list(("mac-addr",)),
            "belongs_to_refs": c.ref_list(("autonomous-system",)),
        },
        ("value",),
    ),
    "mac-addr": sco(
        {
            "value": c.regex(
                r"^(?:[0-9a-f]{2}:){5}[0-9a-f]{2}$",
                "must be a lowercase colon-separated MAC address",
            ),
        },
        ("value",),
    ),
    "mutex": sco({"name": S}, ("name",)),
    "network-traffic": sco(
        {
            "start": TS,
            "end": TS,
            "is_active": B,
            "src_ref": c.ref(_ADDR_REFS),
            "dst_ref": c.ref(_ADDR_REFS),
            "src_port": c.integer(0, 65535),
            "dst_port": c.integer(0, 65535),
            "protocols": SL,
            "src_byte_count": NONNEG,
            "dst_byte_count": NONNEG,
            "src_packets": NONNEG,
            "dst_packets": NONNEG,
            "ipfix": c.dictionary,
            "src_payload_ref": c.ref(("artifact",)),
            "dst_payload_ref": c.ref(("artifact",)),
            "encapsulates_refs": c.ref_list(("network-traffic",)),
            "encapsulated_by_ref": c.ref(("network-traffic",)),
        },
        ("protocols",),
        at_least_one("src_ref", "dst_ref"),
        _network_traffic_activity,
        order("end", "start"),
        extensions=NETWORK_EXTENSIONS,
    ),
    "process": sco(
        _PROCESS_PROPS,
        (),
        at_least_one("extensions", *_PROCESS_PROPS),
        uuid_v4(),
        extensions=PROCESS_EXTENSIONS,
    ),
    "software": sco(
        {
            "name": S,
            "cpe": _cpe,
            "swid": S,
            "languages": c.list_of(_software_language),
            "vendor": S,
            "version": S,
        },
        ("name",),
    ),
    "url": sco({"value": c.uri}, ("value",)),
    "user-account": sco(
        _USER_ACCOUNT_PROPS,
        (),
        at_least_one("extensions", *_USER_ACCOUNT_PROPS),
        uuid_v4("account_type", "user_id", "account_login"),
        extensions=USER_ACCOUNT_EXTENSIONS,
    ),
    "windows-registry-key": sco(
        {
            "key": _registry_key,
            "values": c.list_of(
                c.embedded(
                    {
                        "name": S,
                        "data": S,
                        "data_type": c.enum(_REG_TYPES),
                    },
                    (),
                    "registry value",
                    any_of=("name", "data", "data_type"),
                )
            ),
            "modified_time": TS,
            "creator_user_ref": c.ref(("user-account",)),
            "number_of_subkeys": INT,
        },
        (),
        at_least_one("key", "values", "creator_user_ref", "number_of_subkeys"),
        uuid_v4("key", "values"),
    ),
    "x509-certificate": sco(
        _X509_PROPS, (), at_least_one(*_X509_PROPS), uuid_v4("hashes", "serial_number")
    ),
}
