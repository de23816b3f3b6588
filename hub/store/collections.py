"""The hub's TAXII collections: one per sector, `members`, `public` and the write-only `inbox`.

The fixed rows come with the schema (a migration seeds them) and a sector's row is created in
the same transaction as the sector (`create_for_sector`), so reading a collection never
writes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.errors import NotFound
from hub.models import Collection, CollectionKind, Sector
from hub.models.published import collection_uuid
from hub.sharing import MEMBERS, PUBLIC, SECTOR_PREFIX, sector_collection

INBOX = "inbox"

_FIXED: tuple[tuple[str, CollectionKind, str, str], ...] = (
    (MEMBERS, CollectionKind.MEMBERS, "All members", "Intelligence shared with every member firm."),
    (
        PUBLIC,
        CollectionKind.PUBLIC,
        "Public",
        "Intelligence the hub publishes to everyone (TLP:CLEAR).",
    ),
    (
        INBOX,
        CollectionKind.INBOX,
        "Inbox",
        "Write-only: submit STIX 2.1 reports for review and sanitizing.",
    ),
)
_KIND_ORDER = {
    CollectionKind.SECTOR: 0,
    CollectionKind.MEMBERS: 1,
    CollectionKind.PUBLIC: 2,
    CollectionKind.INBOX: 3,
}


def _sector_row(sector: Sector) -> Collection:
    slug = sector_collection(sector.slug)
    return Collection(
        id=collection_uuid(slug),
        slug=slug,
        kind=CollectionKind.SECTOR,
        sector_id=sector.id,
        title=f"{sector.name} sector",
        description=f"Intelligence shared with the members of the {sector.name} sector.",
        last_date_added=0,
    )


async def create_for_sector(db: AsyncSession, sector: Sector) -> Collection:
    """The new sector's collection, added with it; only flushes."""
    row = _sector_row(sector)
    db.add(row)
    await db.flush()
    return row


async def ensure_collections(db: AsyncSession) -> int:
    """Create any missing collection row (fixed ones, one per sector); how many were made.

    A repair for a database filled outside the hub's own verbs; no read path calls it.
    """
    have = set(await db.scalars(select(Collection.slug)))
    missing: list[Collection] = [
        Collection(
            id=collection_uuid(slug),
            slug=slug,
            kind=kind,
            sector_id=None,
            title=title,
            description=text,
            last_date_added=0,
        )
        for slug, kind, title, text in _FIXED
        if slug not in have
    ]
    for sector in await db.scalars(select(Sector)):
        if sector_collection(sector.slug) not in have:
            missing.append(_sector_row(sector))
    made = 0
    for row in missing:
        try:
            # A concurrent request may create the same row; losing that race is fine.
            async with db.begin_nested():
                db.add(row)
                await db.flush()
            made += 1
        except IntegrityError:
            continue
    return made


def detached_copy(collection: Collection) -> Collection:
    """The same collection as an object of no session, safe to keep between requests."""
    return Collection(
        id=collection.id,
        slug=collection.slug,
        kind=collection.kind,
        sector_id=collection.sector_id,
        title=collection.title,
        description=collection.description,
        last_date_added=collection.last_date_added,
    )


async def by_id(db: AsyncSession, collection_id: str) -> Collection | None:
    """The collection with this TAXII id, if there is one."""
    return await db.get(Collection, collection_id)


async def by_slug(db: AsyncSession, slug: str) -> Collection:
    """The collection named `slug`, or NotFound."""
    found = await db.scalar(select(Collection).where(Collection.slug == slug))
    if found is None:
        raise NotFound(f"no collection {slug!r}")
    return found


async def all_collections(db: AsyncSession) -> list[Collection]:
    """Every collection, sectors first, in a stable order."""
    rows = list(await db.scalars(select(Collection)))
    return sorted(rows, key=lambda c: (_KIND_ORDER[c.kind], c.slug))


def is_sector_slug(slug: str) -> bool:
    return slug.startswith(SECTOR_PREFIX)
