"""Which addresses connectors may reach: global ones only, unless an admin allows a network.

Pure: no I/O. `connectors.egress` resolves names and checks each address with this policy,
at registration and in the HTTP transport.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
INFO_KEY = "egress"  # where a session finds the policy (see api.app)

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class Refused(Exception):
    """A destination the hub will not connect to; the message says which address and why."""


def _embedded(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def why_not_global(ip: IPAddress) -> str | None:
    """Why an address is not a public Internet address, or None when it is one."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded(ip)
        if inner is not None:
            reason = why_not_global(inner)
            return f"embeds {inner}, {reason}" if reason else None
        if ip in _NAT64_LOCAL:
            return "a local NAT64 address"
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address (cloud metadata lives there)"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_multicast, "a multicast address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "a CGNAT address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a global address"),
    )
    return next((reason for hit, reason in checks if hit), None)


@dataclass(frozen=True, slots=True)
class Policy:
    """The deny-list of non-global addresses, minus the networks an admin allowed."""

    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Policy:
        """From `MAMORI_CONNECTOR_ALLOW_NETWORKS`: CIDRs separated by commas or spaces."""
        nets = []
        for part in text.replace(",", " ").split():
            try:
                nets.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"MAMORI_CONNECTOR_ALLOW_NETWORKS: {part!r} is no CIDR") from None
        return cls(tuple(nets))

    def allowed(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.allow)

    def refusal(self, ip: IPAddress) -> str | None:
        if self.allowed(ip):
            return None
        inner = _embedded(ip) if isinstance(ip, ipaddress.IPv6Address) else None
        if inner is not None and self.allowed(inner):
            return None
        return why_not_global(ip)

    def check(self, host: str, addresses: Iterable[IPAddress]) -> IPAddress:
        """The address to connect to; every address of the name must pass, or it is refused."""
        found = list(dict.fromkeys(addresses))
        if not found:
            raise Refused(f"{host} resolves to no address")
        for ip in found:
            reason = self.refusal(ip)
            if reason is not None:
                raise Refused(
                    f"{host} resolves to {ip}, {reason}; connectors reach only global "
                    "addresses unless MAMORI_CONNECTOR_ALLOW_NETWORKS allows its network"
                )
        return found[0]


STRICT = Policy()


def policy_of(info: dict[str, Any]) -> Policy:
    """The policy a session carries (the strict one when none was configured)."""
    found = info.get(INFO_KEY)
    return found if isinstance(found, Policy) else STRICT
