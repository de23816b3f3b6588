"""Before any route reads a body: the caller's rate, the body's size, and its credentials.

FastAPI reads (and parses) a route's body before it resolves the route's dependencies, so
without this a stranger's 200 MB POST to an admin route is held in memory before its 401.
This pure ASGI middleware throttles the client, and hands the application a `receive` that,
the first time the route asks for its body, refuses a declared Content-Length over the
route's cap (413) and runs the route's own authentication and role checks from the headers
(401/403/429), before a byte of the body is read; after that it counts streamed bytes, so
that a chunked body stops at the cap too. The route is the one the router chose
(`scope["route"]`), so no table here can drift from the routes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import body, errors
from api.deps import (
    RoleCheck,
    client_address,
    get_principal,
    get_read_sessionmaker,
    get_throttle,
)
from api.errors import Refused
from api.taxii.deps import get_caller
from api.web.auth import COOKIE, current_session, sign_in_first
from hub.config import Settings
from hub.errors import BadRequest, HubError, PayloadTooLarge, Unauthorized
from hub.members import sessions

Check = Callable[[Request], Awaitable[None]]
UNGUARDED = frozenset({"/healthz", "/readyz"})  # probes are never throttled


@dataclass(frozen=True, slots=True)
class Policy:
    """What a route allows before its body is read."""

    cap: int
    check: Check | None


def _calls(dependant: Dependant) -> list[object]:
    found: list[object] = []
    for sub in dependant.dependencies:
        found.append(sub.call)
        found.extend(_calls(sub))
    return found


def _check_for(calls: list[object], settings: Settings) -> Check | None:
    """The route's own authentication and role checks, run from the headers alone."""
    roles = [call for call in calls if isinstance(call, RoleCheck)]
    if get_principal in calls or roles:

        async def authenticated(request: Request) -> None:
            principal = await get_principal(request)
            for role in roles:
                await role(principal)

        return authenticated
    if current_session in calls:
        # The console: a form needs a live session; without one, the sign-in page (303).
        # Read on the reader pool: the route may already hold the writer's one connection
        # (SQLite), and the route itself notes the session's use.
        async def console_session(request: Request) -> None:
            token = request.cookies.get(COOKIE)
            found = None
            if token:
                async with get_read_sessionmaker(request)() as db:
                    found = await sessions.lookup(db, token, touch=False)
            if found is None:
                raise sign_in_first(request)

        return console_session
    if get_caller in calls:
        # TAXII: anonymous callers are allowed only when the public collection is on.
        async def taxii_caller(request: Request) -> None:
            if request.headers.get("authorization"):
                await get_principal(request)
            elif not settings.public_collection:
                raise Unauthorized("authentication required: send an API key")

        return taxii_caller
    return None


def policy_for(route: APIRoute, settings: Settings) -> Policy:
    cap = (
        settings.max_body_bytes if body.takes_intake(route.endpoint) else settings.max_request_bytes
    )
    return Policy(cap, _check_for(_calls(route.dependant), settings))


class RequestGuard:
    """Throttle every HTTP request; cap and authenticate before its body is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.policies: dict[int, Policy] = {}

    def _policy(self, scope: Scope, settings: Settings) -> Policy:
        route = scope.get("route")
        if not isinstance(route, APIRoute):
            return Policy(settings.max_request_bytes, None)
        policy = self.policies.get(id(route))
        if policy is None:
            policy = self.policies[id(route)] = policy_for(route, settings)
        return policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNGUARDED:
            await self.app(scope, receive, send)
            return
        application: FastAPI = scope["app"]
        settings: Settings = application.state.settings
        request = Request(scope)
        try:
            await get_throttle(request).request_from(client_address(request))
        except HubError as exc:
            await _refuse(request, exc)(scope, receive, send)
            return

        received = 0
        cap: int | None = None

        async def guarded() -> Message:
            nonlocal received, cap
            if cap is None:
                # The first read: the router has chosen the route, no body byte is taken yet.
                policy = self._policy(scope, settings)
                try:
                    declared = _declared_length(request)
                    if declared is not None and declared > policy.cap:
                        raise PayloadTooLarge(
                            f"body of {declared} bytes is over the limit of {policy.cap} bytes"
                            " for this route"
                        )
                    if policy.check is not None:
                        await policy.check(request)
                except HubError as exc:
                    raise Refused(exc) from None
                cap = policy.cap
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise Refused(
                        PayloadTooLarge(f"body is over the limit of {cap} bytes for this route")
                    )
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded, watched)
        except Refused as exc:
            if started:
                raise
            await _refuse(request, exc.error)(scope, receive, send)


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise BadRequest("Content-Length is not a number") from None


def _refuse(request: Request, error: HubError) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    response = errors.render(request, error.status_code, error.title, error.detail, error.errors)
    response.headers.update(error.headers())
    return response
