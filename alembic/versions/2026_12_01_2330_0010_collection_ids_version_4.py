"""collection ids in the TAXII identifier form: RFC 4122 version 4

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:30:00

TAXII 2.1 identifiers are version 4 UUIDs; collection ids were version 5 (derived from the
slug). Each row moves to the version 4 form of the same derivation (the version and
variant bits set, as the hub's STIX identity does), so an id is still the same on every
host and rebuild. Published objects and status resources move with their collection. A
cursor signed for an old id no longer verifies; readers start that page again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of 0002's namespace.
COLLECTION_NAMESPACE = uuid.UUID("6d616d6f-7269-5441-9849-636f6c6c6563")
# The tables holding a collection id (fixed names, not input).
MOVE_CHILDREN = (
    "UPDATE published_object SET collection_id = :new WHERE collection_id = :old",
    "UPDATE taxii_status SET collection_id = :new WHERE collection_id = :old",
    "UPDATE webhook_delivery SET collection_id = :new WHERE collection_id = :old",
)


def _v5(slug: str) -> str:
    return str(uuid.uuid5(COLLECTION_NAMESPACE, slug))


def _v4(slug: str) -> str:
    return str(uuid.UUID(bytes=uuid.uuid5(COLLECTION_NAMESPACE, slug).bytes, version=4))


def _move(old_id: Callable[[str], str], new_id: Callable[[str], str]) -> None:
    """Give every collection whose id is `old_id(slug)` the id `new_id(slug)`."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, slug, sector_id FROM collection")).all()
    for row in rows:
        if row.id != old_id(row.slug):
            continue
        new = new_id(row.slug)
        # A copy under a free slug and no sector (both are unique), the children moved onto
        # it, the old row deleted, then the copy takes the slug and sector back.
        bind.execute(
            sa.text(
                "INSERT INTO collection (id, slug, kind, sector_id, title, description, "
                "last_date_added) SELECT :new, :parked, kind, NULL, title, description, "
                "last_date_added FROM collection WHERE id = :old"
            ),
            {"new": new, "parked": f"{row.slug}~0010", "old": row.id},
        )
        for statement in MOVE_CHILDREN:
            bind.execute(sa.text(statement), {"new": new, "old": row.id})
        bind.execute(sa.text("DELETE FROM collection WHERE id = :old"), {"old": row.id})
        bind.execute(
            sa.text("UPDATE collection SET slug = :slug, sector_id = :sector WHERE id = :new"),
            {"slug": row.slug, "sector": row.sector_id, "new": new},
        )


def upgrade() -> None:
    _move(_v5, _v4)


def downgrade() -> None:
    _move(_v4, _v5)
