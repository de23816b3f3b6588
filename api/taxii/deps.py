"""What every TAXII route needs: media checks, the caller, the collection it may see, paging."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from api.deps import Db, ReadDb, SettingsDep, get_principal
from hub.errors import BadRequest, Forbidden, NotAcceptable, NotFound, Unauthorized
from hub.members.principals import Principal
from hub.models import Collection
from hub.store import access, collections
from hub.store.objects import Page
from hub.taxii import cursor, media
from hub.taxii.cursor import CursorError, Position
from hub.taxii.filters import Endpoint, ObjectQuery, QueryError, parse_query
from hub.taxii.timestamps import format_micros

API_ROOT = "mamori"
PREFIX = "/taxii2"
ROOT_PATH = f"{PREFIX}/{API_ROOT}"
STIX_21 = "application/stix+json;version=2.1"
NO_SUCH_COLLECTION = "no such collection, or it is not available to these credentials"
NO_SUCH_OBJECT = "no such object in this collection"


def taxii(body: bytes, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A response with the TAXII 2.1 media type (§1.6.8)."""
    return Response(body, status_code=status, media_type=media.TAXII_MEDIA, headers=headers)


def check_accept(request: Request) -> None:
    """406 unless the client accepts TAXII 2.1 JSON (§1.6.8.1)."""
    if not media.accepts_taxii(request.headers.get("accept")):
        raise NotAcceptable(f"this server answers only with {media.TAXII_MEDIA}")


@dataclass(frozen=True, slots=True)
class Caller:
    """The requester (None when anonymous) and whether anonymous public reading is on."""

    principal: Principal | None
    public_enabled: bool

    def can_read(self, collection: Collection) -> bool:
        return access.can_read(self.principal, collection, public_enabled=self.public_enabled)

    def can_write(self, collection: Collection) -> bool:
        return access.can_write(self.principal, collection, public_enabled=self.public_enabled)

    def sees(self, collection: Collection) -> bool:
        return access.visible(self.principal, collection, public_enabled=self.public_enabled)

    def not_found(self, detail: str = NO_SUCH_COLLECTION) -> Exception:
        # Anonymous callers get 401 for anything not public, existing or not.
        if self.principal is None:
            return Unauthorized("authentication required: send an API key")
        return NotFound(detail)


async def get_caller(request: Request, settings: SettingsDep) -> Caller:
    """Authenticate when credentials are sent; without them only the public collection is open."""
    check_accept(request)
    if request.headers.get("authorization"):
        return Caller(await get_principal(request), settings.public_collection)
    if not settings.public_collection:
        raise Unauthorized("authentication required: send an API key")
    return Caller(None, True)


CallerDep = Annotated[Caller, Depends(get_caller)]


async def visible_collection(db: Db, caller: CallerDep, collection_id: str) -> Collection:
    """The collection if this caller may know it exists; otherwise exactly an unknown id."""
    collection = await collections.by_id(db, collection_id)
    if collection is None or not caller.sees(collection):
        raise caller.not_found()
    return collection


VisibleCollection = Annotated[Collection, Depends(visible_collection)]


# A collection's id, kind and sector never change (the id is derived from the slug), so GET
# routes may reuse a looked-up row briefly; a sector deleted and re-created under the same
# slug is seen within this many seconds.
COLLECTION_CACHE_SECONDS = 5.0


async def readable_collection(
    request: Request, db: ReadDb, caller: CallerDep, collection_id: str
) -> Collection:
    """`visible_collection` for GET routes, through the read-only session and a short cache."""
    cache: dict[str, tuple[float, Collection]] | None = getattr(
        request.app.state, "taxii_collections", None
    )
    if cache is None:
        cache = request.app.state.taxii_collections = {}
    now = time.monotonic()
    hit = cache.get(collection_id)
    if hit is not None and hit[0] > now:
        collection: Collection | None = hit[1]
    else:
        collection = await collections.by_id(db, collection_id)
        if collection is not None:
            if len(cache) > 10_000:  # ids come from URLs; unknown ones are never stored
                cache.clear()
            # A copy of its own: the loaded row belongs to this request's session.
            collection = collections.detached_copy(collection)
            cache[collection_id] = (now + COLLECTION_CACHE_SECONDS, collection)
    if collection is None or not caller.sees(collection):
        raise caller.not_found()
    return collection


