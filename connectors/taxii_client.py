"""taxii2-client set up for one remote server: its auth, its CA, and the last response headers.

taxii2-client returns only the JSON of a page; the pull needs `X-TAXII-Date-Added-Last` as
well, so a response hook on the client's session keeps the headers of the latest response.
taxii2-client is synchronous (requests): callers run it in a thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests
from taxii2client.v21 import ApiRoot, Collection

from hub.models import AuthKind

TIMEOUT_SECONDS = 60.0


class BearerAuth(requests.auth.AuthBase):
    """`Authorization: Bearer <token>` (taxii2-client's own TokenAuth says `Token`)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


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

    def _kwargs(self) -> dict[str, Any]:
        verify: bool | str = self.ca_file or True
        if self.auth_kind is AuthKind.BASIC:
            return {"user": self.username, "password": self.credential, "verify": verify}
        if self.auth_kind is AuthKind.BEARER:
            return {"auth": BearerAuth(self.credential or ""), "verify": verify}
        return {"verify": verify}


class Session:
    """A collection and the API root of one remote, sharing one connection."""

    def __init__(self, remote: Remote) -> None:
        self.remote = remote
        self.api_root = ApiRoot(remote.root, **remote._kwargs())
        conn = self.api_root._conn
        self.last_headers: Mapping[str, str] = {}
        session: requests.Session = conn.session
        session.hooks["response"].append(self._remember)
        original = session.request

        def request(method: str, url: str, **kwargs: Any) -> requests.Response:
            # requests has no session-wide timeout; an upstream that hangs must not hang us.
            kwargs.setdefault("timeout", TIMEOUT_SECONDS)
            return original(method, url, **kwargs)

        session.request = request  # type: ignore[method-assign,assignment]

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_headers = dict(response.headers)

    def collection(self, collection_id: str) -> Collection:
        return Collection(self.remote.collection_url(collection_id), conn=self.api_root._conn)

    def max_content_length(self) -> int:
        return int(self.api_root.max_content_length)

    def close(self) -> None:
        self.api_root.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
