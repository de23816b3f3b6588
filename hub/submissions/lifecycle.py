"""The submission state machine: which moves are allowed, and the record of each move."""

from __future__ import annotations

from hub.db import utcnow
from hub.errors import Conflict
from hub.models import Submission, SubmissionEvent, SubmissionState

S = SubmissionState

ALLOWED: dict[SubmissionState, frozenset[SubmissionState]] = {
    S.RECEIVED: frozenset({S.VALIDATED, S.FAILED}),
    S.VALIDATED: frozenset({S.SANITIZED, S.REJECTED, S.FAILED}),
    S.SANITIZED: frozenset({S.IN_REVIEW, S.FAILED}),
    # IN_REVIEW -> IN_REVIEW: an operator's edit re-sanitizes; the member may withdraw any time
    # before publication.
    S.IN_REVIEW: frozenset(
        {S.IN_REVIEW, S.AWAITING_CONSENT, S.PUBLISHED, S.REJECTED, S.SENT_BACK, S.WITHDRAWN}
    ),
    S.AWAITING_CONSENT: frozenset({S.PUBLISHED, S.WITHDRAWN, S.IN_REVIEW, S.REJECTED}),
    # A member answers a send-back with a corrected body, processed again from the start.
    S.SENT_BACK: frozenset({S.IN_REVIEW, S.WITHDRAWN, S.RECEIVED}),
    S.FAILED: frozenset({S.RECEIVED}),
    # A member may withdraw a published report: its objects are then revoked.
    S.PUBLISHED: frozenset({S.WITHDRAWN}),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


class InvalidTransition(Conflict):
    """A move that the submission's current state does not allow."""


def move(
    submission: Submission,
    to: SubmissionState,
    *,
    actor_account_id: str | None,
    reason: str | None = None,
) -> SubmissionEvent:
    """Change state and return the event to add; refuses moves the table does not allow."""
    current = submission.state
    if to not in ALLOWED[current]:
        raise InvalidTransition(
            f"submission {submission.id} is {current.value}; it cannot become {to.value}"
        )
    now = utcnow()
    submission.state = to
    submission.updated_at = now
    return SubmissionEvent(
        submission_id=submission.id,
        at=now,
        actor_account_id=actor_account_id,
        from_state=current.value,
        to_state=to.value,
        reason=reason,
    )
