"""Checks shared by every STIX type: identifiers, timestamps, references, lists, hashes, markings.

A check is a function ``(value, path, out)`` that appends a Problem to ``out`` for each fault.
The rules are the intersection of what stix2 3.0.2 (allow_custom=True) and stix2-validator
3.2.0 both demand, so a value passing here passes both references.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from hub.validate.errors import Problem

Check = Callable[[Any, str, list[Problem]], None]

# Type names: stix2's TYPE_21_REGEX, the schemas' type pattern and the identifier pattern
# together allow lowercase words joined by single hyphens, starting with a letter.
TYPE_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
UUID_PATTERN = (
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-([1-5])[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}"
    r"-[0-9a-fA-F]{12}"
)
ID_RE = re.compile(rf"^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)--{UUID_PATTERN}$")
# %f in stix2's strptime takes 1 to 6 digits; the schema's regex bounds the fields.
TS_RE = re.compile(
    r"^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)"
    r"(?:\.(\d{1,6}))?Z$"
)
# Custom property names: the schemas' properties.json and stix2's PREFIX_21_REGEX.
PROPERTY_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{2,249}$")
DICT_KEY_RE = re.compile(r"^[a-zA-Z0-9_-]{1,250}$")
HASH_KEY_RE = re.compile(r"^[a-zA-Z0-9_-]{3,250}$")
HEX_RE = re.compile(r"^(?:[a-fA-F0-9]{2})+$")
BASE64_RE = re.compile(
    r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$"
)
# Names the 2.1 schemas forbid outright (2.0 leftovers and PII-ish properties).
RESERVED_PROPERTIES = frozenset({"severity", "action", "username", "phone_numbers"})

# Hash values: both stix2's sanity regexes (case-insensitive) and the schema's exact-name
# patterns; keyed by stix2's normalisation of the algorithm name.
_HEX = "[a-fA-F0-9]"
HASH_VALUE_RE: dict[str, re.Pattern[str]] = {
    "MD5": re.compile(rf"^{_HEX}{{32}}$"),
    "MD6": re.compile(
        rf"^(?:{_HEX}{{32}}|{_HEX}{{40}}|{_HEX}{{56}}|{_HEX}{{64}}|{_HEX}{{96}}|{_HEX}{{128}})$"
    ),
    "RIPEMD160": re.compile(rf"^{_HEX}{{40}}$"),
    "SHA1": re.compile(rf"^{_HEX}{{40}}$"),
    "SHA224": re.compile(rf"^{_HEX}{{56}}$"),
    "SHA256": re.compile(rf"^{_HEX}{{64}}$"),
    "SHA384": re.compile(rf"^{_HEX}{{96}}$"),
    "SHA512": re.compile(rf"^{_HEX}{{128}}$"),
    "SHA3224": re.compile(rf"^{_HEX}{{56}}$"),
    "SHA3256": re.compile(rf"^{_HEX}{{64}}$"),
    "SHA3384": re.compile(rf"^{_HEX}{{96}}$"),
    "SHA3512": re.compile(rf"^{_HEX}{{128}}$"),
    "SSDEEP": re.compile(r"^[a-zA-Z0-9/+:.]{1,128}$"),
    "WHIRLPOOL": re.compile(rf"^{_HEX}{{128}}$"),
    "TLSH": re.compile(rf"^{_HEX}{{70}}$"),
}
SDO_TYPES = frozenset(
    {
        "attack-pattern",
        "campaign",
        "course-of-action",
        "grouping",
        "identity",
        "incident",
        "indicator",
        "infrastructure",
        "intrusion-set",
        "location",
        "malware",
        "malware-analysis",
        "note",
        "observed-data",
        "opinion",
        "report",
        "threat-actor",
        "tool",
        "vulnerability",
    }
)
SRO_TYPES = frozenset({"relationship", "sighting"})
# stix2 counts extension-definition as an SDO when it checks "SCO only" style references.
SDO_LIKE_TYPES = SDO_TYPES | {"extension-definition"}
SCO_TYPES = frozenset(
    {
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    }
)


def problem(out: list[Problem], path: str | None, reason: str) -> None:
    """Record one fault."""
    out.append(Problem(path, reason))


def parse_timestamp(value: object, millis: bool = False) -> datetime | None:
    """The datetime of a STIX timestamp string, or None if stix2 or the schema would refuse it."""
    if not isinstance(value, str):
        return None
    return _parse_timestamp(value, millis)


@lru_cache(maxsize=8192)  # a bundle repeats the same few created/modified values
def _parse_timestamp(value: str, millis: bool) -> datetime | None:
    m = TS_RE.match(value)
    if m is None:
        return None
    year, month, day, hour, minute, second, frac = m.groups()
    if millis and (frac is None or len(frac) < 3):
        return None
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int(frac.ljust(6, "0")) if frac else 0,
        )
    except ValueError:
        return None


def _ts_reason(value: object, millis: bool) -> str:
    if not isinstance(value, str):
        return "must be a timestamp string"
    if millis and TS_RE.match(value):
        return "must have millisecond precision (YYYY-MM-DDTHH:MM:SS.sssZ)"
    return f"{value!r} is not an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)"


def timestamp(value: Any, path: str, out: list[Problem]) -> None:
    """Any-precision STIX timestamp."""
    if parse_timestamp(value) is None:
        problem(out, path, _ts_reason(value, False))


def timestamp_millis(value: Any, path: str, out: list[Problem]) -> None:
    """created/modified: at least millisecond precision."""
    if parse_timestamp(value, millis=True) is None:
        problem(out, path, _ts_reason(value, True))


def timestamp_seconds(value: Any, path: str, out: list[Problem]) -> None:
    """PE time_date_stamp: whole seconds only (schema pattern)."""
    if parse_timestamp(value) is None or "." in value:
        problem(out, path, "must be a timestamp with whole seconds (YYYY-MM-DDTHH:MM:SSZ)")


def compare_timestamps(
    obj: dict[str, Any],
    later: str,
    earlier: str,
    strict: bool,
    out: list[Problem],
    millis: bool = False,
) -> None:
    """Order two timestamp properties, by instant (stix2) and by string (stix2-validator)."""
    a, b = obj.get(later), obj.get(earlier)
    ta, tb = parse_timestamp(a, millis), parse_timestamp(b, millis)
    if ta is None or tb is None:
        return  # the malformed one is already reported
    # Both parsed, so both are strings.
    sa, sb = str(a), str(b)
    ok = (ta > tb and sa > sb) if strict else (ta >= tb and sa >= sb)
    if not ok:
        rel = "later than" if strict else "later than or equal to"
        problem(out, later, f"must be {rel} {earlier} ({b})")


def string(value: Any, path: str, out: list[Problem]) -> None:
    """A JSON string."""
    if not isinstance(value, str):
        problem(out, path, "must be a string")


def boolean(value: Any, path: str, out: list[Problem]) -> None:
    """A JSON boolean."""
    if not isinstance(value, bool):
        problem(out, path, "must be a boolean")


def integer(lo: int | None = None, hi: int | None = None) -> Check:
    """A JSON integer within [lo, hi]."""

    def check(value: Any, path: str, out: list[Problem]) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            problem(out, path, "must be an integer")
        elif (lo is not None and value < lo) or (hi is not None and value > hi):
            problem(
                out,
                path,
                f"must be between {lo} and {hi}, got {value}"
                if lo is not None and hi is not None
                else f"must be >= {lo}, got {value}"
                if lo is not None
                else f"must be <= {hi}, got {value}",
            )

    return check


def number(lo: float | None = None, hi: float | None = None) -> Check:
    """A finite JSON number within [lo, hi]."""

    def check(value: Any, path: str, out: list[Problem]) -> None:
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            problem(out, path, "must be a number")
        elif (lo is not None and value < lo) or (hi is not None and value > hi):
            problem(out, path, f"must be between {lo} and {hi}, got {value}")

    return check


def enum(values: Iterable[str]) -> Check:
    """A string from a closed set (the few STIX enums, not open vocabularies)."""
    allowed = frozenset(values)
    shown = ", ".join(sorted(allowed))

    def check(value: Any, path: str, out: list[Problem]) -> None:
        if not isinstance(value, str) or value not in allowed:
            problem(out, path, f"must be one of: {shown}; got {value!r}")

    return check


def fixed(expected: str) -> Check:
    """A string that must have exactly this value."""

    def check(value: Any, path: str, out: list[Problem]) -> None:
        if value != expected or not isinstance(value, str):
            problem(out, path, f"must be {expected!r}, got {value!r}")

    return check


def regex(pattern: str, reason: str) -> Check:
    """A string matching a pattern."""
    test = re.compile(pattern).match

    def check(value: Any, path: str, out: list[Problem]) -> None:
        if not isinstance(value, str) or test(value) is None:
            problem(out, path, reason)

    return check


def binary(value: Any, path: str, out: list[Problem]) -> None:
    """Base64 with padding (schema binary.json, stix2 BinaryProperty)."""
    if not isinstance(value, str) or BASE64_RE.match(value) is None:
        problem(out, path, "must be base64-encoded binary")
        return
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        problem(out, path, "must be base64-encoded binary")


def hexadecimal(value: Any, path: str, out: list[Problem]) -> None:
    """An even number of hex digits."""
    if not isinstance(value, str) or HEX_RE.match(value) is None:
        problem(out, path, "must be an even-length hex string")


def list_of(item: Check) -> Check:
    """A non-empty JSON array whose items pass ``item``."""

    def check(value: Any, path: str, out: list[Problem]) -> None:
        if not isinstance(value, list):
            problem(out, path, "must be a list")
        elif not value:
            problem(out, path, "must not be empty")
        else:
            for i, v in enumerate(value):
                item(v, f"{path}[{i}]", out)

    return check


def _string_list(value: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(value, list):
        problem(out, path, "must be a list of strings")
    elif not value:
        problem(out, path, "must not be empty")
    else:
        for i, v in enumerate(value):
            if not isinstance(v, str):
                problem(out, f"{path}[{i}]", "must be a string")


string_list: Check = _string_list


def id_type(value: str) -> str:
    """The type part of an identifier already known to be well-formed."""
    return value[: value.index("--")]


def identifier_problem(value: object) -> str | None:
    """Why a value is not a STIX 2.1 identifier (type--RFC-4122 UUID), or None if it is one."""
    if not isinstance(value, str):
        return "must be a STIX identifier string"
    m = ID_RE.match(value)
    if m is None or len(m.group(1)) < 3 or len(m.group(1)) > 250:
        return f"{value!r} is not a valid STIX identifier (<type>--<RFC 4122 UUID>)"
    return None


def ref(allowed: Iterable[str] | None = None, denied: Iterable[str] = ()) -> Check:
    """An identifier whose type is in ``allowed`` (if given) and not in ``denied``."""
    allow = frozenset(allowed) if allowed is not None else None
    deny = frozenset(denied)
    allow_text = " or ".join(sorted(allow)) if allow else ""

    def check(value: Any, path: str, out: list[Problem]) -> None:
        why = identifier_problem(value)
        if why is not None:
            problem(out, path, why)
            return
        t = id_type(value)
        if allow is not None and t not in allow:
            problem(out, path, f"must reference {allow_text}, not {t}")
        elif t in deny:
            problem(out, path, f"must not reference a {t}")

    return check


def ref_list(allowed: Iterable[str] | None = None, denied: Iterable[str] = ()) -> Check:
    """A non-empty list of references."""
    return list_of(ref(allowed, denied))


def dictionary(value: Any, path: str, out: list[Problem]) -> None:
    """A STIX dictionary: non-empty, simple keys, no nulls or empty lists (dictionary.json)."""
    if not isinstance(value, dict):
        problem(out, path, "must be a dictionary")
        return
    if not value:
        problem(out, path, "must not be empty")
    for k, v in value.items():
        if DICT_KEY_RE.match(k) is None:
            problem(out, f"{path}.{k}", "key must be 1-250 characters of a-z, A-Z, 0-9, '-', '_'")
        elif v is None:
            problem(out, f"{path}.{k}", "must not be null")
        elif isinstance(v, list) and not v:
            problem(out, f"{path}.{k}", "must not be an empty list")


def hashes(value: Any, path: str, out: list[Problem]) -> None:
    """A hashes dictionary; known algorithms' values must have the right form."""
    if not isinstance(value, dict):
        problem(out, path, "must be a dictionary of hashes")
        return
    if not value:
        problem(out, path, "must not be empty")
    for k, v in value.items():
        sub = f"{path}.{k}"
        if HASH_KEY_RE.match(k) is None:
            problem(out, sub, "hash names are 3-250 characters of a-z, A-Z, 0-9, '-', '_'")
        elif not isinstance(v, str):
            problem(out, sub, "must be a string")
        else:
            pat = HASH_VALUE_RE.get(k.replace("-", "").upper())
            if pat is not None and pat.match(v) is None:
                problem(out, sub, f"{v!r} is not a valid {k} hash")