ReadableCollection = Annotated[Collection, Depends(readable_collection)]


def require_read(caller: Caller, collection: Collection) -> None:
    if not caller.can_read(collection):
        raise Forbidden("this collection is write-only for these credentials")


def query_for(
    request: Request, settings: SettingsDep, endpoint: Endpoint, object_id: str | None = None
) -> ObjectQuery:
    """The validated filter and paging parameters (§3.4); 400 when malformed."""
    try:
        return parse_query(
            request.query_params.multi_items(),
            endpoint=endpoint,
            default_limit=settings.taxii_page_default,
            max_limit=settings.taxii_page_max,
            object_id=object_id,
        )
    except QueryError as exc:
        raise BadRequest(f"invalid query parameter {exc.param}: {exc.message}") from None


@dataclass(frozen=True, slots=True)
class CursorKeys:
    """The key new `next` tokens are signed with, and every key epoch's, to verify with."""

    current: bytes
    accepted: tuple[bytes, ...]


async def cursor_key(request: Request, settings: SettingsDep) -> CursorKeys:
    """The `next` signing keys, derived once per application from the hub's key epochs."""
    keys: CursorKeys | None = getattr(request.app.state, "taxii_cursor_key", None)
    if keys is None:
        accepted = tuple(
            cursor.derive_key(secret, cursor.CURSOR_KEY_PURPOSE)
            for secret in settings.keyring.epochs.values()
        )
        keys = CursorKeys(accepted[0], accepted)
        request.app.state.taxii_cursor_key = keys
    return keys


CursorKey = Annotated[CursorKeys, Depends(cursor_key)]


def start_after(query: ObjectQuery, collection: Collection, keys: CursorKeys) -> Position | None:
    """Where a page starts: after the cursor's position, or at the beginning.

    A cursor signed before a key rotation still verifies with its epoch's key.
    """
    if query.next is None:
        return None
    problem: CursorError | None = None
    for key in keys.accepted:
        try:
            return cursor.decode(
                query.next, collection_id=collection.id, fingerprint=query.fingerprint(), key=key
            )
        except CursorError as exc:
            problem = problem or exc
    raise BadRequest(f"invalid next parameter: {problem}")


def next_token(
    position: Position, query: ObjectQuery, collection: Collection, keys: CursorKeys
) -> str:
    return cursor.encode(
        position, collection_id=collection.id, fingerprint=query.fingerprint(), key=keys.current
    )


def date_headers(first: int, last: int) -> dict[str, str]:
    """X-TAXII-Date-Added-First/Last (§3.3) of a non-empty page."""
    return {
        "X-TAXII-Date-Added-First": format_micros(first),
        "X-TAXII-Date-Added-Last": format_micros(last),
    }


def paged(
    page: Page,
    query: ObjectQuery,
    collection: Collection,
    key: CursorKeys,
    *,
    field: bytes,
    items: list[bytes],
) -> Response:
    """A paged resource assembled from bytes: `{"more":…,"next":…,"<field>":[…]}` (§3.7)."""
    if not page.rows:
        return taxii(b"{}")
    parts = [b'{"more":', b"true" if page.more else b"false"]
    if page.more:
        token = next_token(page.rows[-1].position, query, collection, key)
        parts += [b',"next":"', token.encode("ascii"), b'"']
    parts += [b',"', field, b'":[', b",".join(items), b"]}"]
    headers = date_headers(page.rows[0].date_added, page.rows[-1].date_added)
    return taxii(b"".join(parts), headers=headers)
