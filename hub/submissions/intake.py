"""Intake: check the shape of a posted body and store it, sealed, before anything else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from hub.config import Limits
from hub.db import utcnow
from hub.errors import BadRequest, Forbidden, PayloadTooLarge, Unprocessable
from hub.members.principals import Principal
from hub.models import Submission, SubmissionBlob, SubmissionEvent, SubmissionState
from hub.stix.tlp import canonical_markings

EXPECTED = (
    'expected a STIX 2.1 bundle ({"type": "bundle", "id": "bundle--…", "objects": [...]}) '
    "or a single STIX object with a type and an id"
)

__all__ = ["EXPECTED", "Envelope", "Limits", "check_sizes", "parse", "receive"]


@dataclass(frozen=True, slots=True)
class Envelope:
    objects: list[Any]
    bundle_id: str | None


def parse(body: bytes, limits: Limits, *, allow_taxii_envelope: bool = False) -> Envelope:
    """The objects of a posted body, or a precise 400/413/422."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise Unprocessable(f"{EXPECTED}; got a JSON {type(doc).__name__}")
    kind = doc.get("type")
    if kind == "bundle":
        objects = doc.get("objects", [])
        bundle_id = doc.get("id") if isinstance(doc.get("id"), str) else None
    elif allow_taxii_envelope and kind is None and "objects" in doc:
        objects, bundle_id = doc["objects"], None
    elif isinstance(kind, str) and isinstance(doc.get("id"), str):
        objects, bundle_id = [doc], None
    else:
        raise Unprocessable(EXPECTED)
    if not isinstance(objects, list):
        raise Unprocessable('"objects" must be a JSON array of STIX objects')
    if not objects:
        raise Unprocessable("the body holds no objects")
    if len(objects) > limits.max_objects:
        raise PayloadTooLarge(
            f"{len(objects)} objects in one submission; the limit is {limits.max_objects}"
        )
    check_sizes(objects, limits)
    # An official TLP id in another letter case is the same id (a UUID is case-insensitive):
    # every reader of a posted body (validation, sanitizing, direct posts) sees it canonical,
    # so it can never count as an unknown marking or be re-minted into one.
    objects = [canonical_markings(o) if isinstance(o, dict) else o for o in objects]
    return Envelope(objects=objects, bundle_id=bundle_id)


def check_sizes(objects: list[Any], limits: Limits) -> None:
    """Refuse absurd nesting and giant strings before anything tries to process them."""
    stack: list[tuple[Any, int, int]] = [(obj, 1, i) for i, obj in enumerate(objects)]
    while stack:
        value, depth, index = stack.pop()
        if isinstance(value, dict):
            if depth > limits.max_depth:
                raise Unprocessable(f"objects[{index}] nests deeper than {limits.max_depth} levels")
            for key, item in value.items():
                if len(key) > 250:
                    raise Unprocessable(f"objects[{index}] has a property name over 250 characters")
                if isinstance(item, dict | list):
                    stack.append((item, depth + 1, index))
                elif isinstance(item, str) and len(item) > limits.max_string_bytes:
                    raise Unprocessable(
                        f"objects[{index}].{key} is longer than {limits.max_string_bytes} bytes"
                    )
        elif isinstance(value, list):
            if depth > limits.max_depth:
                raise Unprocessable(f"objects[{index}] nests deeper than {limits.max_depth} levels")
            for item in value:
                if isinstance(item, dict | list):
                    stack.append((item, depth + 1, index))
                elif isinstance(item, str) and len(item) > limits.max_string_bytes:
                    raise Unprocessable(
                        f"objects[{index}] holds a string over {limits.max_string_bytes} bytes"
                    )
        elif isinstance(value, str) and len(value) > limits.max_string_bytes:
            raise Unprocessable(
                f"objects[{index}] is a string over {limits.max_string_bytes} bytes"
            )


async def receive(
    db: AsyncSession,
    principal: Principal,
    body: bytes,
    *,
    content_type: str,
    limits: Limits,
    source: str = "rest",
) -> Submission:
    """Store a member's report durably (the caller's transaction) and return its receipt."""
    if principal.member_id is None:
        raise Forbidden("only a member's submitter account can submit reports")
    envelope = parse(body, limits, allow_taxii_envelope=source == "taxii")
    now = utcnow()
    submission = Submission(
        member_id=principal.member_id,
        account_id=principal.account_id,
        source=source,
        state=SubmissionState.RECEIVED,
        received_at=now,
        updated_at=now,
        bundle_id=envelope.bundle_id,
        content_type=content_type[:100],
        byte_count=len(body),
        object_count=len(envelope.objects),
    )
    db.add(submission)
    await db.flush()
    db.add(SubmissionBlob(submission_id=submission.id, raw=body))
    db.add(
        SubmissionEvent(
            submission_id=submission.id,
            at=now,
            actor_account_id=principal.account_id,
            from_state=None,
            to_state=SubmissionState.RECEIVED.value,
            reason=f"received over {source}",
        )
    )
    await db.flush()
    return submission
