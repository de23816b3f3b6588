"""Validation and normalisation of a member's registered assets, on entry."""

from __future__ import annotations

import ipaddress
import re
import unicodedata

from hub.errors import Unprocessable
from hub.models import AssetKind
from hub.sanitize.matchers import long_enough

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_NETBIOS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$")
_HOST_PATTERN = re.compile(r"^[A-Za-z0-9*?\[\]!._-]{1,253}$")
# Characters a regular expression would use: an id format is a template, not a regex.
_NOT_TEMPLATE = frozenset("\\[](){}+?|^$")
_PLACEHOLDERS = "#@*"
_PHRASES = (AssetKind.NAME, AssetKind.TERM, AssetKind.SITE, AssetKind.GROUP_COMPANY, AssetKind.TEAM)


def normalise(kind: AssetKind, value: str) -> str:
    """The canonical form of one asset, or a clear error naming what is wrong with it."""
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise Unprocessable(f"{kind.value}: empty value")
    match kind:
        case kind if kind in _PHRASES:
            return phrase(text, kind.value)
        case AssetKind.ID_FORMAT:
            return id_format(text)
        case AssetKind.DNS_DOMAIN | AssetKind.EMAIL_DOMAIN:
            return domain(text, kind.value)
        case AssetKind.AD_DOMAIN:
            if "." in text:
                return domain(text, kind.value)
            if not _NETBIOS.match(text):
                raise Unprocessable(f"ad_domain: {text!r} is neither a DNS name nor a NetBIOS name")
            return text.upper()
        case AssetKind.IP_RANGE:
            try:
                return str(ipaddress.ip_network(text, strict=False))
            except ValueError as exc:
                raise Unprocessable(
                    f"ip_range: {text!r} is not an IPv4/IPv6 address or CIDR range: {exc}"
                ) from exc
        case AssetKind.HOSTNAME_PATTERN:
            if not _HOST_PATTERN.match(text) or text.strip("*?.") == "":
                raise Unprocessable(
                    f"hostname_pattern: {text!r} must be a host name or a glob (*, ?, [..]) "
                    "that matches something more specific than everything"
                )
            return text.lower()
    raise Unprocessable(f"unknown asset kind {kind!r}")  # pragma: no cover


def phrase(text: str, what: str) -> str:
    """A name, term, site, team or group company: one line, long enough for its script."""
    if len(text) > 500:
        raise Unprocessable(f"{what}: longer than 500 characters")
    if any(unicodedata.category(c).startswith("C") for c in text):
        raise Unprocessable(f"{what}: {text!r} holds a control character or a line break")
    if not long_enough(text):
        raise Unprocessable(
            f"{what}: {text!r} is too short to match safely (at least two kanji or kana, "
            "or three letters or digits)"
        )
    return text


def id_format(text: str) -> str:
    """A template of a member's internal identifiers: `#` one digit, `@` one ASCII letter,
    `*` a run of letters or digits, anything else literal (``SEPCO-CSIRT-####-####``)."""
    syntax = "use # for a digit, @ for a letter, * for a run of letters or digits"
    if len(text) > 100:
        raise Unprocessable("id_format: longer than 100 characters")
    if bad := sorted({c for c in text if c in _NOT_TEMPLATE or unicodedata.category(c)[0] in "CZ"}):
        shown = ", ".join(repr(c) for c in bad)
        raise Unprocessable(
            f"id_format: {text!r} holds {shown}; an id format is a template, not a regular "
            f"expression, and has no spaces: {syntax}, everything else is literal "
            "(e.g. SEPCO-CSIRT-####-####, INC-#*)"
        )
    if not any(c in _PLACEHOLDERS for c in text):
        raise Unprocessable(
            f"id_format: {text!r} has no placeholder ({syntax}); register a fixed value as a term"
        )
    if "**" in text:
        raise Unprocessable(f"id_format: {text!r} repeats '*', which already means a whole run")
    literal = "".join(c for c in text if c not in _PLACEHOLDERS)
    if not long_enough(literal):
        raise Unprocessable(
            f"id_format: {text!r} needs a literal part (three letters or digits, or two kanji "
            "or kana) besides its placeholders, or it would match ordinary numbers and words"
        )
    return text


def domain(text: str, what: str) -> str:
    """A DNS name in its ASCII (IDNA) lower-case form."""
    name = text.lower().rstrip(".")
    if name.startswith("*."):
        name = name[2:]
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise Unprocessable(f"{what}: {text!r} is not a valid domain name") from exc
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > 253 or not all(_LABEL.match(x) for x in labels):
        raise Unprocessable(f"{what}: {text!r} is not a valid domain name (e.g. example.co.jp)")
    if labels[-1].isdigit():
        raise Unprocessable(f"{what}: {text!r} looks like an IP address, not a domain")
    return ascii_name
