"""Operator review and member consent of a submission, auto-consent, and published observables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, utcnow
from hub.models.members import _enum
from hub.sharing import Breadth


class SubmissionReview(Base):
    """Where a submission stands with the operators and its submitter: scope, edits, consent.

    One row per submission, created by the first operator decision. The history of every
    move stays in `submission_event` and the audit log; this row is the current answer.
    """

    __tablename__ = "submission_review"

    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    # Sharing scope chosen by the operator (hub.sharing.Scope), None until approved.
    breadth: Mapped[Breadth | None] = mapped_column(_enum(Breadth, "sharing_breadth"))
    extra_sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Four-eyes: the second, different operator who confirmed a scope beyond the sector.
    second_by: Mapped[str | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    second_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Operator edits, replayed on every re-sanitization: {"drop": [original ids],
    # "redact": [terms], "keep": [attacker values]}.
    edits: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Why it was rejected or sent back: the submitter sees this.
    reason: Mapped[str | None] = mapped_column(Text)
    consent: Mapped[str | None] = mapped_column(String(16))  # approved / withdrawn
    consent_cross_sector: Mapped[bool] = mapped_column(default=False)
    consent_amber_strict: Mapped[bool] = mapped_column(default=False)
    consent_auto: Mapped[bool] = mapped_column(default=False)
    consent_by: Mapped[str | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where each collection's copy went: {collection slug: [hub ids]}.
    published_to: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AutoConsent(Base):
    """A member's standing approval: publish without asking when the scope is one of these."""

    __tablename__ = "auto_consent"

    member_id: Mapped[str] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    breadths: Mapped[list[str]] = mapped_column(JSON, default=list)
    # TLP:AMBER beyond the sector; AMBER+STRICT always needs a per-submission answer.
    cross_sector: Mapped[bool] = mapped_column(default=False)
    updated_by: Mapped[str | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PublishedObservable(Base):
    """A keyed digest of a value or pattern a member got published, for corroboration flags."""

    __tablename__ = "published_observable"
    __table_args__ = (Index("ix_published_observable_key_member", "key", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    stix_id: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
