"""Request and response bodies of the operator review API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from hub.models import SubmissionState
from hub.review.rules import explain
from hub.sharing import Breadth
from schemas.submissions import EventOut, ObjectResult


class ChangeOut(BaseModel):
    """One change the sanitizer made: which object and property, why, masked before -> after."""

    model_config = ConfigDict(from_attributes=True)

    object_id: str
    new_object_id: str | None
    path: str
    rule: str
    before: str | None
    after: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def explanation(self) -> str:
        """The rule in plain words, as the console and the consent page show it."""
        return explain(self.rule)


class ReportOut(BaseModel):
    """The sanitizer's change report (hub.sanitize.report.Report)."""

    model_config = ConfigDict(from_attributes=True)

    changes: list[ChangeOut]
    counts_by_rule: dict[str, int]


class ScopeIn(BaseModel):
    """How far to share: see hub.sharing (sector, sectors + extra_sectors, members, public)."""

    breadth: Breadth
    extra_sectors: list[str] = Field(default_factory=list, max_length=200)


class ApproveIn(BaseModel):
    scope: ScopeIn
    note: str | None = Field(default=None, max_length=4000)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=4000, description="the submitter sees this")


class EditIn(BaseModel):
    """Objects to drop (original or sanitized ids), terms to redact, attacker values to keep."""

    drop: list[str] = Field(default_factory=list, max_length=200)
    redact: list[str] = Field(default_factory=list, max_length=200)
    keep: list[str] = Field(default_factory=list, max_length=200)
    note: str | None = Field(default=None, max_length=4000)


class ReviewState(BaseModel):
    breadth: Breadth | None
    extra_sectors: list[str]
    approved_at: datetime | None
    awaiting_second: bool
    second_at: datetime | None
    edits: dict[str, list[str]]
    reason: str | None
    consent: str | None
    consent_cross_sector: bool
    consent_amber_strict: bool
    consent_auto: bool
    consent_at: datetime | None
    published_at: datetime | None
    published_to: dict[str, list[str]]


class QueueItem(BaseModel):
    id: str
    member: str
    sector: str
    state: SubmissionState
    received_at: datetime
    updated_at: datetime
    age_seconds: int
    object_count: int
    accepted_count: int
    tlp: dict[str, int] = Field(description="objects per effective TLP level")
    awaiting_second: bool
    flagged: int = Field(
        default=0, description="probable findings the sanitizer left for the operator to decide"
    )


class QueuePage(BaseModel):
    items: list[QueueItem]
    next: str | None = Field(description="pass as ?cursor= to get the next page")


class DiffEntry(BaseModel):
    path: str
    op: Literal["changed", "removed", "added"]
    before: Any = None
    after: Any = None
    reference: bool = Field(description="an id or reference rewrite rather than a redaction")


class ObjectDiff(BaseModel):
    original_id: str | None
    sanitized_id: str | None
    type: str
    status: Literal["unchanged", "changed", "dropped", "added"]
    entries: list[DiffEntry]


class FlagOut(BaseModel):
    object_id: str
    kind: Literal["warninglist", "corroboration", "sanitizer"]
    detail: str
    value: str | None = Field(default=None, description="masked for sanitizer flags")
    lists: list[str] = Field(default_factory=list)
    members: int = Field(default=0, description="how many other members published it")
    rule: str | None = Field(default=None, description="the sanitizer rule that flagged it")
    location: str | None = Field(
        default=None, description="where in the object: property path with [start:end] offsets"
    )


class RouteOut(BaseModel):
    id: str
    tlp: str
    collections: list[str]
    withheld: list[str]


class ReviewDetail(BaseModel):
    id: str
    member: str
    sector: str
    state: SubmissionState
    received_at: datetime
    updated_at: datetime
    original: list[dict[str, Any]] = Field(description="the sealed original's valid objects")
    rejected: list[ObjectResult]
    sanitized: list[dict[str, Any]]
    report: ReportOut
    diff: list[ObjectDiff]
    flags: list[FlagOut]
    warninglists: bool = Field(description="whether the MISP warninglists were consulted")
    tlp: dict[str, str]
    routing: list[RouteOut] | None = Field(description="with the approved scope, given consent")
    review: ReviewState | None
    events: list[EventOut]


class DecisionOut(BaseModel):
    id: str
    state: SubmissionState
    stage: str | None = None
    review: ReviewState | None
