"""Operator review: the queue, a submission's full picture, and every decision on it.

Decisions: approve with a sharing scope (with four-eyes, a scope beyond the submitter's
sector needs a second, different operator), reject or send back with a reason the submitter
sees, reopen an approved submission, and edit: drop objects, add redactions the sanitizer
missed, or keep values as attacker data. Edits are stored and replayed over the sealed
original through the sanitizer, so ids and references stay consistent and a later edit
never loses an earlier one. Every decision is a recorded transition and an audit entry.
"""

from hub.review.decisions import (
    Approval,
    Edits,
    accepted_originals,
    approve,
    edit,
    reject,
    reopen,
    resanitize,
    send_back,
)
from hub.review.queue import Detail, QueueItem, QueuePage, detail, queue

__all__ = [
    "Approval",
    "Detail",
    "Edits",
    "QueueItem",
    "QueuePage",
    "accepted_originals",
    "approve",
    "detail",
    "edit",
    "queue",
    "reject",
    "reopen",
    "resanitize",
    "send_back",
]
