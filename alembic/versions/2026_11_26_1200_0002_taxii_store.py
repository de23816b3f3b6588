"""TAXII store: collections, published objects and POST statuses

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:00:00
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa

import hub.db
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of hub.models.published.COLLECTION_NAMESPACE: collection ids must never change.
COLLECTION_NAMESPACE = uuid.UUID("6d616d6f-7269-5441-9849-636f6c6c6563")
FIXED = (
    ("members", "members", "All members", "Intelligence shared with every member firm."),
    ("public", "public", "Public", "Intelligence the hub publishes to everyone (TLP:CLEAR)."),
    ("inbox", "inbox", "Inbox", "Write-only: submit STIX 2.1 reports for review and sanitizing."),
)


def upgrade() -> None:
    op.create_table(
        "collection",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "sector",
                "members",
                "public",
                "inbox",
                name="collection_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sector_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("last_date_added", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sector_id"],
            ["sector.id"],
            name=op.f("fk_collection_sector_id_sector"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection")),
        sa.UniqueConstraint("sector_id", name=op.f("uq_collection_sector_id")),
        sa.UniqueConstraint("slug", name=op.f("uq_collection_slug")),
    )
    op.create_table(
        "published_object",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("stix_id", sa.String(length=300), nullable=False),
        sa.Column("stix_type", sa.String(length=250), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("spec_version", sa.String(length=16), nullable=False),
        sa.Column("spec_rank", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_published_object_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_published_object_submission_id_submission"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_published_object")),
        sa.UniqueConstraint("collection_id", "date_added", name="uq_published_object_date_added"),
        sa.UniqueConstraint(
            "collection_id", "stix_id", "version", name="uq_published_object_version"
        ),
    )
    with op.batch_alter_table("published_object", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_published_object_submission_id"), ["submission_id"], unique=False
        )
        batch_op.create_index(
            "ix_published_object_type_added",
            ["collection_id", "stix_type", "date_added"],
            unique=False,
        )

    op.create_table(
        "taxii_status",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=True),
        sa.Column("successes", sa.JSON(), nullable=True),
        sa.Column("failures", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_taxii_status_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_taxii_status_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_taxii_status_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_status")),
    )
    with op.batch_alter_table("taxii_status", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_taxii_status_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index("ix_taxii_status_created", ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_taxii_status_submission_id"), ["submission_id"], unique=False
        )

    _seed_collections()


def _seed_collections() -> None:
    """The fixed collections, and one per sector that already exists."""
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
    ]
    sectors = op.get_bind().execute(sa.text("SELECT id, slug, name FROM sector")).all()
    for sector_id, sector_slug, name in sectors:
        slug = f"sector-{sector_slug}"
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
    op.bulk_insert(collection, rows)


def downgrade() -> None:
    with op.batch_alter_table("taxii_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxii_status_submission_id"))
        batch_op.drop_index("ix_taxii_status_created")
        batch_op.drop_index(batch_op.f("ix_taxii_status_account_id"))

    op.drop_table("taxii_status")
    with op.batch_alter_table("published_object", schema=None) as batch_op:
        batch_op.drop_index("ix_published_object_type_added")
        batch_op.drop_index(batch_op.f("ix_published_object_submission_id"))

    op.drop_table("published_object")
    op.drop_table("collection")
