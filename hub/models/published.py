"""TAXII collections and the objects published into them, stored as canonical JSON bytes."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, utcnow
from hub.models.members import _enum

# Fixed for the life of the hub: a TAXII collection id derives from its slug, so a reader's
# configured collection id survives database rebuilds and new deployments; it is written in
# the version 4 form that TAXII 2.1 asks of identifiers (0010 moved the version 5 ones).
COLLECTION_NAMESPACE = uuid.UUID("6d616d6f-7269-5441-9849-636f6c6c6563")

# SQLite only autoincrements an INTEGER PRIMARY KEY (the rowid); PostgreSQL gets BIGINT.
_SEQ = BigInteger().with_variant(Integer(), "sqlite")


def collection_uuid(slug: str) -> str:
    """The stable TAXII id of the collection named `slug`: an RFC 4122 version 4 UUID."""
    derived = uuid.uuid5(COLLECTION_NAMESPACE, slug)
    return str(uuid.UUID(bytes=derived.bytes, version=4))


class CollectionKind(enum.StrEnum):
    SECTOR = "sector"
    MEMBERS = "members"
    PUBLIC = "public"
    INBOX = "inbox"


class Collection(Base):
    """A TAXII collection: one per sector, `members`, `public`, and the write-only `inbox`."""

    __tablename__ = "collection"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[CollectionKind] = mapped_column(_enum(CollectionKind, "collection_kind"))
    sector_id: Mapped[str | None] = mapped_column(
        ForeignKey("sector.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # High-water mark of date_added, read and advanced under the row lock by publish, so
    # date_added never repeats or goes back even after deletions.
    last_date_added: Mapped[int] = mapped_column(BigInteger, default=0)


class PublishedObject(Base):
    """One version of one STIX object in one collection, as the bytes readers receive."""

    __tablename__ = "published_object"
    __table_args__ = (
        UniqueConstraint("collection_id", "stix_id", "version", name="uq_published_object_version"),
        UniqueConstraint("collection_id", "date_added", name="uq_published_object_date_added"),
        Index("ix_published_object_type_added", "collection_id", "stix_type", "date_added"),
    )

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    collection_id: Mapped[str] = mapped_column(ForeignKey("collection.id", ondelete="CASCADE"))
    stix_id: Mapped[str] = mapped_column(String(300))
    stix_type: Mapped[str] = mapped_column(String(250))
    version: Mapped[int] = mapped_column(BigInteger)  # epoch µs
    spec_version: Mapped[str] = mapped_column(String(16))
    # Numeric order of spec_version ("2.10" after "2.9"), so SQL can pick the latest.
    spec_rank: Mapped[int] = mapped_column(Integer)
    date_added: Mapped[int] = mapped_column(BigInteger)  # epoch µs
    body: Mapped[bytes] = mapped_column(LargeBinary)
    submission_id: Mapped[str | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL"), index=True
    )


class TaxiiStatus(Base):
    """The outcome of one TAXII POST (§4.3), kept for its poster to read for at least a day."""

    __tablename__ = "taxii_status"
    __table_args__ = (Index("ix_taxii_status_created", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    collection_id: Mapped[str] = mapped_column(ForeignKey("collection.id", ondelete="CASCADE"))
    account_id: Mapped[str | None] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    total_count: Mapped[int]
    # Inbox posts: the submission whose per-object results are the status.
    submission_id: Mapped[str | None] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    # Direct posts: final lists of {"id", "version"[, "message"]}.
    successes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    failures: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
