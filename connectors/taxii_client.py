"""A TAXII 2.1 client for one remote server, on httpx through the egress-checked transport.

Only what pull and push use: the API root's information, a collection's information, Get
Objects (with the `X-TAXII-Date-Added-Last` header the pull needs) and Add Objects followed
by its status resource. Every request, redirect hops included, goes through
`egress.Transport`, which refuses non-global addresses and connects to the address it
checked; httpx drops `Authorization` on a redirect to another origin, so credentials never
follow one. An error names the HTTP status and a fixed category, never the remote's text.
(taxii2-client, which the tests still read the hub with, is built on requests, whose
connections cannot be routed through a transport that pins the checked address.)
The client is synchronous: callers run it in a thread.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx
import orjson

from connectors import egress
from hub.models import AuthKind

TIMEOUT_SECONDS = 60.0
MAX_REDIRECTS = 5
TAXII = "application/taxii+json;version=2.1"
MAX_RESPONSE_BYTES = 64 * 1024 * 1024

CATEGORIES = {
    400: "bad request",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    406: "not acceptable",
    413: "too large",
    415: "unsupported media type",
    422: "unprocessable",
    429: "too many requests",
}


class RemoteError(Exception):
    """The remote answered with an error status (the category, never its text)."""

    def __init__(self, status: int) -> None:
        self.status = status
        category = CATEGORIES.get(status) or ("server error" if status >= 500 else "unexpected")
        super().__init__(f"HTTP {status} ({category})")


class BadResponse(Exception):
    """The remote answered 2xx with something that is not the TAXII JSON expected."""


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>`."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


@dataclass(frozen=True)
class Remote:
    """Where a TAXII 2.1 API root is and how to authenticate to it."""

    api_root_url: str
    auth_kind: AuthKind = AuthKind.NONE
    username: str | None = None
    credential: str | None = field(default=None, repr=False)
    ca_file: str | None = None

    @property
    def root(self) -> str:
        return self.api_root_url if self.api_root_url.endswith("/") else self.api_root_url + "/"

    def collection_url(self, collection_id: str) -> str:
        return urljoin(self.root, f"collections/{collection_id}/")

    def auth(self) -> httpx.Auth | None:
        if self.auth_kind is AuthKind.BASIC:
            return httpx.BasicAuth(self.username or "", self.credential or "")
        if self.auth_kind is AuthKind.BEARER:
            return BearerAuth(self.credential or "")
        return None

    def verify(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)


@dataclass(frozen=True, slots=True)
class Status:
    """A TAXII status resource (§4.3.1), as far as push reads it."""

    id: str
    status: str
    success_count: int
    failure_count: int
    failures: list[dict[str, Any]]


class Collection:
    """One collection of the remote."""

    def __init__(self, session: Session, collection_id: str) -> None:
        self.session = session
        self.url = session.remote.collection_url(collection_id)
        self._info: dict[str, Any] | None = None

    def info(self) -> dict[str, Any]:
        if self._info is None:
            self._info = self.session.get_json(self.url)
        return self._info

    @property
    def can_read(self) -> bool:
        return bool(self.info().get("can_read"))

    @property
    def can_write(self) -> bool:
        return bool(self.info().get("can_write"))

    def get_objects(
        self,
        *,
        added_after: str | None = None,
        limit: int | None = None,
        next: str | None = None,  # noqa: A002 (the TAXII parameter's name)
        version: str | None = None,
    ) -> dict[str, Any]:
        """Get Objects (TAXII 2.1 §5.4)."""
        params: dict[str, str] = {}
        if added_after:
            params["added_after"] = added_after
        if limit is not None:
            params["limit"] = str(limit)
        if next:
            params["next"] = next
        if version:
            params["match[version]"] = version
        return self.session.get_json(self.url + "objects/", params=params)

    def add_objects(
        self,
        envelope: bytes,
        *,
        wait_for_completion: bool = True,
        poll_interval: float = 1,
        timeout: float = 120,
    ) -> Status:
        """Add Objects (TAXII 2.1 §5.5), then Get Status (§4.3) until complete or `timeout`."""
        doc = self.session.send_json("POST", self.url + "objects/", envelope)
        status = _status(doc)
        deadline = time.monotonic() + timeout
        while wait_for_completion and status.status != "complete":
            if time.monotonic() >= deadline:
                break
            time.sleep(poll_interval)
            status = _status(
                self.session.get_json(urljoin(self.session.remote.root, f"status/{status.id}/"))
            )
        return status


def _status(doc: Mapping[str, Any]) -> Status:
    try:
        return Status(
            id=str(doc["id"]),
            status=str(doc["status"]),
            success_count=int(doc.get("success_count") or 0),
            failure_count=int(doc.get("failure_count") or 0),
            failures=[f for f in doc.get("failures") or [] if isinstance(f, dict)],
        )
    except (KeyError, TypeError, ValueError):
        raise BadResponse("the remote's status resource is not a TAXII status") from None


class Session:
    """One remote's connections, its credentials, and the headers of the last response."""

    def __init__(self, remote: Remote, policy: egress.Policy = egress.STRICT) -> None:
        self.remote = remote
        self.last_headers: Mapping[str, str] = {}
        self.client = httpx.Client(
            transport=egress.Transport(policy, verify=remote.verify()),
            auth=remote.auth(),
            timeout=TIMEOUT_SECONDS,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            trust_env=False,
            headers={"Accept": TAXII, "User-Agent": "mamori-taxii/1"},
        )

    def _send(self, request: httpx.Request) -> Any:
        response = self.client.send(request, stream=True)
        try:
            self.last_headers = dict(response.headers)
            if not 200 <= response.status_code < 300:
                raise RemoteError(response.status_code)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise BadResponse("the remote's response is too large")
        finally:
            response.close()
        try:
            doc = orjson.loads(bytes(body))
        except orjson.JSONDecodeError:
            raise BadResponse("the remote's response is not JSON") from None
        if not isinstance(doc, dict):
            raise BadResponse("the remote's response is not a JSON object")
        return doc

    def get_json(self, url: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self._send(self.client.build_request("GET", url, params=params))
        return result

    def send_json(self, method: str, url: str, body: bytes) -> dict[str, Any]:
        request = self.client.build_request(
            method, url, content=body, headers={"Content-Type": TAXII}
        )
        result: dict[str, Any] = self._send(request)
        return result

    def collection(self, collection_id: str) -> Collection:
        return Collection(self, collection_id)

    def max_content_length(self) -> int:
        """From the API root's information (TAXII 2.1 §4.2)."""
        try:
            return int(self.get_json(self.remote.root)["max_content_length"])
        except (KeyError, TypeError, ValueError):
            raise BadResponse("the API root's information has no max_content_length") from None

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def category(exc: BaseException) -> str:
    """What went wrong, in words of the hub's own: never the remote's or the OS's text."""
    if isinstance(exc, RemoteError | BadResponse | egress.Refused):
        return str(exc)
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the remote broke the HTTP protocol"
    if isinstance(exc, httpx.HTTPError):
        return "HTTP error"
    if isinstance(exc, ssl.SSLError | OSError):
        return "TLS or connection error"
    return type(exc).__name__