def _nonempty_dict(value: Any, path: str, out: list[Problem]) -> bool:
    if not isinstance(value, dict):
        problem(out, path, "must be an object")
        return False
    return True


def embedded(
    props: dict[str, Check],
    required: Iterable[str] = (),
    name: str = "object",
    custom: bool = False,
    any_of: Iterable[str] = (),
) -> Check:
    """A nested object; unknown keys are refused unless ``custom`` lets custom properties in;
    ``any_of`` names properties of which at least one must be present."""
    req = tuple(required)
    one_of = tuple(any_of)

    def check(value: Any, path: str, out: list[Problem]) -> None:
        if not _nonempty_dict(value, path, out):
            return
        for r in req:
            if r not in value:
                problem(out, f"{path}.{r}", "is required")
        for k, v in value.items():
            c = props.get(k)
            if c is None and custom:
                custom_property(k, v, f"{path}.{k}", out)
            elif c is None:
                problem(out, f"{path}.{k}", f"is not a property of a {name}")
            elif v is None:
                problem(out, f"{path}.{k}", "must not be null")
            else:
                c(v, f"{path}.{k}", out)
        if one_of and not any(k in value for k in one_of):
            problem(out, path, "needs at least one of: " + ", ".join(one_of))

    return check


# URIs: a conservative subset of RFC 3986 absolute URIs (what the validator's "uri" format
# accepts); brackets and other rarities are refused rather than guessed at.
_PCT = r"%[0-9A-Fa-f]{2}"
_UNRES_SUB = r"A-Za-z0-9\-._~!$&'()*+,;="
_PCHAR = rf"(?:[{_UNRES_SUB}:@]|{_PCT})"
URI_RE = re.compile(
    rf"^[A-Za-z][A-Za-z0-9+.\-]*:"
    rf"(?://(?:(?:[{_UNRES_SUB}:]|{_PCT})*@)?(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?:[{_UNRES_SUB}]|{_PCT})*)"
    rf"(?::[0-9]*)?"
    rf"(?:/{_PCHAR}*)*"
    rf"|/?(?:{_PCHAR}+(?:/{_PCHAR}*)*)?)"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?$"
)


