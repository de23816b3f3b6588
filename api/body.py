"""Reading request bodies within the size limit, while they stream in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request

from hub.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

F = TypeVar("F", bound=Callable[..., object])

_LARGE = "_mamori_large_body"


def intake(endpoint: F) -> F:
    """Mark a route that takes a submission: its body may reach MAMORI_MAX_BODY_BYTES.

    Every other route is held to MAMORI_MAX_REQUEST_BYTES by `api.guard`.
    """
    setattr(endpoint, _LARGE, True)
    return endpoint


def takes_intake(endpoint: object) -> bool:
    return bool(getattr(endpoint, _LARGE, False))


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    header = request.headers.get("content-type", "")
    kind, *params = (part.strip() for part in header.split(";"))
    parsed: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.lower(), parsed


def require_json(request: Request, accepted: frozenset[str]) -> str:
    """The Content-Type if it is one of ``accepted`` (JSON in UTF-8), else 415."""
    kind, params = media_type(request)
    if kind not in accepted:
        names = ", ".join(sorted(accepted))
        raise UnsupportedMediaType(
            f"Content-Type {kind or '(none)'!r} is not accepted; use {names}"
        )
    if params.get("charset", "utf-8") not in ("utf-8", "utf8"):
        raise UnsupportedMediaType("the body must be UTF-8 JSON")
    version = params.get("version")
    if version is not None and version != "2.1":
        raise UnsupportedMediaType(f"version={version} is not supported; this hub speaks STIX 2.1")
    return request.headers.get("content-type", kind)


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, refusing with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
        if size > limit:
            raise PayloadTooLarge(f"body of {size} bytes is over the limit of {limit} bytes")
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise PayloadTooLarge(f"body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
