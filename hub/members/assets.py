"""Validation and normalisation of a member's registered assets, on entry."""

from __future__ import annotations

import ipaddress
import re
import unicodedata

from hub.errors import Unprocessable
from hub.models import AssetKind

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_NETBIOS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$")
_HOST_PATTERN = re.compile(r"^[A-Za-z0-9*?\[\]!._-]{1,253}$")


def normalise(kind: AssetKind, value: str) -> str:
    """The canonical form of one asset, or a clear error naming what is wrong with it."""
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise Unprocessable(f"{kind.value}: empty value")
    match kind:
        case AssetKind.NAME | AssetKind.TERM:
            if len(text) > 500:
                raise Unprocessable(f"{kind.value}: longer than 500 characters")
            if len(text) < 2:
                raise Unprocessable(f"{kind.value}: {text!r} is too short to match safely")
            return text
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
