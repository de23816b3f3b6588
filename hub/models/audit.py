"""The append-only, hash-chained audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """One recorded action; ``mac`` chains it to the entry before it under the hub's key."""

    __tablename__ = "audit_entry"

    # seq is assigned under a lock as previous + 1 and is part of the MAC, so a removed entry
    # shows as a gap; database sequences may skip on rollback and cannot serve for that.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_account_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(300), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64), unique=True)
    # The key epoch (hub.keys.key_id) whose audit key made `mac`.
    key_id: Mapped[str | None] = mapped_column(String(16))
