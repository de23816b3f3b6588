"""Request and response bodies of the submitter's consent API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from hub.models import SubmissionState
from hub.sharing import Breadth
from schemas.review import ReportOut, RouteOut
from schemas.submissions import EventOut


class ConsentIn(BaseModel):
    decision: Literal["approve", "withdraw"]
    cross_sector: bool = Field(
        default=False, description="TLP:AMBER content may go beyond your sector"
    )
    amber_strict: bool = Field(
        default=False, description="TLP:AMBER+STRICT content may go to your own sector"
    )
    note: str | None = Field(default=None, max_length=4000)


class ScopeOut(BaseModel):
    breadth: Breadth
    extra_sectors: list[str]


class ConsentFlags(BaseModel):
    cross_sector: bool
    amber_strict: bool


class Preview(BaseModel):
    """What will be published, exactly: the objects, where each goes, and what is held back."""

    id: str
    state: SubmissionState
    reason: str | None = Field(description="why it was rejected or sent back")
    scope: ScopeOut | None
    consent: str | None
    assumed: ConsentFlags | None = Field(description="the consent answers this preview assumes")
    objects: list[dict[str, Any]] = Field(description="the objects that will be published")
    collections: dict[str, list[str]]
    withheld: list[RouteOut]
    sanitized: list[dict[str, Any]]
    report: ReportOut
    events: list[EventOut]


class ConsentOut(BaseModel):
    id: str
    state: SubmissionState
    published_to: dict[str, list[str]]
    published_at: datetime | None


class AutoConsent(BaseModel):
    breadths: list[Breadth] = Field(description="scopes you approve in advance")
    cross_sector: bool = Field(default=False, description="let TLP:AMBER cross sectors")
