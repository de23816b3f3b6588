"""Typed dependencies: the request's session, the caller, role checks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.config import Settings
from hub.db import read_sessionmaker
from hub.errors import Forbidden, Unauthorized
from hub.members import keys, principals
from hub.members.principals import Principal
from hub.models import Role
from hub.runtime import HubRuntime
from hub.throttle import Throttle


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


def get_read_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    """Sessions for read-only requests: SQLite's reader pool, which never waits for writers."""
    return read_sessionmaker(get_sessionmaker(request))


async def get_read_db(request: Request) -> AsyncIterator[AsyncSession]:
    """A read-only unit of work for GET requests; nothing is committed, the snapshot is let go."""
    async with get_read_sessionmaker(request)() as session:
        yield session


# FastAPI runs plain `def` dependencies in a worker thread; these answer at once, so they
# are coroutines to keep that round trip off every request.
async def _settings(request: Request) -> Settings:
    return get_settings(request)


async def _sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    return get_sessionmaker(request)


def get_runtime(request: Request) -> HubRuntime:
    """The hub's runtime, built once when the application starts."""
    runtime: HubRuntime = request.app.state.runtime
    return runtime


SettingsDep = Annotated[Settings, Depends(_settings)]
HubRuntimeDep = Annotated[HubRuntime, Depends(get_runtime)]
Sessionmaker = Annotated[async_sessionmaker[AsyncSession], Depends(_sessionmaker)]
# scope="function": the commit happens before the response leaves, so a 202 means stored.
Db = Annotated[AsyncSession, Depends(get_db, scope="function")]
# Released before the response is sent, so the pooled connection serves the next request.
ReadDb = Annotated[AsyncSession, Depends(get_read_db, scope="function")]


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


PRINCIPAL_SCOPE_KEY = "mamori.principal"  # set by api.guard when it authenticated first


def client_address(request: Request) -> str:
    """The caller's address (a trusted proxy's X-Forwarded-For already applied)."""
    return request.client.host if request.client is not None else "unknown"


def get_throttle(request: Request) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle


async def get_principal(request: Request) -> Principal:
    """The authenticated caller: remembered for a few seconds, else read without a write lock.

    `last_used_at` is written in a short transaction of its own only when it is stale
    (`key_touch_seconds`), so polling readers do not queue behind SQLite's one writer.
    Failed attempts count per (client address, key id), so a stranger's guesses never lock
    out the valid keys used from the same address; a verified key spends its own budget.
    """
    already: Principal | None = request.scope.get(PRINCIPAL_SCOPE_KEY)
    if already is not None:
        return already
    throttle = get_throttle(request)
    client = client_address(request)
    try:
        found = credentials(request)
    except Unauthorized:
        await throttle.check_sign_in(client, None)
        await throttle.note_failure(client, None)
        raise
    if found is None:
        raise Unauthorized("authentication required: send an API key")
    key_id, secret = found
    await throttle.check_sign_in(client, key_id)
    principal = principals.verified.get(key_id, secret)
    if principal is None:
        async with get_read_sessionmaker(request)() as db:
            known = await principals.lookup(db, key_id, secret)
        if known is None:
            await throttle.note_failure(client, key_id)
            raise Unauthorized("invalid or revoked API key")
        principal, last_used_at = known
        touch_after = timedelta(seconds=get_settings(request).key_touch_seconds)
        if keys.touch_due(last_used_at, touch_after):
            async with get_sessionmaker(request).begin() as db:
                await keys.touch(db, key_id)
        principals.verified.put(key_id, secret, principal)
    await throttle.request_by(key_id)
    request.state.principal = principal
    request.scope[PRINCIPAL_SCOPE_KEY] = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


class RoleCheck:
    """A dependency that lets only these roles through; `api.guard` runs it before the body."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        if principal.role not in self.roles:
            names = ", ".join(sorted(r.value for r in self.roles))
            raise Forbidden(f"this needs one of the roles: {names}")
        return principal


def require(*roles: Role) -> RoleCheck:
    return RoleCheck(*roles)


Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Submitter = Annotated[Principal, Depends(require(Role.SUBMITTER))]
SubmissionViewer = Annotated[Principal, Depends(require(Role.SUBMITTER, Role.OPERATOR, Role.ADMIN))]
