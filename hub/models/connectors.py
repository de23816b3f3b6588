"""Connectors: upstream TAXII sources, peer hubs, member webhooks, and the worker's jobs."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, utcnow
from hub.models.members import _enum, new_id

_SEQ = BigInteger().with_variant(Integer(), "sqlite")


class SourceMode(enum.StrEnum):
    """How pulled content enters the hub."""

    MEMBER = "member"  # submitted as a member: validated, sanitized, reviewed, consented
    VALIDATE = "validate"  # a trusted feed: validated and published under the TLP ceilings


class AuthKind(enum.StrEnum):
    NONE = "none"
    BASIC = "basic"
    BEARER = "bearer"


class ConnectorSource(Base):
    """An upstream TAXII 2.1 server whose collections the hub follows by `added_after`."""

    __tablename__ = "connector_source"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    api_root_url: Mapped[str] = mapped_column(String(1000))
    collections: Mapped[list[str]] = mapped_column(JSON, default=list)  # remote collection ids
    auth_kind: Mapped[AuthKind] = mapped_column(_enum(AuthKind, "auth_kind"))
    username: Mapped[str | None] = mapped_column(String(200))
    # The upstream's password or token: it must be presented, so it cannot be a hash; it is
    # sealed with the hub's keyring (connectors.sealing), its key epoch beside it.
    credential: Mapped[str | None] = mapped_column(Text)
    ca_file: Mapped[str | None] = mapped_column(String(1000))
    mode: Mapped[SourceMode] = mapped_column(_enum(SourceMode, "source_mode"))
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("member.id", ondelete="RESTRICT"), index=True
    )
    # The account pulled content is submitted or published under, and the automatic
    # operator whose approvals are recorded in the audit log.
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"))
    approver_account_id: Mapped[str | None] = mapped_column(
        ForeignKey("account.id", ondelete="RESTRICT")
    )
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_tlp: Mapped[str] = mapped_column(String(16))
    auto_approve: Mapped[bool] = mapped_column(default=False)
    interval_seconds: Mapped[int] = mapped_column(default=300)
    page_size: Mapped[int] = mapped_column(default=100)
    paused: Mapped[bool] = mapped_column(default=False)
    # Per remote collection id: the last X-TAXII-Date-Added-Last taken in (a TAXII timestamp).
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    objects_moved: Mapped[int] = mapped_column(BigInteger, default=0)


class ConnectorPeer(Base):
    """A peer hub (or any TAXII 2.1 server) that chosen collections are mirrored to."""

    __tablename__ = "connector_peer"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    api_root_url: Mapped[str] = mapped_column(String(1000))
    # [{"local": collection slug here, "remote": collection id there}]
    collections: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    auth_kind: Mapped[AuthKind] = mapped_column(_enum(AuthKind, "auth_kind"))
    username: Mapped[str | None] = mapped_column(String(200))
    credential: Mapped[str | None] = mapped_column(Text)
    ca_file: Mapped[str | None] = mapped_column(String(1000))
    # The strictest TLP the peer is cleared to receive; anything stricter stays here.
    max_tlp: Mapped[str] = mapped_column(String(16))
    interval_seconds: Mapped[int] = mapped_column(default=60)
    batch_size: Mapped[int] = mapped_column(default=200)
    paused: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    objects_moved: Mapped[int] = mapped_column(BigInteger, default=0)


class PeerProgress(Base):
    """How far one local collection has been delivered to one peer (date_added, epoch µs)."""

    __tablename__ = "connector_peer_progress"

    peer_id: Mapped[str] = mapped_column(
        ForeignKey("connector_peer.id", ondelete="CASCADE"), primary_key=True
    )
    collection_slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_date_added: Mapped[int] = mapped_column(BigInteger, default=0)
    sent: Mapped[int] = mapped_column(BigInteger, default=0)
    withheld: Mapped[int] = mapped_column(BigInteger, default=0)
    rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MemberWebhook(Base):
    """A member's endpoint told (never shown content) when its collections get new objects."""

    __tablename__ = "member_webhook"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    # The HMAC key the receiver verifies with; the hub signs with it, so it is sealed (not
    # hashed) with the hub's keyring, its key epoch beside it.
    secret: Mapped[str] = mapped_column(Text)
    paused: Mapped[bool] = mapped_column(default=False)
    # Per collection id: the last date_added already announced (epoch µs).
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookDelivery(Base):
    """One notification and its attempts: the delivery history the admin sees."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_webhook_created", "webhook_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("member_webhook.id", ondelete="CASCADE"))
    collection_id: Mapped[str] = mapped_column(String(36))
    collection_slug: Mapped[str] = mapped_column(String(80))
    count: Mapped[int]
    date_added_last: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[DeliveryState] = mapped_column(
        _enum(DeliveryState, "delivery_state"), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"  # a one-shot job that used up its attempts


class ConnectorJob(Base):
    """Work for the workers: a lease marks it taken; an expired lease lets another retry it.

    Recurring jobs (a source's pull, a peer's push, the webhook notifier) stay pending and
    move their `run_at`; one-shot jobs (a webhook delivery) end done or dead.
    """

    __tablename__ = "connector_job"
    __table_args__ = (
        UniqueConstraint("kind", "subject", name="uq_connector_job_kind_subject"),
        Index("ix_connector_job_due", "state", "run_at"),
    )

    id: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    recurring: Mapped[bool] = mapped_column(default=False)
    state: Mapped[JobState] = mapped_column(_enum(JobState, "job_state"), default=JobState.PENDING)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=8)
    runs: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
