"""Request and response bodies of the submission API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hub.models import ObjectStatus, Submission, SubmissionState


class Receipt(BaseModel):
    """What a member gets back at once: the submission is stored and will be processed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c2c1e-8a7e-4c8e-9f0e-2b8a1d1b7f55",
                    "state": "received",
                    "received_at": "2026-11-26T11:28:36.123456Z",
                    "object_count": 3,
                    "bundle_id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
                    "status_url": "/api/v1/submissions/6f1c2c1e-8a7e-4c8e-9f0e-2b8a1d1b7f55",
                }
            ]
        }
    )

    id: str
    state: SubmissionState
    received_at: datetime
    object_count: int
    bundle_id: str | None
    status_url: str

    @classmethod
    def of(cls, submission: Submission, status_url: str) -> Receipt:
        """The receipt of a stored submission, whose status lives at `status_url`."""
        return cls(
            id=submission.id,
            state=submission.state,
            received_at=submission.received_at,
            object_count=submission.object_count,
            bundle_id=submission.bundle_id,
            status_url=status_url,
        )


class ProblemOut(BaseModel):
    property: str | None
    reason: str


class ObjectResult(BaseModel):
    position: int = Field(description="index of the object in the posted bundle")
    id: str | None
    type: str | None
    status: ObjectStatus
    problems: list[ProblemOut]


class EventOut(BaseModel):
    at: datetime
    from_state: str | None
    to_state: str
    reason: str | None


class SubmissionSummary(BaseModel):
    id: str
    member: str
    state: SubmissionState
    source: str
    received_at: datetime
    updated_at: datetime
    bundle_id: str | None
    object_count: int
    accepted_count: int
    rejected_count: int
    status_url: str


class SubmissionDetail(SubmissionSummary):
    objects: list[ObjectResult]
    events: list[EventOut]


class SubmissionPage(BaseModel):
    items: list[SubmissionSummary]
    next: str | None = Field(description="pass as ?cursor= to get the next page")
