"""Classifiers for structured victim values: IPs, domains, paths, SIDs, host names."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable

from hub.sanitize import matchers

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Usernames sit right after these prefixes; group 2 is the user segment.
USER_PATH_RE = re.compile(
    r"(?i)((?:[a-z]:|%systemdrive%)?(?<![\\/])[\\/]++"
    r"(?:users|documents and settings|home|export[\\/]home)[\\/]++)"
    r"((?!\[REDACTED:)(?:[^\\/\s'\"<>|:*?]++(?: [^\\/\s'\"<>|:*?]++){0,2}+(?=[\\/])"
    r"|[^\\/\s'\"<>|:*?]++(?=$|[\s'\"<>|,;)\]])))"
)
# A literal ~user home reference on Unix.
TILDE_USER_RE = re.compile(r"(?<![a-zA-Z0-9_~])~([a-z_][a-z0-9_.-]{0,31})(?=/)", re.IGNORECASE)
SID_RE = re.compile(r"(?i)(?<![a-z0-9_])S-1-5-21(?:-[0-9]++){1,6}(?![0-9])")
# \\host\share: the host is an internal machine unless it is a public address or FQDN.
UNC_RE = re.compile(r"(?<![\\a-zA-Z0-9_])\\\\([A-Za-z0-9][\w.\-$]*+)(?=\\)")
SYSTEM_USER_DIRS = frozenset({"public", "default", "all users", "default user", "%username%", "%"})


def parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | IPNetwork | None:
    """An address or a CIDR network, or None when the text is neither."""
    text = value.strip().strip("[]")
    try:
        if "/" in text:
            return ipaddress.ip_network(text, strict=False)
        return ipaddress.ip_address(text)
    except ValueError:
        return None


# The documentation ranges (RFC 5737, RFC 3849) are not globally routable, but no member's
# network uses them: in reports they stand for attacker infrastructure (vendor write-ups,
# exercises, the OASIS examples). Redacting them would strip the attacker, not the victim;
# a member that does use one registers it as its own range and it is redacted as such.
DOCUMENTATION = (
    ipaddress.ip_network("192.0.2.0/24"),
    ipaddress.ip_network("198.51.100.0/24"),
    ipaddress.ip_network("203.0.113.0/24"),
    ipaddress.ip_network("2001:db8::/32"),
)


def is_internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Not globally routable: private, loopback, link-local, CGNAT, reserved..."""
    if ip.is_global:
        return False
    return not any(ip.version == net.version and ip in net for net in DOCUMENTATION)


def is_victim_ip(value: str, ranges: Iterable[IPNetwork]) -> bool:
    """True for internal (non-routable) addresses and for addresses in the member's ranges."""
    ip = parse_ip(value)
    if ip is None:
        return False
    ranges = tuple(ranges)
    if isinstance(ip, ipaddress.IPv4Network | ipaddress.IPv6Network):
        if is_internal(ip.network_address) or is_internal(ip.broadcast_address):
            return True
        return any(ip.version == r.version and ip.overlaps(r) for r in ranges)
    if is_internal(ip):
        return True
    return any(ip.version == r.version and ip in r for r in ranges)


def normalize_domain(value: str) -> str:
    """Lower-cased domain with defanging and the trailing root dot removed."""
    text = value.strip().lower()
    for fang in ("[.]", "(.)", "{.}", "[dot]", "(dot)"):
        text = text.replace(fang, ".")
    return text.rstrip(".")


def domain_matches(value: str, domains: Iterable[str]) -> bool:
    """True when value is one of domains or a sub-domain of one (never a look-alike)."""
    host = normalize_domain(value)
    for domain in domains:
        d = normalize_domain(domain)
        if d and (host == d or host.endswith("." + d)):
            return True
    return False


def hostname_matches(value: str, patterns: Iterable[str]) -> bool:
    """True when value (or its first label) matches one of the member's host name globs;
    the same compiled matcher the free-text redactor searches with."""
    return _host_matcher(tuple(patterns)).fullmatch(value)


@functools.lru_cache(maxsize=64)
def _host_matcher(patterns: tuple[str, ...]) -> matchers.Matcher:
    return matchers.globs("hostname", patterns)


def url_host(value: str) -> str | None:
    """The host part of a URL (defanged schemes accepted), or None."""
    m = re.match(r"(?i)^\s*(?:[a-z][a-z0-9+.\-]*|hxxps?)(?::|\[:\])//([^/?#\s]*)", value)
    if not m:
        return None
    netloc = m.group(1).rsplit("@", 1)[-1]
    if netloc.startswith("["):
        return netloc[1:].split("]", 1)[0]
    return netloc.split(":", 1)[0] if netloc.count(":") <= 1 else netloc


def email_domain(value: str) -> str | None:
    """The domain of an address, or None when value is not one."""
    if "@" not in value:
        return None
    return value.rsplit("@", 1)[1].strip().strip(">")
