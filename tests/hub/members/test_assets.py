"""Registered assets are checked and normalised on entry."""

from __future__ import annotations

import pytest

from hub.errors import Unprocessable
from hub.members.assets import normalise
from hub.models import AssetKind as K


@pytest.mark.parametrize(
    ("kind", "given", "stored"),
    [
        (K.DNS_DOMAIN, "Kansai-Grid.Example.JP.", "kansai-grid.example.jp"),
        (K.DNS_DOMAIN, "*.corp.example.jp", "corp.example.jp"),
        (K.DNS_DOMAIN, "関西電力.jp", "xn--tfr509jkvhqkb.jp"),
        (K.EMAIL_DOMAIN, "mail.example.co.jp", "mail.example.co.jp"),
        (K.IP_RANGE, "203.0.113.7/24", "203.0.113.0/24"),
        (K.IP_RANGE, "2001:DB8::/32", "2001:db8::/32"),
        (K.IP_RANGE, "198.51.100.9", "198.51.100.9/32"),
        (K.AD_DOMAIN, "kgpcorp", "KGPCORP"),
        (K.AD_DOMAIN, "Corp.Example.JP", "corp.example.jp"),
        (K.HOSTNAME_PATTERN, "KGP-WS-*", "kgp-ws-*"),
        (K.HOSTNAME_PATTERN, "tgh-srv-??", "tgh-srv-??"),
        (K.NAME, "  関西グリッド電力  ", "関西グリッド電力"),
        (K.TERM, "Project Hotaru", "Project Hotaru"),
    ],
)
def test_valid_assets_are_normalised(kind: K, given: str, stored: str) -> None:
    assert normalise(kind, given) == stored


@pytest.mark.parametrize(
    ("kind", "given", "message"),
    [
        (K.IP_RANGE, "10.0.0.0/33", "not an IPv4/IPv6 address or CIDR range"),
        (K.IP_RANGE, "10.0.0", "not an IPv4/IPv6 address or CIDR range"),
        (K.IP_RANGE, "example.com", "not an IPv4/IPv6 address or CIDR range"),
        (K.DNS_DOMAIN, "localhost", "not a valid domain name"),
        (K.DNS_DOMAIN, "exa mple.com", "not a valid domain name"),
        (K.DNS_DOMAIN, "-bad-.example.com", "not a valid domain name"),
        (K.DNS_DOMAIN, "10.1.2.3", "looks like an IP address"),
        (K.EMAIL_DOMAIN, "user@example.com", "not a valid domain name"),
        (K.AD_DOMAIN, "BAD DOMAIN", "neither a DNS name nor a NetBIOS name"),
        (K.HOSTNAME_PATTERN, "*", "more specific than everything"),
        (K.HOSTNAME_PATTERN, "host/name", "host name or a glob"),
        (K.NAME, "   ", "empty value"),
        (K.NAME, "A", "too short"),
    ],
)
def test_bad_assets_are_refused_clearly(kind: K, given: str, message: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        normalise(kind, given)
    assert message in caught.value.detail
    assert kind.value in caught.value.detail
