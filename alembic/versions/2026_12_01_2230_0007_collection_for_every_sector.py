"""a collection row for every sector (readers no longer create them)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:30:00

Until now a sector created after 0002 got its collection row from the first TAXII read or
publish that looked for it. Sectors now get theirs when they are created; this fills in
the rows that such reads would have made, so a read never has to write.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of 0002's values: collection ids and fixed rows must never change.
COLLECTION_NAMESPACE = uuid.UUID("6d616d6f-7269-5441-9849-636f6c6c6563")
FIXED = (
    ("members", "members", "All members", "Intelligence shared with every member firm."),
    ("public", "public", "Public", "Intelligence the hub publishes to everyone (TLP:CLEAR)."),
    ("inbox", "inbox", "Inbox", "Write-only: submit STIX 2.1 reports for review and sanitizing."),
)


def upgrade() -> None:
    bind = op.get_bind()
    have = set(bind.execute(sa.text("SELECT slug FROM collection")).scalars())
    rows = [
        {
            "id": str(uuid.uuid5(COLLECTION_NAMESPACE, slug)),
            "slug": slug,
            "kind": kind,
            "sector_id": None,
            "title": title,
            "description": text,
            "last_date_added": 0,
        }
        for slug, kind, title, text in FIXED
        if slug not in have
    ]
    for sector_id, sector_slug, name in bind.execute(
        sa.text("SELECT id, slug, name FROM sector ORDER BY slug")
    ).all():
        slug = f"sector-{sector_slug}"
        if slug in have:
            continue
        rows.append(
            {
                "id": str(uuid.uuid5(COLLECTION_NAMESPACE, slug)),
                "slug": slug,
                "kind": "sector",
                "sector_id": sector_id,
                "title": f"{name} sector",
                "description": f"Intelligence shared with the members of the {name} sector.",
                "last_date_added": 0,
            }
        )
    if rows:
        collection = sa.table(
            "collection",
            sa.column("id"),
            sa.column("slug"),
            sa.column("kind"),
            sa.column("sector_id"),
            sa.column("title"),
            sa.column("description"),
            sa.column("last_date_added"),
        )
        op.bulk_insert(collection, rows)


def downgrade() -> None:
    # The rows are what the hub would have created on first read; they stay.
    pass
