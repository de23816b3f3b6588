"""Objects: get, add, get one, delete one (TAXII 2.1 §5.4, §5.5, §5.6, §5.7)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from starlette.responses import Response

from api import body
from api.deps import Db, HubRuntimeDep, ReadDb, Sessionmaker, SettingsDep
from api.taxii.deps import (
    NO_SUCH_OBJECT,
    ROOT_PATH,
    CallerDep,
    CursorKey,
    ReadableCollection,
    VisibleCollection,
    paged,
    query_for,
    require_read,
    start_after,
    taxii,
)
from api.taxii.status import status_response
from hub import audit
from hub.errors import Forbidden, NotFound, UnsupportedMediaType
from hub.models import CollectionKind
from hub.stix.tlp import Tlp
from hub.store import access, posts, revocations
from hub.store import objects as published
from hub.submissions import intake, pipeline
from hub.taxii import media
from hub.taxii.filters import Endpoint

router = APIRouter()
OBJECTS = f"{ROOT_PATH}/collections/{{collection_id}}/objects"


@router.get(f"{OBJECTS}/")
@router.get(OBJECTS, include_in_schema=False)
async def get_objects(
    request: Request,
    db: ReadDb,
    caller: CallerDep,
    collection: ReadableCollection,
    settings: SettingsDep,
    key: CursorKey,
) -> Response:
    """Get Objects (TAXII 2.1 §5.4)."""
    require_read(caller, collection)
    query = query_for(request, settings, Endpoint.OBJECTS)
    page = await published.page(
        db, collection.id, query, start_after(query, collection, key), with_body=True
    )
    return paged(
        page, query, collection, key, field=b"objects", items=[r.body or b"" for r in page.rows]
    )


@router.post(f"{OBJECTS}/", status_code=202)
@router.post(OBJECTS, status_code=202, include_in_schema=False)
@body.intake
async def add_objects(
    runtime: HubRuntimeDep,
    request: Request,
    db: Db,
    caller: CallerDep,
    collection: VisibleCollection,
    settings: SettingsDep,
    maker: Sessionmaker,
    tasks: BackgroundTasks,
) -> Response:
    """Add Objects (TAXII 2.1 §5.5): the inbox takes submissions, staff publish directly."""
    principal = caller.principal
    if principal is None or not caller.can_write(collection):
        raise Forbidden("this collection is read-only for these credentials")
    content_type = request.headers.get("content-type")
    if not media.content_type_ok(content_type, allow_stix=False):
        raise UnsupportedMediaType(f"POST a TAXII envelope as {media.TAXII_MEDIA}")
    raw = await body.read_limited(request, settings.max_body_bytes)
    limits = settings.limits
    if collection.kind is CollectionKind.INBOX:
        submission = await intake.receive(
            db, principal, raw, content_type=content_type or "", limits=limits, source="taxii"
        )
        status = await posts.post_inbox(db, principal, collection, submission)
        tasks.add_task(pipeline.schedule, maker, submission.id, runtime)
    else:
        envelope = intake.parse(raw, limits, allow_taxii_envelope=True)
        status = await posts.post_direct(
            db, principal, collection, envelope.objects, default_tlp=Tlp.parse(settings.default_tlp)
        )
    view = await posts.load_status(db, principal, status.id)
    if view is None:  # pragma: no cover - the poster always sees its own status
        raise RuntimeError("status not readable by its poster")
    return status_response(view, status_code=202)


@router.get(f"{OBJECTS}/{{object_id}}/")
@router.get(f"{OBJECTS}/{{object_id}}", include_in_schema=False)
async def get_object(
    request: Request,
    db: ReadDb,
    caller: CallerDep,
    collection: ReadableCollection,
    settings: SettingsDep,
    key: CursorKey,
    object_id: str,
) -> Response:
    """Get an Object (TAXII 2.1 §5.6): 404 when no version of it is in the collection."""
    require_read(caller, collection)
    query = query_for(request, settings, Endpoint.OBJECT, object_id)
    after = start_after(query, collection, key)
    page = await published.page(db, collection.id, query, after, with_body=True)
    # Only an empty page needs the extra probe: a filtered-out object still exists (200 {}).
    if not page.rows and not await published.has_object(db, collection.id, object_id):
        raise NotFound(NO_SUCH_OBJECT)
    return paged(
        page, query, collection, key, field=b"objects", items=[r.body or b"" for r in page.rows]
    )


@router.delete(f"{OBJECTS}/{{object_id}}/")
@router.delete(f"{OBJECTS}/{{object_id}}", include_in_schema=False)
async def delete_object(
    request: Request,
    db: Db,
    caller: CallerDep,
    collection: VisibleCollection,
    settings: SettingsDep,
    object_id: str,
) -> Response:
    """Delete an Object (TAXII 2.1 §5.7): admins only, honouring `match[version]`."""
    if not access.can_delete(caller.principal):
        raise Forbidden("only an admin may delete published objects")
    query = query_for(request, settings, Endpoint.OBJECT, object_id)
    if not await published.has_object(db, collection.id, object_id):
        raise NotFound(NO_SUCH_OBJECT)
    # The last version gone, readers and peers get a revoked version (hub.store.revocations).
    removed, revoked = await revocations.delete_and_revoke(db, collection, query, object_id)
    await audit.record(
        db,
        actor=caller.principal,
        action="taxii.delete",
        subject=f"collection:{collection.slug}",
        details={"id": object_id, "versions": [v for _, v in removed], "revoked": revoked},
    )
    return taxii(b"")
