"""Coarsening of detection timestamps, which can fingerprint the reporting member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hub.sanitize.report import Recorder

FLOORED = (
    "created",
    "modified",
    "first_seen",
    "last_seen",
    "first_observed",
    "last_observed",
    "valid_from",
    "published",
)
CEILED = ("valid_until",)  # rounded up so valid_until stays after valid_from


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _round(ts: datetime, unit: str, *, up: bool) -> datetime:
    floor = ts.replace(minute=0, second=0, microsecond=0)
    step = timedelta(hours=1)
    if unit == "day":
        floor = floor.replace(hour=0)
        step = timedelta(days=1)
    return floor + step if up and floor != ts else floor


def _format(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def coarsen(o: dict[str, Any], oid: str, unit: str, rec: Recorder) -> None:
    """Round the object's timestamps to the hour or day, keeping their order valid."""
    for prop in (*FLOORED, *CEILED):
        value = o.get(prop)
        if not isinstance(value, str) or (ts := _parse(value)) is None:
            continue
        new = _format(_round(ts, unit, up=prop in CEILED))
        if new != value:
            o[prop] = new
            rec.add(oid, prop, "timestamp", value, new, masked=True)
    start, end = o.get("valid_from"), o.get("valid_until")
    if isinstance(start, str) and isinstance(end, str) and end <= start:
        later = _parse(start)
        if later is not None:
            step = timedelta(days=1) if unit == "day" else timedelta(hours=1)
            o["valid_until"] = _format(later + step)
