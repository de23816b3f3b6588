"""Where connectors may connect: global addresses only, unless an admin allow-lists a network.

Every destination (a TAXII source, a peer, a webhook) is resolved with the system resolver
and each address checked: loopback in any spelling (`127.1`, `0x7f000001`, `2130706433` all
resolve to 127.0.0.1), link-local (the cloud metadata services at 169.254.169.254 and
fd00:ec2::254), private, CGNAT, multicast, reserved and unspecified addresses are refused,
as are IPv6 forms that embed one (IPv4-mapped, 6to4, NAT64). The check runs at registration
and again in the HTTP transport on every request, redirect hops included, and the transport
connects to the very address it checked (the URL's host is kept for `Host` and TLS), so a
DNS answer that changes between the check and the connection cannot reach inside.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from hub.config import Settings
from hub.netpolicy import STRICT, IPAddress, Policy, Refused, policy_of

__all__ = ["STRICT", "AsyncTransport", "Policy", "Refused", "Transport", "policy_of"]


def policy_for(settings: Settings) -> Policy:
    return Policy.parse(settings.connector_allow_networks)


def _addresses(infos: Iterable[tuple[Any, ...]]) -> list[IPAddress]:
    # A scope id ("fe80::1%eth0") is not part of the address.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return _addresses(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"{host} does not resolve ({exc.__class__.__name__})") from None


async def aresolve(host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        return _addresses(await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"{host} does not resolve ({exc.__class__.__name__})") from None


async def check_url(url: str, policy: Policy) -> None:
    """At registration: the URL's host resolves only to addresses the policy allows."""
    parsed = httpx.URL(url)
    await aresolve_checked(parsed, policy)


async def aresolve_checked(url: httpx.URL, policy: Policy) -> IPAddress:
    host = url.host
    return policy.check(host, await aresolve(host, _port(url)))


def _pinned(request: httpx.Request, ip: IPAddress) -> None:
    """Send `request` to `ip`, keeping the name for the Host header and TLS (SNI, certificate)."""
    host = request.url.host
    request.extensions = {**request.extensions}
    if request.url.scheme == "https":
        request.extensions.setdefault("sni_hostname", host)
    request.headers.setdefault("Host", request.url.netloc.decode("ascii"))
    request.url = request.url.copy_with(host=str(ip))


class Transport(httpx.BaseTransport):
    """A synchronous transport that checks and pins every request's address."""

    def __init__(self, policy: Policy, inner: httpx.BaseTransport | None = None, **kw: Any):
        self.policy = policy
        self.inner = inner or httpx.HTTPTransport(**kw)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        ip = self.policy.check(request.url.host, resolve(request.url.host, _port(request.url)))
        _pinned(request, ip)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncTransport(httpx.AsyncBaseTransport):
    """The asynchronous twin, for webhook deliveries."""

    def __init__(
        self, policy: Policy, inner: httpx.AsyncBaseTransport | None = None, **kw: Any
    ) -> None:
        self.policy = policy
        self.inner = inner or httpx.AsyncHTTPTransport(**kw)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        ip = await aresolve_checked(request.url, self.policy)
        _pinned(request, ip)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def mask_url(url: str) -> str:
    """The URL with any user:password replaced, for responses, logs and the audit log."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


def mask_text(text: str | None, urls: Iterable[str]) -> str | None:
    """Error text with the given URLs' credentials masked (httpx errors quote the URL)."""
    if text is None:
        return None
    for url in urls:
        masked = mask_url(url)
        if masked != url:
            text = text.replace(url, masked)
            userinfo = urlsplit(url).netloc.rsplit("@", 1)[0]
            text = text.replace(userinfo + "@", "***@")
    return text