def uri(value: Any, path: str, out: list[Problem]) -> None:
    """An absolute URI."""
    m = URI_RE.match(value) if isinstance(value, str) else None
    if m is not None and m.group("ip6") is not None:
        try:
            ipaddress.IPv6Address(m.group("ip6"))
        except ValueError:
            m = None
    if m is None:
        problem(out, path, f"{value!r} is not a valid absolute URI")


def property_value(name: str, value: Any, path: str, out: list[Problem]) -> None:
    """Rules every property value obeys, known or custom (schema properties.json)."""
    if value is None:
        problem(out, path, "must not be null")
    elif isinstance(value, list) and not value:
        problem(out, path, "must not be an empty list")
    elif name.endswith("_bin"):
        binary(value, path, out)
    elif name.endswith("_hex"):
        hexadecimal(value, path, out)


def custom_property(name: str, value: Any, path: str, out: list[Problem]) -> None:
    """A property the type does not define: kept if its name and value are well-formed."""
    if name in RESERVED_PROPERTIES:
        problem(out, path, f"{name!r} is a reserved property name in STIX 2.1")
    elif PROPERTY_NAME_RE.match(name) is None:
        problem(
            out,
            path,
            "custom property names must be 3-250 characters of a-z, 0-9, '_', "
            "starting with a letter",
        )
    else:
        property_value(name, value, path, out)
