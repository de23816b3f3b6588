"""Typed dependencies: the request's session, the caller, role checks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import keys, principals
from hub.config import Settings
from hub.errors import Forbidden, Unauthorized
from hub.models import Role
from hub.principals import Principal


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return maker


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed before the response is sent, or rolled back."""
    async with get_sessionmaker(request)() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings)]
Sessionmaker = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
# scope="function": the commit happens before the response leaves, so a 202 means stored.
Db = Annotated[AsyncSession, Depends(get_db, scope="function")]


def credentials(request: Request) -> tuple[str, str] | None:
    """(key id, secret) from a Bearer or Basic Authorization header, None when absent."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    match scheme.lower():
        case "bearer":
            parts = keys.split_key(value)
        case "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise Unauthorized("malformed Basic credentials") from None
            user, sep, password = decoded.partition(":")
            if not sep:
                raise Unauthorized("malformed Basic credentials")
            # The password may be the whole key or only its secret part.
            parts = keys.split_key(password) or keys.split_key(f"{user}.{password}")
            if parts is not None and parts[0] != user:
                parts = None
        case _:
            raise Unauthorized("use HTTP Basic (key id and key) or a Bearer key")
    if parts is None:
        raise Unauthorized("invalid API key")
    return parts


async def get_principal(request: Request) -> Principal:
    """The authenticated caller, checked in a short transaction of its own."""
    found = credentials(request)
    if found is None:
        raise Unauthorized("authentication required: send an API key")
    settings = get_settings(request)
    async with get_sessionmaker(request).begin() as db:
        principal = await principals.from_key(
            db, *found, touch_after=timedelta(seconds=settings.key_touch_seconds)
        )
    if principal is None:
        raise Unauthorized("invalid or revoked API key")
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    allowed = frozenset(roles)

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"this needs one of the roles: {names}")
        return principal

    return check


Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Submitter = Annotated[Principal, Depends(require(Role.SUBMITTER))]
SubmissionViewer = Annotated[Principal, Depends(require(Role.SUBMITTER, Role.OPERATOR, Role.ADMIN))]
