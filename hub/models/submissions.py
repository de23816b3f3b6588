"""Submissions: the sealed raw body, per-object results, and every state transition."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, UTCDateTime, utcnow
from hub.models.members import Account, Member, _enum, new_id


class SubmissionState(enum.StrEnum):
    RECEIVED = "received"
    VALIDATED = "validated"
    SANITIZED = "sanitized"
    IN_REVIEW = "in_review"
    AWAITING_CONSENT = "awaiting_consent"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SENT_BACK = "sent_back"
    FAILED = "failed"


class ObjectStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Submission(Base):
    """One report from a member: a bundle or a single object, as received."""

    __tablename__ = "submission"
    __table_args__ = (
        Index("ix_submission_member_received", "member_id", "received_at"),
        Index("ix_submission_state_received", "state", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id", ondelete="RESTRICT"))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="rest")
    state: Mapped[SubmissionState] = mapped_column(
        _enum(SubmissionState, "submission_state"), default=SubmissionState.RECEIVED
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    bundle_id: Mapped[str | None] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100))
    byte_count: Mapped[int]
    object_count: Mapped[int]
    accepted_count: Mapped[int] = mapped_column(default=0)
    rejected_count: Mapped[int] = mapped_column(default=0)
    failure: Mapped[str | None] = mapped_column(Text)

    member: Mapped[Member] = relationship(lazy="raise")
    account: Mapped[Account | None] = relationship(lazy="raise")
    blob: Mapped[SubmissionBlob] = relationship(
        back_populates="submission", lazy="raise", cascade="all, delete-orphan", uselist=False
    )
    objects: Mapped[list[SubmissionObject]] = relationship(
        back_populates="submission",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="SubmissionObject.position",
    )
    events: Mapped[list[SubmissionEvent]] = relationship(
        back_populates="submission",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="SubmissionEvent.id",
    )


class SubmissionBlob(Base):
    """The sealed raw body, and the sanitized version with its report once they exist."""

    __tablename__ = "submission_blob"

    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    sanitized: Mapped[bytes | None] = mapped_column(LargeBinary)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    submission: Mapped[Submission] = relationship(back_populates="blob", lazy="raise")


class SubmissionObject(Base):
    """The validation verdict on one object of a submission, by its position in the body."""

    __tablename__ = "submission_object"

    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    stix_id: Mapped[str | None] = mapped_column(String(300), index=True)
    stix_type: Mapped[str | None] = mapped_column(String(250))
    status: Mapped[ObjectStatus] = mapped_column(_enum(ObjectStatus, "object_status"))
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    submission: Mapped[Submission] = relationship(back_populates="objects", lazy="raise")


class SubmissionEvent(Base):
    """One state transition: who moved the submission, when, from where to where, and why."""

    __tablename__ = "submission_event"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_account_id: Mapped[str | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)

    submission: Mapped[Submission] = relationship(back_populates="events", lazy="raise")
