"""Audit trail as operators read it over REST."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    mac: str


class AuditVerdictOut(BaseModel):
    ok: bool
    entries: int
    head: str
    problem: str | None
    bad_seq: int | None
    # The newest entry the signed anchor outside the table names (None: not anchored).
    anchored_seq: int | None = None
